#include "fastmcp/oauth_proxy/opaque_token_upstream.hpp"

#include "fastmcp/oauth_proxy/form.hpp"

namespace fastmcp::oauth_proxy {
namespace {

constexpr uint64_t kMaxAnswer = 256 * 1024;

// An upstream answer meaning "this token is not good" (as opposed to "cannot tell now").
bool refused_status(int status) {
    return status == 400 || status == 401 || status == 403 || status == 404;
}

std::string string_or_number(const nlohmann::json &doc, const char *key) {
    auto it = doc.find(key);
    if (it == doc.end()) return "";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    return "";
}

} // namespace

OpaqueTokenUpstream::OpaqueTokenUpstream(plugin::Host host, OpaqueTokenEndpoints endpoints,
                                         UpstreamClient client, int64_t check_ttl_seconds)
    : host_(host), endpoints_(std::move(endpoints)), client_(std::move(client)),
      checked_(check_ttl_seconds) {
    if (endpoints_.userinfo_endpoint.empty())
        throw plugin::ConfigError("the upstream needs a userinfo endpoint");
}

UpstreamEndpoints OpaqueTokenUpstream::endpoints() {
    UpstreamEndpoints e;
    e.authorization_endpoint = endpoints_.authorization_endpoint;
    e.token_endpoint = endpoints_.token_endpoint;
    e.revocation_endpoint = endpoints_.revocation_endpoint;
    e.userinfo_endpoint = endpoints_.userinfo_endpoint;
    return e;
}

OpaqueTokenUpstream::Check OpaqueTokenUpstream::tokeninfo(const std::string &access_token) const {
    Check c;
    // Google's documented form puts the token in the query; this URL is never logged.
    plugin::HttpRequest req;
    req.url = append_query(endpoints_.tokeninfo_endpoint, {{"access_token", access_token}});
    req.headers = {{"Accept", "application/json"}, {"User-Agent", "fastmcp-cpp"}};
    req.timeout_ms = client_.timeout_ms;
    req.max_response_bytes = kMaxAnswer;
    const plugin::HttpResponse r = host_.fetch(req);
    c.status = r.status;
    if (r.status != 200) {
        if (refused_status(r.status)) c.refusal = "the upstream tokeninfo refused the token";
        return c;
    }
    c.body = nlohmann::json::parse(r.body, nullptr, false);
    if (!c.body.is_object()) {
        c.status = 0; // unusable answer: cannot tell
        return c;
    }
    const std::string expires_in = string_or_number(c.body, "expires_in");
    if (!expires_in.empty() && std::strtoll(expires_in.c_str(), nullptr, 10) <= 0)
        c.refusal = "the upstream token has expired";
    // A token issued to another application is not ours to accept (token substitution).
    for (const char *k : {"aud", "audience", "issued_to", "azp"}) {
        const std::string v = string_or_number(c.body, k);
        if (!v.empty() && v != client_.client_id)
            c.refusal = "the upstream token was issued to another client";
    }
    return c;
}

plugin::HttpResponse OpaqueTokenUpstream::userinfo(const std::string &access_token) const {
    plugin::HttpRequest req;
    req.url = endpoints_.userinfo_endpoint;
    req.headers = {{"Authorization", "Bearer " + access_token},
                   {"Accept", "application/json"},
                   {"User-Agent", "fastmcp-cpp"}};
    req.timeout_ms = client_.timeout_ms;
    req.max_response_bytes = kMaxAnswer;
    return host_.fetch(req);
}

UpstreamIdentity OpaqueTokenUpstream::identify(const UpstreamGrant &grant, int64_t now) {
    UpstreamIdentity id;
    nlohmann::json info = nlohmann::json::object();
    if (!endpoints_.tokeninfo_endpoint.empty()) {
        Check c = tokeninfo(grant.access_token);
        if (c.status == 0 || c.status >= 500)
            throw UpstreamError("temporarily_unavailable",
                                "the upstream tokeninfo endpoint is unreachable");
        if (!c.refusal.empty()) throw UpstreamError("server_error", c.refusal);
        if (c.status != 200)
            throw UpstreamError("server_error",
                                "the upstream tokeninfo endpoint refused the new token");
        info = std::move(c.body);
    }
    const plugin::HttpResponse r = userinfo(grant.access_token);
    if (r.status == 0 || r.status >= 500)
        throw UpstreamError("temporarily_unavailable",
                            "the upstream userinfo endpoint is unreachable");
    if (r.status != 200)
        throw UpstreamError("server_error", "the upstream userinfo endpoint refused the new token");
    nlohmann::json user = nlohmann::json::parse(r.body, nullptr, false);
    if (!user.is_object())
        throw UpstreamError("server_error", "the upstream userinfo is not a JSON object");
    id.subject = string_or_number(user, "sub");
    if (id.subject.empty())
        id.subject = string_or_number(user, "id"); // Google's oauth2/v2/userinfo
    if (id.subject.empty()) id.subject = string_or_number(info, "sub");
    if (id.subject.empty()) id.subject = string_or_number(info, "user_id");
    if (id.subject.empty())
        throw UpstreamError("server_error", "the upstream identity has no subject");
    for (const char *k : {"email", "email_verified", "name", "given_name", "family_name", "picture",
                          "locale", "hd", "org_id"})
        if (auto it = user.find(k); it != user.end() && (it->is_string() || it->is_boolean()))
            id.claims[k] = *it;
    id.claims["sub"] = id.subject;
    checked_.confirm(grant.access_token, now);
    return id;
}

std::optional<bool> OpaqueTokenUpstream::still_valid(const std::string &access_token, int64_t now) {
    if (checked_.fresh(access_token, now)) return true;
    int status = 0;
    bool refused = false;
    if (!endpoints_.tokeninfo_endpoint.empty()) {
        const Check c = tokeninfo(access_token);
        status = c.status;
        refused = !c.refusal.empty();
    } else {
        status = userinfo(access_token).status;
        refused = refused_status(status);
    }
    if (refused) {
        checked_.forget(access_token);
        return false;
    }
    if (status != 200) return std::nullopt;
    checked_.confirm(access_token, now);
    return true;
}

nlohmann::json OpaqueTokenUpstream::describe() const {
    nlohmann::json d = {{"kind", endpoints_.kind},
                        {"authorization_endpoint", endpoints_.authorization_endpoint},
                        {"token_endpoint", endpoints_.token_endpoint},
                        {"userinfo_endpoint", endpoints_.userinfo_endpoint},
                        {"token_check_ttl_s", checked_.ttl_seconds()}};
    if (!endpoints_.tokeninfo_endpoint.empty())
        d["tokeninfo_endpoint"] = endpoints_.tokeninfo_endpoint;
    if (!endpoints_.revocation_endpoint.empty())
        d["revocation_endpoint"] = endpoints_.revocation_endpoint;
    return d;
}

} // namespace fastmcp::oauth_proxy
