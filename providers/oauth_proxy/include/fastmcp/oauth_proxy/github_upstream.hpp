// GitHub as the upstream (GitHubProvider): fixed OAuth App endpoints (overridable, so tests run
// against a local GitHub-like upstream), opaque access tokens, the user from GET {api}/user.
// still_valid() asks /user again at most every `check_ttl` per token (cached by SHA-256 of the
// token; a revoked GitHub token stops working within that time).
#pragma once

#include "fastmcp/oauth_proxy/upstream.hpp"
#include "fastmcp/oauth_proxy/validity_cache.hpp"

namespace fastmcp::oauth_proxy {

struct GitHubEndpoints {
    std::string authorization_endpoint = "https://github.com/login/oauth/authorize";
    std::string token_endpoint = "https://github.com/login/oauth/access_token";
    std::string api_base_url = "https://api.github.com";
};

class GitHubUpstream final : public Upstream {
public:
    GitHubUpstream(plugin::Host host, GitHubEndpoints endpoints, UpstreamClient client,
                   int64_t check_ttl_seconds = 300);

    const char *kind() const override { return "github"; }
    UpstreamEndpoints endpoints() override;
    std::vector<std::string> default_scopes() const override { return {"user"}; }
    UpstreamIdentity identify(const UpstreamGrant &grant, int64_t now_seconds) override;
    std::optional<bool> still_valid(const std::string &access_token, int64_t now_seconds) override;
    nlohmann::json describe() const override;

private:
    plugin::HttpResponse get_user(const std::string &access_token) const;

    plugin::Host host_;
    GitHubEndpoints endpoints_;
    UpstreamClient client_;
    ValidityCache checked_;
};

} // namespace fastmcp::oauth_proxy
