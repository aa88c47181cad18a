// AuthKit's OAuth surface as plain functions of parsed requests: discovery documents, dynamic
// client registration (RFC 7591), authorization with PKCE S256 (RFC 7636) and resource (RFC 8707),
// the token endpoint (RFC 6749) and userinfo. No sockets here, so tests drive it directly; the HTTP
// layer (http_server.hpp) only maps requests onto these calls. Every method is thread-safe.
#pragma once

#include "key_ring.hpp"
#include "options.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastmcp::emulator {

using Params = std::vector<std::pair<std::string, std::string>>;

struct Reply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    static Reply json(int status, const nlohmann::json &body);
    // RFC 6749 §5.2 error body.
    static Reply oauth_error(int status, std::string_view error, std::string_view description);
    const std::string *header(std::string_view name) const;
};

struct Stats {
    uint64_t metadata_fetches = 0;
    uint64_t jwks_fetches = 0;
    uint64_t registrations = 0;
    uint64_t authorizations = 0;
    uint64_t tokens_issued = 0;
    uint64_t refreshes = 0;
    uint64_t rotations = 0;
    uint64_t metadata_documents = 0; // Client ID Metadata Documents fetched and accepted
    uint64_t revocations = 0;        // tokens revoked at /oauth2/revoke (Google mode)
};

class AuthorizationServer {
  public:
    AuthorizationServer(EmulatorOptions options, std::string issuer);

    const std::string &issuer() const { return issuer_; }
    int64_t now() const;

    Reply authorization_server_metadata(); // /.well-known/oauth-authorization-server
    Reply openid_configuration();          // /.well-known/openid-configuration
    Reply jwks();                          // /oauth2/jwks
    Reply register_client(std::string_view body);
    Reply authorize(const Params &query);
    Reply token(const Params &form, std::string_view authorization_header);
    Reply userinfo(std::string_view authorization_header);
    // GitHub mode: GET /user for an opaque access token.
    Reply github_user(std::string_view authorization_header);
    // Google mode: GET /oauth2/tokeninfo?access_token=..., and RFC 7009 POST /oauth2/revoke.
    Reply tokeninfo(const Params &query);
    Reply revoke(const Params &form);
    bool dcr_enabled() const { return options_.mode == UpstreamMode::AuthKit; }
    UpstreamMode mode() const { return options_.mode; }

    // Test hooks (served under /__admin).
    // An access token for any subject, signed like the token endpoint's, without an OAuth flow:
    // body {"sub", "aud"?, "scope"?, "client_id"?, "expires_in"?} (tests that need two users).
    Reply mint(std::string_view body);
    std::string rotate_keys(bool keep_previous);
    void set_down(bool down) { down_ = down; }
    bool down() const { return down_; }
    nlohmann::json stats();

  private:
    struct Client {
        std::string id;
        std::string secret; // empty for token_endpoint_auth_method "none"
        std::string auth_method;
        std::vector<std::string> redirect_uris;
        std::vector<std::string> grant_types;
    };
    struct Grant { // what an authorization code or a refresh token stands for
        std::string client_id;
        std::string scope;    // space-separated, as granted
        std::string resource; // RFC 8707; empty when none was asked for
        std::string sid;
        int64_t expires_at = 0;
    };
    struct PendingCode {
        Grant grant;
        std::string redirect_uri;
        bool redirect_uri_explicit = false;
        std::string code_challenge;
    };
    struct IssuedToken {
        std::string sub;
        int64_t expires_at = 0;
        std::string client_id; // Google mode's tokeninfo answers these
        std::string scope;
        std::string sid;
    };

    nlohmann::json metadata_document() const;
    // A client_id that is a URL: fetch and check its metadata document and (re)register the
    // client it describes; the error reply when refused.
    std::optional<Reply> load_metadata_document_client(const std::string &url);
    void maybe_rotate_locked(int64_t now);
    std::string grant_scope(std::string_view requested) const;
    Reply issue_tokens_locked(const Grant &grant, int64_t now);
    // Authenticates the client of a token request; sets `error` when it fails.
    const Client *authenticate_client_locked(const Params &form, std::string_view authorization,
                                             std::optional<Reply> &error);

    const EmulatorOptions options_;
    const std::string issuer_;
    KeyRing keys_;
    std::atomic<bool> down_;

    std::mutex mu_;
    int64_t last_rotation_ = 0;
    std::map<std::string, Client> clients_;
    std::map<std::string, PendingCode> codes_;
    std::map<std::string, Grant> refresh_tokens_;
    std::map<std::string, IssuedToken> access_tokens_; // by SHA-256 hex, for userinfo
    Stats stats_;
};

} // namespace fastmcp::emulator
