#include "fastmcp/oauth_proxy/github_upstream.hpp"

namespace fastmcp::oauth_proxy {

GitHubUpstream::GitHubUpstream(plugin::Host host, GitHubEndpoints endpoints, UpstreamClient client,
                               int64_t check_ttl_seconds)
    : host_(host), endpoints_(std::move(endpoints)), client_(std::move(client)), checked_(check_ttl_seconds) {}

UpstreamEndpoints GitHubUpstream::endpoints() {
    UpstreamEndpoints e;
    e.authorization_endpoint = endpoints_.authorization_endpoint;
    e.token_endpoint = endpoints_.token_endpoint;
    e.userinfo_endpoint = endpoints_.api_base_url + "/user";
    return e;
}

plugin::HttpResponse GitHubUpstream::get_user(const std::string &access_token) const {
    plugin::HttpRequest req;
    req.url = endpoints_.api_base_url + "/user";
    req.headers = {{"Authorization", "Bearer " + access_token},
                   {"Accept", "application/vnd.github+json"},
                   {"User-Agent", "fastmcp-cpp"}};
    req.timeout_ms = client_.timeout_ms;
    req.max_response_bytes = 256 * 1024;
    return host_.fetch(req);
}

UpstreamIdentity GitHubUpstream::identify(const UpstreamGrant &grant, int64_t now) {
    plugin::HttpResponse r = get_user(grant.access_token);
    if (r.status == 0 || r.status >= 500)
        throw UpstreamError("temporarily_unavailable", "the GitHub user API is unreachable");
    if (r.status != 200) throw UpstreamError("server_error", "the GitHub user API refused the new token");
    nlohmann::json user = nlohmann::json::parse(r.body, nullptr, false);
    if (!user.is_object() || !user.contains("id") || !(user["id"].is_number_integer() || user["id"].is_string()))
        throw UpstreamError("server_error", "the GitHub user API answered without a user id");
    UpstreamIdentity id;
    id.subject = user["id"].is_string() ? user["id"].get<std::string>() : std::to_string(user["id"].get<int64_t>());
    for (const char *k : {"login", "name", "email", "avatar_url", "html_url"})
        if (auto it = user.find(k); it != user.end() && it->is_string()) id.claims[k] = *it;
    id.claims["sub"] = id.subject;
    checked_.confirm(grant.access_token, now);
    return id;
}

std::optional<bool> GitHubUpstream::still_valid(const std::string &access_token, int64_t now) {
    if (checked_.fresh(access_token, now)) return true;
    plugin::HttpResponse r = get_user(access_token);
    if (r.status == 401 || r.status == 403 || r.status == 404) {
        checked_.forget(access_token);
        return false;
    }
    if (r.status != 200) return std::nullopt;
    checked_.confirm(access_token, now);
    return true;
}

nlohmann::json GitHubUpstream::describe() const {
    return {{"kind", "github"},
            {"authorization_endpoint", endpoints_.authorization_endpoint},
            {"token_endpoint", endpoints_.token_endpoint},
            {"api_base_url", endpoints_.api_base_url}};
}

} // namespace fastmcp::oauth_proxy
