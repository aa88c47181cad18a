#include "fastmcp/static_tokens/static_token_verifier.hpp"

#include "fastmcp/jwt/settings_reader.hpp"
#include "fastmcp/static_tokens/settings_schema.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fastmcp::static_tokens {
namespace {

using nlohmann::json;

constexpr std::streamsize kMaxFileBytes = 1 << 20;

// The JSON parse error text is never used: it can quote the secret's bytes.
json parse_tokens_json(std::string_view text, const std::string &what, const jwt::SettingsReader &s,
                       std::string_view field) {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) s.fail(field, what + " is not valid JSON");
    return j;
}

json read_tokens_file(const std::string &path, const jwt::SettingsReader &s) {
    std::ifstream in(path, std::ios::binary);
    if (!in) s.fail("tokens_file", "cannot read '" + path + "'");
    std::string text(static_cast<size_t>(kMaxFileBytes) + 1, '\0');
    in.read(text.data(), kMaxFileBytes + 1);
    text.resize(static_cast<size_t>(in.gcount()));
    if (static_cast<std::streamsize>(text.size()) > kMaxFileBytes)
        s.fail("tokens_file", "'" + path + "' is larger than 1 MiB");
    return parse_tokens_json(text, "'" + path + "'", s, "tokens_file");
}

bool read_bool(const json &settings, const char *name) {
    auto it = settings.find(name);
    if (it == settings.end() || it->is_null()) return false;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_string()) {
        std::string v = it->get<std::string>();
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
        return v == "true" || v == "1" || v == "yes" || v == "on";
    }
    return false;
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

} // namespace

StaticTokenVerifier::StaticTokenVerifier(plugin::Host host, std::string_view settings_json)
    : host_(host) {
    jwt::SettingsReader s(settings_json, kEnvPrefix);
    const json settings = json::parse(settings_json.begin(), settings_json.end(), nullptr, false);

    // Refuse before reading any token: a development credential must not face the network.
    const bool allow_non_loopback = read_bool(settings, "allow_non_loopback");
    if (!host.bind_is_loopback()) {
        const std::string where = host.bind_host().empty() ? std::string("a non-loopback address")
                                                            : "'" + std::string(host.bind_host()) + "'";
        if (!allow_non_loopback)
            s.fail("allow_non_loopback",
                   "StaticTokenVerifier is for development and tests, and the server binds to " +
                       where + ", which is not loopback. Bind to 127.0.0.1, or set " +
                       s.variable("allow_non_loopback") + "=true to accept static tokens from the network");
        warnings_.push_back("static tokens are accepted on a non-loopback bind (" + where + ") because " +
                            s.variable("allow_non_loopback") + "=true; use them only for development and tests");
    }

    // Present means "given", even when empty or of the wrong type: that is reported as such below.
    const auto given = settings.find("tokens");
    const bool inline_tokens = given != settings.end() && !given->is_null() &&
                               !(given->is_string() && given->get_ref<const std::string &>().empty());
    const auto file = s.string("tokens_file");
    if (int(inline_tokens) + int(bool(file)) != 1)
        throw plugin::ConfigError(s.variable("tokens") + " / " + s.variable("tokens_file") +
                                  ": set exactly one of them (" +
                                  (inline_tokens ? "both are set" : "none is set") + ")");
    json tokens;
    if (inline_tokens) {
        tokens = settings["tokens"];
        // The loader hands over parsed JSON; a caller may also pass the JSON text itself.
        if (tokens.is_string()) tokens = parse_tokens_json(tokens.get<std::string>(), "the value", s, "tokens");
        source_ = s.variable("tokens");
        table_ = TokenTable::parse(tokens, s.variable("tokens"));
    } else {
        tokens = read_tokens_file(*file, s);
        source_ = *file;
        table_ = TokenTable::parse(tokens, s.variable("tokens_file") + " ('" + *file + "')");
    }

    resource_ = provider_common::ProtectedResource(s, host.mcp_path());
    for (const auto &w : warnings_) host_.log(FASTMCP_LOG_WARNING, std::string(kProviderName) + ": " + w);
    host_.log(FASTMCP_LOG_INFO, std::string(kProviderName) + ": " + std::to_string(table_.size()) +
                                    " static token(s) loaded from " + source_);
}

plugin::Verdict StaticTokenVerifier::verify(std::string_view token) {
    if (token.empty())
        return plugin::Verdict::reject(FASTMCP_REASON_MISSING_TOKEN, "no bearer token was presented");
    if (token.size() > TokenTable::kMaxTokenBytes)
        return plugin::Verdict::reject(FASTMCP_REASON_TOKEN_TOO_LARGE, "the token is too large");
    const Entry *e = table_.find(token);
    if (!e)
        return plugin::Verdict::reject(FASTMCP_REASON_UNKNOWN_TOKEN,
                                       "the token is not one of the configured static tokens");
    const int64_t now_s = host_.now_ms() / 1000;
    if (e->expires_at != 0 && now_s >= e->expires_at)
        return plugin::Verdict::reject(FASTMCP_REASON_EXPIRED, "the token has expired");

    auto t = std::make_shared<plugin::VerifiedToken>();
    t->token.assign(token);
    t->subject = e->subject;
    t->client_id = e->client_id;
    t->issuer = e->issuer;
    t->scopes = e->scopes;
    t->expires_at = e->expires_at;
    t->claims_json = e->claims_json;

    std::vector<std::string> missing;
    for (const auto &s : resource_.required_scopes())
        if (std::find(e->scopes.begin(), e->scopes.end(), s) == e->scopes.end()) missing.push_back(s);
    if (!missing.empty()) {
        plugin::Verdict v;
        v.reason = FASTMCP_REASON_INSUFFICIENT_SCOPE;
        v.required_scope = join(missing);
        v.description = "the token lacks the required scope(s): " + v.required_scope;
        v.token = std::move(t);
        return v;
    }
    return plugin::Verdict::ok(std::move(t));
}

bool StaticTokenVerifier::handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) {
    return resource_.handle_route(request, out);
}

std::string StaticTokenVerifier::describe_json() {
    json d = resource_.describe(kProviderName, warnings_);
    d["tokens_source"] = source_;
    d["bind_is_loopback"] = host_.bind_is_loopback();
    const size_t expired = table_.expired_at(host_.now_ms() / 1000);
    d["health"] = {{"ready", table_.size() > expired}, {"tokens", table_.size()}, {"expired", expired}};
    return d.dump();
}

} // namespace fastmcp::static_tokens
