// AuthKitProvider's settings schema (env prefix FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_).
// `fastmcp auth config` reads and validates these; names are stable once published.
#pragma once

#include "fastmcp/jwt/bearer_settings.hpp"
#include "fastmcp/provider.hpp"

#include <array>

namespace fastmcp::authkit {

inline constexpr const char *kProviderName = "AuthKitProvider";
inline constexpr const char *kEnvPrefix = "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_";

// AuthKit's own fields; the shared bearer fields (LEEWAY ... RESOURCE_DOCUMENTATION) follow.
inline constexpr std::array kOwnFields = {
    plugin::field("AUTHKIT_DOMAIN", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr,
                  "Your AuthKit domain; the token issuer. JWKS is {domain}/oauth2/jwks",
                  "https://your-project.authkit.app"),
    plugin::field("BASE_URL", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr,
                  "Public URL of this server; the resource URL is BASE_URL + the MCP path",
                  "http://localhost:8000"),
    plugin::field("REQUIRED_SCOPES", FASTMCP_FIELD_SCOPES, 0, nullptr,
                  "Scopes every token must carry (comma/space list or JSON list)", "read,write"),
    plugin::field("AUDIENCE", FASTMCP_FIELD_LIST, 0, nullptr,
                  "Accepted token audiences; default is the resource URL. '*' disables the "
                  "audience check (not recommended)",
                  "http://localhost:8000/mcp"),
};
inline constexpr auto kFields =
    jwt::concat_fields(kOwnFields, jwt::bearer_common_fields("Timeout for each discovery or JWKS request"));
inline constexpr size_t kFieldCount = kFields.size();

} // namespace fastmcp::authkit
