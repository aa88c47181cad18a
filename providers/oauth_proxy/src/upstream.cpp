#include "fastmcp/oauth_proxy/upstream.hpp"

#include "fastmcp/oauth_proxy/form.hpp"

#include <algorithm>
#include <cstdlib>

namespace fastmcp::oauth_proxy {
namespace {

constexpr uint64_t kMaxTokenResponse = 64 * 1024;

UpstreamGrant post_token(const plugin::Host &host, const UpstreamClient &client,
                         const std::string &token_endpoint,
                         std::vector<std::pair<std::string, std::string>> params, int64_t now) {
    params.emplace_back("client_id", client.client_id);
    params.emplace_back("client_secret", client.client_secret);
    plugin::HttpRequest req;
    req.method = "POST";
    req.url = token_endpoint;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    req.body = encode_form(params);
    req.timeout_ms = client.timeout_ms;
    req.max_response_bytes = kMaxTokenResponse;
    return parse_token_response(host.fetch(req), now);
}

} // namespace

UpstreamGrant parse_token_response(const plugin::HttpResponse &r, int64_t now) {
    if (r.status == 0)
        throw UpstreamError("temporarily_unavailable", "the upstream token endpoint is unreachable: " + r.error);
    nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, false);
    if (!doc.is_object()) {
        // GitHub answers application/x-www-form-urlencoded unless asked for JSON.
        std::string error;
        auto form = Form::parse(r.body, error);
        doc = nlohmann::json::object();
        if (form)
            for (const char *k : {"access_token", "refresh_token", "id_token", "scope", "error",
                                  "expires_in", "token_type"})
                if (form->has(k)) doc[k] = form->get(k);
    }
    if (doc.contains("error") || r.status >= 400) {
        const std::string err = doc.value("error", std::string());
        if (r.status >= 500) throw UpstreamError("temporarily_unavailable", "the upstream token endpoint failed");
        if (err == "invalid_grant" || err == "bad_verification_code" || r.status == 400)
            throw UpstreamError("invalid_grant", "the upstream refused the grant (" +
                                                     (err.empty() ? std::string("no error code") : err) + ")");
        throw UpstreamError("server_error", "the upstream token endpoint refused the proxy's client (" +
                                                (err.empty() ? std::to_string(r.status) : err) + ")");
    }
    UpstreamGrant g;
    auto str = [&](const char *k) {
        auto it = doc.find(k);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    g.access_token = str("access_token");
    g.refresh_token = str("refresh_token");
    g.id_token = str("id_token");
    g.scope = str("scope");
    if (auto it = doc.find("expires_in"); it != doc.end()) {
        int64_t secs = 0;
        if (it->is_number_integer()) secs = it->get<int64_t>();
        else if (it->is_string()) secs = std::strtoll(it->get<std::string>().c_str(), nullptr, 10);
        if (secs > 0) g.expires_at = now + secs;
    }
    if (g.access_token.empty())
        throw UpstreamError("server_error", "the upstream token response has no access_token");
    return g;
}

UpstreamGrant exchange_code(const plugin::Host &host, const UpstreamClient &client,
                            const std::string &token_endpoint, const std::string &code,
                            const std::string &code_verifier, const std::string &redirect_uri,
                            int64_t now) {
    return post_token(host, client, token_endpoint,
                      {{"grant_type", "authorization_code"},
                       {"code", code},
                       {"redirect_uri", redirect_uri},
                       {"code_verifier", code_verifier}},
                      now);
}

UpstreamGrant refresh_grant(const plugin::Host &host, const UpstreamClient &client,
                            const std::string &token_endpoint, const std::string &refresh_token,
                            int64_t now) {
    return post_token(host, client, token_endpoint,
                      {{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}}, now);
}

int revoke_upstream_token(const plugin::Host &host, const UpstreamClient &client,
                          const std::string &revocation_endpoint, const std::string &token,
                          const std::string &token_type_hint) {
    if (revocation_endpoint.empty() || token.empty()) return 0;
    plugin::HttpRequest req;
    req.method = "POST";
    req.url = revocation_endpoint;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    req.body = encode_form({{"token", token},
                            {"token_type_hint", token_type_hint},
                            {"client_id", client.client_id},
                            {"client_secret", client.client_secret}});
    req.timeout_ms = std::min<uint32_t>(client.timeout_ms ? client.timeout_ms : 5'000, 5'000);
    req.max_response_bytes = 16 * 1024;
    return host.fetch(req).status;
}

} // namespace fastmcp::oauth_proxy
