// Settings of the AuthKit emulator (flags of fastmcp-authkit-emulator, or set by tests in-process).
#pragma once

#include "client_metadata_document.hpp"
#include "fastmcp/jose/jwk.hpp"
#include <cstdint>

#include <functional>
#include <string>
#include <vector>

namespace fastmcp::emulator {

struct DevUser {
    std::string sub = "user_01EMULATORDEVUSER000000000";
    std::string email = "dev@example.com";
    std::string name = "Dev User";
};

// A client registered at start-up, as at an identity provider without DCR (GitHub, Google...):
// fixed credentials and redirect URIs, confidential (client_secret_post or _basic).
struct FixedClient {
    std::string id;
    std::string secret;
    std::vector<std::string> redirect_uris;
};

// What kind of upstream the emulator plays. AuthKit (default): DCR, JWT access tokens. Oidc: no
// DCR, fixed clients, an id_token with every openid grant. GitHub: no DCR, fixed clients, opaque
// access tokens, GitHub's paths (/login/oauth/authorize, /login/oauth/access_token, GET /user).
// Google: Oidc plus what Google adds: opaque ("ya29.") access tokens, GET /oauth2/tokeninfo
// (?access_token=, Google's v1 answer shape) and POST /oauth2/revoke (RFC 7009; revoking a refresh
// token also ends the access tokens of its grant), advertised as revocation_endpoint.
enum class UpstreamMode { AuthKit, Oidc, GitHub, Google };

struct EmulatorOptions {
    std::string bind_host = "127.0.0.1"; // loopback only: this is a dev tool
    uint16_t port = 0;                   // 0 = the OS picks
    std::string issuer;                  // empty = http://127.0.0.1:<port>
    int64_t token_lifetime_s = 3600;
    int64_t refresh_lifetime_s = 30 * 24 * 3600;
    int64_t code_lifetime_s = 600; // RFC 6749 §4.1.2: 10 minutes at most
    DevUser user;
    std::string org_id = "org_01EMULATORDEVORG0000000000";
    // Scopes this AS knows; requested scopes outside this list are dropped from the grant.
    std::vector<std::string> scopes = {"openid", "profile", "email", "offline_access"};
    int64_t rotate_keys_every_s = 0;     // 0 = never rotate on a timer
    int64_t previous_key_grace_s = 3600; // retired keys stay in the JWKS this long
    bool start_down = false;             // answer 503 to everything but /__admin until "up"
    bool access_log = false;
    // Metadata knobs for `auth doctor` tests: advertise another issuer than the one that signs,
    // or leave out Dynamic Client Registration / PKCE S256 (the routes themselves still work).
    std::string advertised_issuer;      // empty = the real issuer
    bool advertise_registration = true; // false: no registration_endpoint
    bool advertise_pkce_s256 = true;    // false: no code_challenge_methods_supported
    // Client ID Metadata Document fetcher; default: fetch_cimd (loopback/https, no redirects).
    std::function<CimdFetchResult(const std::string &url)> cimd_fetcher;
    std::function<int64_t()> clock; // Unix seconds; default: system clock
    UpstreamMode mode = UpstreamMode::AuthKit;
    std::vector<FixedClient> fixed_clients; // registered at start; the only clients without DCR
    // New RS256 private keys; default: a fresh RSA-2048 key each time. Tests reuse a small pool
    // because RSA key generation takes a noticeable fraction of a second.
    std::function<jose::PkeyPtr()> key_factory;
};

} // namespace fastmcp::emulator
