// The settings every OAuth proxy module shares, under FastMCP's names (each module adds its
// prefix, e.g. FASTMCP_SERVER_AUTH_OIDCPROXY_, and its upstream's own fields), and how they
// become the proxy's options, its fixed upstream client and its state store.
#pragma once

#include "fastmcp/jwt/bearer_settings.hpp"
#include "fastmcp/jwt/settings_reader.hpp"
#include "fastmcp/oauth_proxy/oauth_proxy.hpp"
#include "fastmcp/oauth_proxy/store_factory.hpp"

#include <array>

namespace fastmcp::oauth_proxy {

constexpr std::array<fastmcp_setting_field, 12> proxy_common_fields(const char *client_id_help,
                                                                    const char *scopes_example) {
    return {
        plugin::field("CLIENT_ID", FASTMCP_FIELD_STRING, FASTMCP_FIELD_REQUIRED, nullptr, client_id_help,
                      "your-client-id"),
        plugin::field("CLIENT_SECRET", FASTMCP_FIELD_STRING, FASTMCP_FIELD_REQUIRED | FASTMCP_FIELD_SECRET,
                      nullptr, "The upstream OAuth client's secret", "your-client-secret"),
        plugin::field("BASE_URL", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr,
                      "Public URL of this server: the issuer clients see, and the origin of the callback",
                      "http://localhost:8000"),
        plugin::field("REDIRECT_PATH", FASTMCP_FIELD_STRING, 0, "/auth/callback",
                      "Callback path registered at the upstream (BASE_URL + REDIRECT_PATH)", "/auth/callback"),
        plugin::field("REQUIRED_SCOPES", FASTMCP_FIELD_SCOPES, 0, nullptr,
                      "Scopes every token must carry; also asked of the upstream", scopes_example),
        plugin::field("ALLOWED_CLIENT_REDIRECT_URIS", FASTMCP_FIELD_LIST, 0, nullptr,
                      "Patterns ('*' wildcard) of MCP client redirect URIs; default: loopback only",
                      "http://localhost:*,https://claude.ai/api/mcp/auth_callback"),
        plugin::field("JWT_SIGNING_KEY", FASTMCP_FIELD_STRING, FASTMCP_FIELD_SECRET, nullptr,
                      "Secret the proxy's own tokens are signed with (HKDF-derived); default: derived "
                      "from CLIENT_SECRET",
                      nullptr),
        plugin::field("REQUIRE_AUTHORIZATION_CONSENT", FASTMCP_FIELD_BOOL, 0, "true",
                      "Show a consent page for each new client (false only for trusted set-ups)", "true"),
        plugin::field("STORAGE", FASTMCP_FIELD_STRING, FASTMCP_FIELD_SECRET, nullptr,
                      "State store: unset/sqlite (under $XDG_STATE_HOME/fastmcp), sqlite:///path, "
                      "redis://host:port/db, memory",
                      "redis://127.0.0.1:6379/0"),
        plugin::field("STORAGE_ENCRYPTION_KEY", FASTMCP_FIELD_STRING, FASTMCP_FIELD_SECRET, nullptr,
                      "32-byte key (hex or base64) encrypting stored tokens; default: HKDF over "
                      "JWT_SIGNING_KEY",
                      nullptr),
        plugin::field("HTTP_TIMEOUT", FASTMCP_FIELD_DURATION, 0, "10",
                      "Timeout for each request to the upstream identity provider", "10s"),
        plugin::field("CIMD_ALLOW_HTTP_LOOPBACK", FASTMCP_FIELD_BOOL, 0, "false",
                      "Accept http:// Client ID Metadata Document URLs on loopback hosts (development and "
                      "tests only: it lets clients make the server fetch its own loopback services)",
                      "false"),
    };
}

struct ProxySettings {
    ProxyOptions options;
    UpstreamClient client;
    StoreConfig store;
};

// Reads the common fields (errors name the variable) and opens nothing.
ProxySettings read_proxy_settings(std::string_view settings_json, const std::string &env_prefix,
                                  const std::string &provider_name);

// open_state_store() with errors turned into plugin::ConfigError naming STORAGE.
std::shared_ptr<StateStore> open_proxy_store(const ProxySettings &settings, const std::string &env_prefix);

// What a proxy module makes of its settings: the common ones, its upstream, the opened store.
struct ProxyParts {
    ProxySettings settings;
    std::unique_ptr<Upstream> upstream;
    std::shared_ptr<StateStore> store;
};

// A proxy module's provider class: `Read` turns the settings JSON into the parts (throwing
// plugin::ConfigError), then the proxy is built from them. One instantiation per module.
template <ProxyParts (*Read)(plugin::Host, std::string_view)>
class ProxyProvider final : public OAuthProxy {
public:
    ProxyProvider(plugin::Host host, std::string_view json) : ProxyProvider(host, Read(host, json)) {}

private:
    ProxyProvider(plugin::Host host, ProxyParts p)
        : OAuthProxy(host, p.settings.options, p.settings.client, std::move(p.upstream), std::move(p.store)) {}
};

} // namespace fastmcp::oauth_proxy
