// An OIDC upstream (OIDCProxy): endpoints from its discovery document (CONFIG_URL), the user
// from the id_token, verified by the JOSE core against the upstream's JWKS (iss = the discovered
// issuer, aud = our upstream client id), or from userinfo when no id_token came back.
#pragma once

#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/oauth_proxy/upstream.hpp"

#include <memory>
#include <mutex>

namespace fastmcp::oauth_proxy {

class OidcUpstream final : public Upstream {
public:
    OidcUpstream(plugin::Host host, std::string config_url, UpstreamClient client,
                 std::vector<std::string> default_scopes = {"openid"});

    const char *kind() const override { return "oidc"; }
    UpstreamEndpoints endpoints() override;
    std::vector<std::string> default_scopes() const override { return default_scopes_; }
    UpstreamIdentity identify(const UpstreamGrant &grant, int64_t now_seconds) override;
    nlohmann::json describe() const override;

private:
    std::shared_ptr<const jose::KeySet> fetch_keys(const std::string &jwks_uri);

    plugin::Host host_;
    std::string config_url_;
    UpstreamClient client_;
    std::vector<std::string> default_scopes_;
    mutable std::mutex mutex_;
    std::optional<UpstreamEndpoints> endpoints_;
    int64_t last_attempt_ms_ = 0;
    std::string last_error_;
    std::shared_ptr<const jose::KeySet> keys_;
};

} // namespace fastmcp::oauth_proxy
