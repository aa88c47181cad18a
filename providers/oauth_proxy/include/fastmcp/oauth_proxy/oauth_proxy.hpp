// The OAuth proxy: this MCP server becomes the authorization server its clients see, and a fixed
// upstream client signs the user in at an identity provider without DCR (GitHub, Google, any
// OIDC provider). The routes (all answered through the provider ABI's handle_route):
//
//   GET  /.well-known/oauth-authorization-server   RFC 8414 metadata (issuer = BASE_URL)
//   GET  /.well-known/oauth-protected-resource[/mcp] RFC 9728 metadata
//   POST /register                                 RFC 7591 DCR (public or secret clients)
//   GET  /authorize                                consent page, or straight upstream
//   POST /consent                                  the consent form (CSRF + transaction cookie)
//   GET  REDIRECT_PATH (/auth/callback)            upstream code -> upstream tokens
//   POST /token                                    authorization_code (+PKCE), refresh_token
//   POST /revoke                                   RFC 7009
//
// Every record lives in the StateStore (one per deployment: replicas share it). Single-use steps
// are the store's atomic operations: a code is redeemed and a refresh token rotated by rotate()
// (compare-and-swap), the upstream `state` is consumed by take(), a CSRF token by rotate().
// A hostile request (bad redirect URI, reused code, wrong verifier, forged state, missing CSRF,
// another client's code, a foreign `resource`) gets its OAuth error and stores nothing.
//
// Tokens to clients are the proxy's own HS256 JWTs (ProxyTokens), jti -> stored upstream tokens.
// verify() checks the JWT with the JOSE core, then that its jti and upstream grant are still live;
// the verdict's `token` is the UPSTREAM access token (so a tool can call the IdP as the user) and
// its claims are the proxy's claims plus "upstream_claims" (the upstream identity).
//
// Thread-safety: verify, verify_cached and handle_route may run concurrently.
#pragma once

#include "fastmcp/jwt/token_cache.hpp"
#include "fastmcp/oauth_proxy/client_metadata_documents.hpp"
#include "fastmcp/oauth_proxy/form.hpp"
#include "fastmcp/oauth_proxy/proxy_tokens.hpp"
#include "fastmcp/oauth_proxy/redirect_policy.hpp"
#include "fastmcp/oauth_proxy/state_store.hpp"
#include "fastmcp/oauth_proxy/upstream.hpp"
#include "fastmcp/provider.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace fastmcp::oauth_proxy {

struct ProxyOptions {
    std::string provider_name = "OAuthProxy";
    std::string base_url; // BASE_URL: issuer and the origin of every route
    std::string redirect_path = "/auth/callback";
    std::vector<std::string> required_scopes;
    std::vector<std::string> allowed_client_redirect_uris; // empty: loopback only
    std::string jwt_signing_key;                           // raw secret; HKDF-derived before use
    bool require_consent = true;
    int64_t access_token_ttl_s = 3600;
    int64_t refresh_token_ttl_s = 30 * 86400;
    int64_t code_ttl_s = 300;
    int64_t transaction_ttl_s = 600;
    int64_t client_ttl_s = 365 * 86400;
    int64_t consent_ttl_s = 365 * 86400;
    int64_t leeway_s = 60;
    // Verified proxy tokens are remembered this long: a revocation on another replica is seen
    // within it (on this replica at once).
    int64_t token_cache_ttl_ms = 30'000;
    size_t token_cache_entries = 10'000;
    // Client ID Metadata Documents (client_id = https URL); see client_metadata_documents.hpp.
    CimdOptions cimd;
};

class OAuthProxy : public plugin::Provider {
public:
    // `host` provides the clock, logging and http_fetch. Throws plugin::ConfigError.
    OAuthProxy(plugin::Host host, ProxyOptions options, UpstreamClient client,
               std::unique_ptr<Upstream> upstream, std::shared_ptr<StateStore> store);

    plugin::Verdict verify(std::string_view token) override;
    std::optional<plugin::Verdict> verify_cached(std::string_view token) override;
    std::string describe_json() override;
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) override;

    std::vector<std::string> routes() const;
    const std::string &resource() const { return resource_; }
    const ProxyOptions &options() const { return options_; }
    StateStore &store() { return *store_; }
    ClientMetadataDocuments &client_documents() { return cimd_; }

private:
    struct Client;
    struct Transaction;

    int64_t now_s() const { return host_.now_ms() / 1000; }
    std::string url(std::string_view route) const { return origin_ + prefix_ + std::string(route); }
    std::string route(std::string_view path) const { return prefix_ + std::string(path); }

    // Route handlers.
    void serve_as_metadata(plugin::RouteResponse &out) const;
    void serve_pr_metadata(plugin::RouteResponse &out) const;
    void serve_register(const plugin::RouteRequest &req, plugin::RouteResponse &out);
    void serve_authorize(const plugin::RouteRequest &req, plugin::RouteResponse &out);
    void serve_consent(const plugin::RouteRequest &req, plugin::RouteResponse &out);
    void serve_callback(const plugin::RouteRequest &req, plugin::RouteResponse &out);
    void serve_token(const plugin::RouteRequest &req, plugin::RouteResponse &out);
    void serve_revoke(const plugin::RouteRequest &req, plugin::RouteResponse &out);

    // Helpers.
    // A registered client, or the client a metadata document describes (`cimd_refusal` says why a
    // document was refused, when the id named one).
    std::optional<Client> find_client(const std::string &client_id, CimdResult *cimd_refusal = nullptr);
    // Client authentication at /token and /revoke: nullopt (and `out` answered) on failure.
    std::optional<Client> authenticate_client(const plugin::RouteRequest &req, const Form &form,
                                              plugin::RouteResponse &out);
    void redirect_upstream(const std::string &txn_id, const Transaction &txn, plugin::RouteResponse &out);
    void render_consent(const std::string &txn_id, const Transaction &txn, const Client &client,
                        plugin::RouteResponse &out);
    // Issues an access JWT (+ jti record) and a refresh token (record) for a grant; returns the
    // JSON answer and the store writes that make it live.
    struct Issued {
        std::string body;
        std::vector<Write> writes;
    };
    Issued issue_tokens(const std::string &client_id, const std::string &subject,
                        const std::vector<std::string> &scopes, const std::string &upstream_key,
                        int64_t upstream_expires_at);
    bool resource_ok(const std::string &resource) const;
    // Best-effort RFC 7009 call to the upstream for a grant a client revoked (`upstream_record` is
    // the stored upstream_tokens JSON). Never logs the token.
    void revoke_upstream_grant(const std::string &upstream_record);

    plugin::Host host_;
    ProxyOptions options_;
    UpstreamClient client_;
    std::unique_ptr<Upstream> upstream_;
    std::shared_ptr<StateStore> store_;
    RedirectPolicy redirect_policy_;
    std::string origin_, prefix_, issuer_, resource_, callback_url_;
    std::unique_ptr<ProxyTokens> tokens_;
    std::string cookie_key_; // HMAC key binding consent cookies
    bool secure_cookies_ = false;
    jwt::TokenCache cache_;
    ClientMetadataDocuments cimd_;
    std::atomic<uint64_t> revocations_{0}; // bumps invalidate this replica's verified-token cache
    std::atomic<uint64_t> upstream_revocations_{0}; // calls made to the upstream's revocation endpoint
};

} // namespace fastmcp::oauth_proxy
