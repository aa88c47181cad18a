// An upstream with fixed (overridable) endpoints whose access tokens are opaque to us and are
// checked by asking it, the way FastMCP's GoogleTokenVerifier and WorkOSTokenVerifier do:
//  - Google: GET {tokeninfo}?access_token=... (must answer 200, not expired, issued to our
//    client), then GET {userinfo} with the token for the profile;
//  - WorkOS Connect: GET {AUTHKIT_DOMAIN}/oauth2/userinfo with the token.
// The user is userinfo's "sub" (or Google's v2 "id"; else tokeninfo's "sub"/"user_id").
// still_valid() asks again (tokeninfo when there is one, else userinfo) at most every
// `check_ttl` per token, so an upstream revocation is seen within that time.
#pragma once

#include "fastmcp/oauth_proxy/upstream.hpp"
#include "fastmcp/oauth_proxy/validity_cache.hpp"

namespace fastmcp::oauth_proxy {

struct OpaqueTokenEndpoints {
    std::string kind; // "google", "workos"
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::string revocation_endpoint; // optional: RFC 7009, called when a client revokes its grant
    std::string userinfo_endpoint;   // required
    std::string tokeninfo_endpoint;  // optional (Google)
    std::vector<std::string> default_scopes;
};

class OpaqueTokenUpstream final : public Upstream {
  public:
    OpaqueTokenUpstream(plugin::Host host, OpaqueTokenEndpoints endpoints, UpstreamClient client,
                        int64_t check_ttl_seconds = 300);

    const char *kind() const override { return endpoints_.kind.c_str(); }
    UpstreamEndpoints endpoints() override;
    std::vector<std::string> default_scopes() const override { return endpoints_.default_scopes; }
    UpstreamIdentity identify(const UpstreamGrant &grant, int64_t now_seconds) override;
    std::optional<bool> still_valid(const std::string &access_token, int64_t now_seconds) override;
    nlohmann::json describe() const override;

  private:
    // The tokeninfo answer, or why it refused; status as the upstream gave it (0 = unreachable).
    struct Check {
        int status = 0;
        nlohmann::json body;
        std::string refusal; // non-empty: the token is not (or no longer) good for us
    };
    Check tokeninfo(const std::string &access_token) const;
    plugin::HttpResponse userinfo(const std::string &access_token) const;

    plugin::Host host_;
    OpaqueTokenEndpoints endpoints_;
    UpstreamClient client_;
    ValidityCache checked_;
};

} // namespace fastmcp::oauth_proxy
