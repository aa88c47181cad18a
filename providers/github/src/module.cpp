// github.so: GitHubProvider, the OAuth proxy in front of a GitHub OAuth App. Opaque GitHub tokens;
// the user (and, on the verify path, the token's continued validity, cached) from GET /user.
// The GitHub endpoints can be overridden so tests run against a local GitHub-like upstream.
#include "fastmcp/oauth_proxy/github_upstream.hpp"
#include "fastmcp/oauth_proxy/proxy_settings.hpp"

namespace fastmcp::github {
namespace {

constexpr const char *kName = "GitHubProvider";
constexpr const char *kPrefix = "FASTMCP_SERVER_AUTH_GITHUB_";

constexpr std::array kOwnFields = {
    plugin::field(
        "AUTHORIZATION_ENDPOINT", FASTMCP_FIELD_URL, 0, "https://github.com/login/oauth/authorize",
        "GitHub's authorization endpoint (override for GitHub Enterprise or tests)", nullptr),
    plugin::field("TOKEN_ENDPOINT", FASTMCP_FIELD_URL, 0,
                  "https://github.com/login/oauth/access_token", "GitHub's token endpoint",
                  nullptr),
    plugin::field("API_BASE_URL", FASTMCP_FIELD_URL, 0, "https://api.github.com",
                  "GitHub's REST API (GET {API_BASE_URL}/user identifies the user)", nullptr),
    plugin::field("USER_CACHE_TTL", FASTMCP_FIELD_DURATION, 0, "300",
                  "How long a GitHub token's /user check is trusted before it is asked again",
                  "5m"),
};
constexpr auto kFields = jwt::concat_fields(
    kOwnFields, oauth_proxy::proxy_common_fields("The GitHub OAuth App's client id", "user"));

oauth_proxy::ProxyParts read(plugin::Host host, std::string_view json) {
    oauth_proxy::ProxyParts p;
    p.settings = oauth_proxy::read_proxy_settings(json, kPrefix, kName);
    jwt::SettingsReader s(json, kPrefix);
    oauth_proxy::GitHubEndpoints e;
    if (auto v = s.url("authorization_endpoint")) e.authorization_endpoint = *v;
    if (auto v = s.url("token_endpoint")) e.token_endpoint = *v;
    if (auto v = s.url("api_base_url")) e.api_base_url = *v;
    const int64_t cache_ttl_s = s.duration_ms("user_cache_ttl", 300'000) / 1000;
    p.upstream =
        std::make_unique<oauth_proxy::GitHubUpstream>(host, e, p.settings.client, cache_ttl_s);
    p.store = oauth_proxy::open_proxy_store(p.settings, kPrefix);
    return p;
}

using GitHubProvider = oauth_proxy::ProxyProvider<read>;

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<GitHubProvider>(
    kName, kPrefix,
    "OAuth proxy in front of a GitHub OAuth App (opaque tokens checked against /user)",
    kFields.data(), kFields.size());

} // namespace
} // namespace fastmcp::github

FASTMCP_AUTH_MODULE("github", "0.1.0", &fastmcp::github::kDesc);
