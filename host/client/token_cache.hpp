// Per-server OAuth state on disk: $XDG_CONFIG_HOME/fastmcp/tokens/<sha256(server url)>.json
// (default ~/.config/fastmcp), directory 0700, files 0600, replaced atomically. Holds the client
// registration too, so an expired access token can be refreshed without a new sign-in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fastmcp::client {

struct CachedTokens {
    std::string server_url;
    std::string issuer;
    std::string token_endpoint;
    std::string client_id;
    std::string client_secret;  // empty for public clients
    std::string auth_method;    // none | client_secret_post | client_secret_basic
    std::string resource;
    std::string access_token;
    std::string refresh_token;
    std::string scope;
    int64_t expires_at = 0;     // Unix seconds; 0 = unknown

    // Expired, or expiring within `skew_s` seconds.
    bool expired(int64_t now, int64_t skew_s = 30) const { return expires_at != 0 && now + skew_s >= expires_at; }
};

class TokenCache {
public:
    // dir: the fastmcp config directory (see default_config_dir()).
    explicit TokenCache(std::string dir) : dir_(std::move(dir)) {}

    std::optional<CachedTokens> load(const std::string &server_url) const;
    // Throws std::runtime_error when the file cannot be written safely.
    void save(const CachedTokens &tokens) const;
    void erase(const std::string &server_url) const;
    std::string path_for(const std::string &server_url) const;

private:
    std::string dir_;
};

// $XDG_CONFIG_HOME/fastmcp, else $HOME/.config/fastmcp.
std::string default_config_dir();
// The cache key's canonical form: lowercase scheme and host, no trailing slash on the path.
std::string canonical_server_url(const std::string &url);

} // namespace fastmcp::client
