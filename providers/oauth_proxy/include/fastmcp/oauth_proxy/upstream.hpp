// The upstream identity provider behind the proxy: where its endpoints are, how a code or a
// refresh token becomes its tokens (the fixed client of the proxy, through the host's HTTP
// client), and who the signed-in user is. OIDCProxy and GitHubProvider differ only here.
#pragma once

#include "fastmcp/provider.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fastmcp::oauth_proxy {

// The upstream failed or answered something unusable. `oauth_error` is what the proxy's client
// is told (server_error, temporarily_unavailable, invalid_grant...); the message never holds a
// token or secret.
struct UpstreamError : std::runtime_error {
    UpstreamError(std::string oauth_error, const std::string &message)
        : std::runtime_error(message), oauth_error(std::move(oauth_error)) {}
    std::string oauth_error;
};

struct UpstreamEndpoints {
    std::string issuer; // OIDC only
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::string revocation_endpoint; // optional
    std::string userinfo_endpoint;   // optional
    std::string jwks_uri;            // OIDC only
};

// The upstream's tokens for one sign-in.
struct UpstreamGrant {
    std::string access_token;
    std::string refresh_token; // may be empty
    std::string id_token;      // may be empty
    std::string scope;
    int64_t expires_at = 0; // Unix seconds; 0 = the upstream did not say
};

// Who signed in: a stable subject and the claims a tool may read.
struct UpstreamIdentity {
    std::string subject;
    nlohmann::json claims = nlohmann::json::object();
};

// The fixed upstream client the proxy authenticates as (client_secret_post).
struct UpstreamClient {
    std::string client_id;
    std::string client_secret;
    uint32_t timeout_ms = 10'000;
};

class Upstream {
public:
    virtual ~Upstream() = default;
    virtual const char *kind() const = 0; // "oidc", "github"
    // Throws UpstreamError when they cannot be known yet (discovery down).
    virtual UpstreamEndpoints endpoints() = 0;
    // Scopes asked of the upstream when the client asked for none.
    virtual std::vector<std::string> default_scopes() const = 0;
    // The identity behind a fresh grant. Throws UpstreamError when it cannot be established.
    virtual UpstreamIdentity identify(const UpstreamGrant &grant, int64_t now_seconds) = 0;
    // Is this upstream access token still good? Called on the proxy's (uncached) verify path;
    // implementations cache. nullopt: cannot tell now (upstream down), which fails closed.
    // Default: trust the stored expiry.
    virtual std::optional<bool> still_valid(const std::string &access_token, int64_t now_seconds) {
        (void)access_token;
        (void)now_seconds;
        return true;
    }
    virtual nlohmann::json describe() const = 0;
};

// POST the token endpoint (authorization_code or refresh_token grant) as `client`.
// Throws UpstreamError: invalid_grant when the upstream refused the grant, otherwise
// temporarily_unavailable / server_error.
UpstreamGrant exchange_code(const plugin::Host &host, const UpstreamClient &client,
                            const std::string &token_endpoint, const std::string &code,
                            const std::string &code_verifier, const std::string &redirect_uri,
                            int64_t now_seconds);
UpstreamGrant refresh_grant(const plugin::Host &host, const UpstreamClient &client,
                            const std::string &token_endpoint, const std::string &refresh_token,
                            int64_t now_seconds);

// RFC 7009 revocation of an upstream token at `revocation_endpoint`, as `client`: best effort
// (bounded by the client's timeout and at most 5 s). Returns the upstream's HTTP status (0 when
// unreachable); never throws and never puts the token into a message.
int revoke_upstream_token(const plugin::Host &host, const UpstreamClient &client,
                          const std::string &revocation_endpoint, const std::string &token,
                          const std::string &token_type_hint);

// A token endpoint's answer (JSON, or the form encoding GitHub uses without Accept).
UpstreamGrant parse_token_response(const plugin::HttpResponse &response, int64_t now_seconds);

} // namespace fastmcp::oauth_proxy
