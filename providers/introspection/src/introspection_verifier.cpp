#include "fastmcp/introspection/introspection_verifier.hpp"

#include "fastmcp/introspection/settings_schema.hpp"
#include "fastmcp/jwt/settings_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace fastmcp::introspection {
namespace {

using nlohmann::json;

constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr const char *kMasked = "********";

// The host part of an http(s) URL (brackets kept for IPv6).
std::string url_host(const std::string &url) {
    const size_t start = url.find("://") + 3;
    size_t end = url.find_first_of("/?#", start);
    std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    if (!authority.empty() && authority.front() == '[') return authority.substr(0, authority.find(']') + 1);
    return authority.substr(0, authority.find(':'));
}

bool loopback_host(std::string host) {
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
    return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

int64_t read_int(const json &settings, const jwt::SettingsReader &s, const char *name, int64_t fallback) {
    auto it = settings.find(name);
    if (it == settings.end() || it->is_null()) return fallback;
    if (it->is_number_integer()) return it->get<int64_t>();
    if (it->is_string()) {
        try {
            size_t used = 0;
            const long long v = std::stoll(it->get<std::string>(), &used);
            if (used == it->get_ref<const std::string &>().size()) return v;
        } catch (const std::logic_error &) {
        }
    }
    s.fail(name, "not an integer");
}

} // namespace

IntrospectionTokenVerifier::IntrospectionTokenVerifier(plugin::Host host, std::string_view settings_json)
    : host_(host) {
    jwt::SettingsReader s(settings_json, kEnvPrefix);
    const json settings = json::parse(settings_json.begin(), settings_json.end(), nullptr, false);

    request_.url = s.required_url("introspection_url", "e.g. https://auth.example.com/oauth2/introspect");
    // The client secret travels in every request: only over TLS, or to this machine.
    if (request_.url.rfind("https://", 0) != 0 && !loopback_host(url_host(request_.url)))
        s.fail("introspection_url",
               "must be https (plain http is allowed only for loopback hosts): the client "
               "credentials and tokens would travel unencrypted");
    client_id_ = s.required_string("client_id");
    const auto secret = s.string("client_secret");
    if (!secret) s.fail("client_secret", "is required");
    request_.authorization = basic_authorization(client_id_, *secret);

    const int64_t timeout = s.duration_ms("timeout_seconds", 10'000);
    if (timeout < 1 || timeout > 300'000) s.fail("timeout_seconds", "must be between 1ms and 300s");
    request_.timeout_ms = static_cast<uint32_t>(timeout);

    cache_ttl_ms_ = s.duration_ms("cache_ttl_seconds", 60'000);
    if (cache_ttl_ms_ > 24 * 3'600'000LL) s.fail("cache_ttl_seconds", "must be at most 24h");
    const int64_t max_entries = read_int(settings, s, "max_cache_size", 10'000);
    if (max_entries < 1 || max_entries > 1'000'000) s.fail("max_cache_size", "must be between 1 and 1000000");
    if (cache_ttl_ms_ > 0) cache_ = std::make_unique<IntrospectionCache>(static_cast<size_t>(max_entries));

    resource_ = provider_common::ProtectedResource(s, host.mcp_path());
    if (!resource_.resource().empty() && resource_.authorization_servers().empty())
        warnings_.push_back(s.variable("authorization_servers") +
                            " is not set: the protected-resource metadata names no authorization "
                            "server, so MCP clients cannot discover where to sign in");
    for (const auto &w : warnings_) host_.log(FASTMCP_LOG_WARNING, std::string(kProviderName) + ": " + w);
}

void IntrospectionTokenVerifier::note_failure(const std::string &why) {
    failures_.fetch_add(1);
    bool first = false;
    {
        std::lock_guard lock(health_mutex_);
        last_error_ = why;
        first = !in_outage_;
        in_outage_ = true;
    }
    // Once per outage, not per request.
    if (first)
        host_.log(FASTMCP_LOG_WARNING, std::string(kProviderName) + ": introspection at " + request_.url +
                                           " failed: " + why + "; tokens are rejected until it answers");
}

void IntrospectionTokenVerifier::note_success() {
    bool recovered = false;
    {
        std::lock_guard lock(health_mutex_);
        recovered = in_outage_;
        in_outage_ = false;
        last_error_.clear();
    }
    if (recovered)
        host_.log(FASTMCP_LOG_INFO, std::string(kProviderName) + ": introspection at " + request_.url + " answers again");
}

plugin::Verdict IntrospectionTokenVerifier::verify(std::string_view token) {
    if (token.empty())
        return plugin::Verdict::reject(FASTMCP_REASON_MISSING_TOKEN, "no bearer token was presented");
    if (token.size() > kMaxTokenBytes)
        return plugin::Verdict::reject(FASTMCP_REASON_TOKEN_TOO_LARGE, "the token is too large");

    const TokenDigest key = token_digest(token);
    if (cache_) {
        if (auto hit = cache_->get(key, host_.now_ms())) {
            cache_hits_.fetch_add(1);
            return evaluate(*hit, token, host_.now_ms() / 1000, resource_.required_scopes());
        }
    }
    const Answer answer = introspect(key, token);
    if (!answer)
        return plugin::Verdict::reject(FASTMCP_REASON_INTROSPECTION_UNAVAILABLE,
                                       "the authorization server could not be asked about the token");
    return evaluate(*answer, token, host_.now_ms() / 1000, resource_.required_scopes());
}

IntrospectionTokenVerifier::Answer IntrospectionTokenVerifier::introspect(const TokenDigest &key,
                                                                          std::string_view token) {
    const std::string flight(reinterpret_cast<const char *>(key.data()), key.size());
    std::promise<Answer> promise;
    std::shared_future<Answer> in_progress;
    {
        std::lock_guard lock(flights_mutex_);
        if (auto it = flights_.find(flight); it != flights_.end()) in_progress = it->second;
        else flights_.emplace(flight, promise.get_future().share());
    }
    if (in_progress.valid()) {
        coalesced_.fetch_add(1);
        // The asking request is bounded by the endpoint timeout; past that (and a margin for the
        // host's own connect), fail closed rather than wait forever.
        const auto limit = std::chrono::milliseconds(request_.timeout_ms) + std::chrono::seconds(5);
        if (in_progress.wait_for(limit) != std::future_status::ready) return nullptr;
        return in_progress.get();
    }
    // This request asks. Its answer is published before the flight is removed, so every request
    // that joined it gets that answer, on every path (an exception included).
    auto land = [&](const Answer &answer) {
        promise.set_value(answer);
        std::lock_guard lock(flights_mutex_);
        flights_.erase(flight);
    };
    Answer answer;
    try {
        answer = ask_endpoint(key, token);
    } catch (...) {
        land(nullptr);
        throw;
    }
    land(answer);
    return answer;
}

IntrospectionTokenVerifier::Answer IntrospectionTokenVerifier::ask_endpoint(const TokenDigest &key,
                                                                            std::string_view token) {
    // A flight for this token may have landed between our cache miss and our flight: reuse it.
    if (cache_) {
        if (auto hit = cache_->get(key, host_.now_ms())) {
            cache_hits_.fetch_add(1);
            return hit;
        }
    }
    requests_.fetch_add(1);
    const plugin::HttpResponse response = host_.fetch(build_request(request_, token));
    std::string why;
    auto parsed = parse_response(response, why);
    if (!parsed) {
        note_failure(why);
        return nullptr;
    }
    note_success();
    auto answer = std::make_shared<const Introspected>(std::move(*parsed));
    if (cache_) {
        const int64_t now_ms = host_.now_ms();
        int64_t deadline = now_ms + cache_ttl_ms_;
        if (answer->active && answer->exp != 0) deadline = std::min(deadline, answer->exp * 1000);
        cache_->put(key, answer, deadline, now_ms);
    }
    return answer;
}

bool IntrospectionTokenVerifier::handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) {
    return resource_.handle_route(request, out);
}

std::string IntrospectionTokenVerifier::describe_json() {
    json d = resource_.describe(kProviderName, warnings_);
    d["introspection_url"] = request_.url;
    d["client_id"] = client_id_;
    d["client_secret"] = kMasked;
    d["timeout_ms"] = request_.timeout_ms;
    d["cache"] = {{"enabled", cache_ != nullptr},
                  {"ttl_seconds", cache_ttl_ms_ / 1000.0},
                  {"max_entries", cache_ ? cache_->max_entries() : 0},
                  {"entries", cache_size()}};
    std::lock_guard lock(health_mutex_);
    d["health"] = {{"ready", !in_outage_},
                   {"last_error", last_error_.empty() ? json(nullptr) : json(last_error_)},
                   {"requests", requests_.load()},
                   {"failures", failures_.load()},
                   {"cache_hits", cache_hits_.load()},
                   {"coalesced", coalesced_.load()}};
    return d.dump();
}

} // namespace fastmcp::introspection
