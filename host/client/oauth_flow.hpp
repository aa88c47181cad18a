// The MCP authorization flow (MCP 2025-11-25 "Authorization") for a native or machine client:
//   401 challenge -> protected-resource metadata (challenge URL, path-inserted, root) ->
//   authorization-server metadata (RFC 8414 / OIDC, path-inserted forms first), or for 2025-03-26
//   servers without protected-resource metadata the server origin's metadata, then /authorize,
//   /token, /register -> client registration (pre-registered, Client ID Metadata Document, DCR) ->
//   PKCE S256 + state + resource -> loopback redirect (RFC 8252) -> token exchange; or the
//   client_credentials grant. Token endpoint authentication: none, client_secret_basic,
//   client_secret_post or private_key_jwt. Tokens are cached per server and refreshed with the
//   refresh token before a new sign-in; a 403 insufficient_scope re-authorizes with the union of
//   scopes, at most max_step_ups times.
#pragma once

#include "http_exchange.hpp"
#include "token_cache.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fastmcp::client {

// A failure of the flow, with a message fit for the terminal (never a token or a secret).
class OAuthError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct OAuthOptions {
    std::string client_name = "fastmcp-cpp client";
    std::string scope;                    // requested scope; empty = from challenge/metadata
    std::string client_id, client_secret; // a pre-registered client
    std::string client_metadata_url;      // this client's CIMD URL (used when the AS supports it)
    std::string client_key_pem;           // private_key_jwt key (ES256 / RS256)
    bool client_credentials = false;      // the client_credentials grant instead of a sign-in
    int max_step_ups = 2;                 // re-authorizations on 403 insufficient_scope
    std::chrono::milliseconds browser_timeout{std::chrono::minutes(5)};
    bool open_browser = true; // run xdg-open when the AS shows a sign-in page
    std::function<void(const std::string &)> progress; // human-readable steps (stderr by default)
    std::function<int64_t()> clock;                    // Unix seconds
    std::function<HttpResponse(const HttpRequest &)> http = http_exchange;
};

class OAuthSession {
  public:
    OAuthSession(std::string server_url, TokenCache cache, OAuthOptions options = {});

    // A usable access token: from the cache, refreshed if it expired; nullopt when there is none
    // (the first request then goes without, and its 401 starts the flow).
    std::optional<std::string> current_token();
    // The server answered 401 (with this WWW-Authenticate value): refresh if we can, else run the
    // whole flow. Returns the new access token; throws OAuthError.
    std::string on_unauthorized(const std::string &www_authenticate);
    // The server answered 403 insufficient_scope: a new token for the union of the scopes, or
    // nullopt when the union adds nothing or the step-up budget is spent.
    std::optional<std::string> on_insufficient_scope(const std::string &www_authenticate);

    struct AsMetadata {
        std::string issuer, authorization_endpoint, token_endpoint, registration_endpoint;
        std::vector<std::string> auth_methods; // token_endpoint_auth_methods_supported
        bool cimd_supported = false;           // client_id_metadata_document_supported
        bool pkce_s256 = false;
    };

  private:
    struct Target { // where to authorize, for which resource
        std::string resource;
        std::vector<std::string> scopes_supported;
        AsMetadata as;
    };
    int64_t now() const;
    void say(const std::string &msg) const;
    bool refresh(CachedTokens &tokens);
    std::string full_flow(const std::string &www_authenticate, const std::string &scope_override);
    Target discover(const std::string &www_authenticate);
    std::optional<AsMetadata> fetch_authorization_server(const std::string &issuer, bool legacy);
    void register_client(CachedTokens &t, const AsMetadata &as, const std::string &redirect_uri);
    std::string authorize_in_browser_or_follow(const std::string &authorize_url,
                                               const std::string &redirect_uri,
                                               class LoopbackListener &listener,
                                               const std::string &state);
    void store_token_response(CachedTokens &tokens, const HttpResponse &res);
    HttpResponse token_request(const CachedTokens &tokens,
                               std::vector<std::pair<std::string, std::string>> form);

    std::string server_url_;
    TokenCache cache_;
    OAuthOptions options_;
    std::optional<CachedTokens> tokens_;
    std::string requested_scope_; // the scope of the last authorization
    int step_ups_ = 0;
};

} // namespace fastmcp::client
