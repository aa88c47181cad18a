// IntrospectionTokenVerifier's settings schema (env prefix FASTMCP_SERVER_AUTH_INTROSPECTION_).
#pragma once

#include "fastmcp/provider.hpp"
#include "fastmcp/provider_common/protected_resource.hpp"

#include <iterator>

namespace fastmcp::introspection {

inline constexpr const char *kProviderName = "IntrospectionTokenVerifier";
inline constexpr const char *kEnvPrefix = "FASTMCP_SERVER_AUTH_INTROSPECTION_";

inline constexpr fastmcp_setting_field kFields[] = {
    plugin::field("INTROSPECTION_URL", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr,
                  "The authorization server's RFC 7662 introspection endpoint (https, or http on "
                  "loopback)",
                  "https://auth.example.com/oauth2/introspect"),
    plugin::field("CLIENT_ID", FASTMCP_FIELD_STRING, FASTMCP_FIELD_REQUIRED, nullptr,
                  "Client ID this server authenticates to the introspection endpoint with",
                  "mcp-resource-server"),
    plugin::field("CLIENT_SECRET", FASTMCP_FIELD_STRING, FASTMCP_FIELD_REQUIRED | FASTMCP_FIELD_SECRET,
                  nullptr, "Client secret for HTTP Basic authentication to the endpoint", nullptr),
    plugin::field("TIMEOUT_SECONDS", FASTMCP_FIELD_DURATION, 0, "10",
                  "Timeout for each introspection request", "10"),
    provider_common::required_scopes_field("read,write"),
    provider_common::kBaseUrlField,
    provider_common::kAuthorizationServersField,
    plugin::field("CACHE_TTL_SECONDS", FASTMCP_FIELD_DURATION, 0, "60",
                  "How long an introspection result is reused (never past the token's exp); 0 "
                  "disables the cache",
                  "60"),
    plugin::field("MAX_CACHE_SIZE", FASTMCP_FIELD_INT, 0, "10000",
                  "Most introspection results kept (least recently used are dropped)", "10000"),
};
inline constexpr size_t kFieldCount = std::size(kFields);

} // namespace fastmcp::introspection
