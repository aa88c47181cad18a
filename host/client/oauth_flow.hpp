// The MCP authorization flow (MCP 2025-06-18 "Authorization") for a native client:
//   401 challenge -> protected-resource metadata -> authorization-server metadata -> dynamic client
//   registration -> PKCE S256 + state + resource -> loopback redirect (RFC 8252) -> token exchange,
// with tokens cached per server and refreshed with the refresh token when they expire.
#pragma once

#include "http_exchange.hpp"
#include "token_cache.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace fastmcp::client {

// A failure of the flow, with a message fit for the terminal (never a token or a secret).
class OAuthError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct OAuthOptions {
    std::string client_name = "fastmcp-cpp client";
    std::string scope;                          // requested scope; empty = from metadata/challenge
    std::chrono::milliseconds browser_timeout{std::chrono::minutes(5)};
    bool open_browser = true;                   // run xdg-open when the AS shows a sign-in page
    std::function<void(const std::string &)> progress; // human-readable steps (stderr by default)
    std::function<int64_t()> clock;             // Unix seconds
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

private:
    struct AsMetadata {
        std::string issuer, authorization_endpoint, token_endpoint, registration_endpoint;
    };
    int64_t now() const;
    void say(const std::string &msg) const;
    bool refresh(CachedTokens &tokens);
    std::string full_flow(const std::string &www_authenticate);
    AsMetadata discover_authorization_server(const std::string &issuer);
    std::string authorize_in_browser_or_follow(const std::string &authorize_url, const std::string &redirect_uri,
                                               class LoopbackListener &listener, const std::string &state);
    void store_token_response(CachedTokens &tokens, const HttpResponse &res);
    HttpResponse token_request(const CachedTokens &tokens, std::vector<std::pair<std::string, std::string>> form);

    std::string server_url_;
    TokenCache cache_;
    OAuthOptions options_;
    std::optional<CachedTokens> tokens_;
};

} // namespace fastmcp::client
