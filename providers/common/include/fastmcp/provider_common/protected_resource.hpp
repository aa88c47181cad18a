// The protected-resource side of a provider that verifies opaque tokens without a JWKS
// (StaticTokenVerifier, IntrospectionTokenVerifier): the REQUIRED_SCOPES, AUTHORIZATION_SERVERS
// and BASE_URL settings, the RFC 9728 document they make, its routes (path-suffixed and root
// forms), and the describe() fields every provider reports. One copy, so both providers read,
// serve and describe these alike. Immutable after construction: safe to use from any thread.
#pragma once

#include "fastmcp/jwt/settings_reader.hpp"
#include "fastmcp/provider.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::provider_common {

// Schema rows shared by both providers (`example` differs per provider).
constexpr fastmcp_setting_field required_scopes_field(const char *example) {
    return plugin::field("REQUIRED_SCOPES", FASTMCP_FIELD_SCOPES, 0, nullptr,
                         "Scopes every token must carry (comma/space list or JSON list)", example);
}
inline constexpr fastmcp_setting_field kBaseUrlField =
    plugin::field("BASE_URL", FASTMCP_FIELD_URL, 0, nullptr,
                  "Public URL of this server; enables the protected-resource metadata", "http://localhost:8000");
inline constexpr fastmcp_setting_field kAuthorizationServersField =
    plugin::field("AUTHORIZATION_SERVERS", FASTMCP_FIELD_LIST, 0, nullptr,
                  "Authorization servers named in the protected-resource metadata", "https://auth.example.com");

class ProtectedResource {
public:
    ProtectedResource() = default;
    // Reads REQUIRED_SCOPES, AUTHORIZATION_SERVERS, then BASE_URL (a bad value throws the
    // reader's ConfigError naming the variable). `mcp_path` is the host's MCP endpoint path.
    ProtectedResource(const jwt::SettingsReader &settings, std::string_view mcp_path);

    const std::vector<std::string> &required_scopes() const { return required_scopes_; }
    const std::vector<std::string> &authorization_servers() const { return authorization_servers_; }
    // BASE_URL + the MCP path; empty when BASE_URL is not set (then there are no routes).
    const std::string &resource() const { return resource_; }

    std::vector<std::string> routes() const;
    // The RFC 9728 document: resource, authorization_servers and scopes_supported when set,
    // bearer_methods_supported.
    std::string metadata_document() const;
    // Serves the document on its routes (GET/HEAD; OPTIONS and other methods as BearerCore does).
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) const;
    // provider, resource, resource_metadata_url, issuer (null: no JWT issuer), authorization_servers,
    // required_scopes, routes, warnings. The caller adds its own fields.
    nlohmann::json describe(std::string_view provider, const std::vector<std::string> &warnings) const;

private:
    std::vector<std::string> required_scopes_;
    std::vector<std::string> authorization_servers_;
    std::string base_url_, resource_, mcp_path_;
};

} // namespace fastmcp::provider_common
