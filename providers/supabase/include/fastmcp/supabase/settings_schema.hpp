// SupabaseProvider's settings schema (env prefix FASTMCP_SERVER_AUTH_SUPABASE_, as in FastMCP).
// `fastmcp auth config` and `fastmcp providers` read and print these; names are stable.
#pragma once

#include "fastmcp/provider.hpp"

#include <iterator>

namespace fastmcp::supabase {

inline constexpr const char *kProviderName = "SupabaseProvider";
inline constexpr const char *kEnvPrefix = "FASTMCP_SERVER_AUTH_SUPABASE_";

inline constexpr fastmcp_setting_field kFields[] = {
    plugin::field("PROJECT_URL", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr,
                  "Your Supabase project URL; issuer is {project_url}/auth/v1",
                  "https://abcdefghijklm.supabase.co"),
    plugin::field("BASE_URL", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr,
                  "Public URL of this server; the resource URL is BASE_URL + the MCP path",
                  "http://localhost:8000"),
    plugin::field("AUTH_ROUTE", FASTMCP_FIELD_STRING, 0, "/auth/v1",
                  "Path of Supabase Auth under the project URL", "/auth/v1"),
    plugin::field("ALGORITHM", FASTMCP_FIELD_STRING, 0, "ES256",
                  "Signing algorithm of the project's JWT signing keys: ES256 or RS256 (HS256 "
                  "cannot work: shared secrets are not published in a JWKS)",
                  "ES256"),
    plugin::field("REQUIRED_SCOPES", FASTMCP_FIELD_SCOPES, 0, nullptr,
                  "Scopes every token must carry (comma/space list or JSON list)", "read,write"),
    plugin::field("AUDIENCE", FASTMCP_FIELD_LIST, 0, "authenticated",
                  "Accepted token audiences ('authenticated' for signed-in users). '*' disables "
                  "the audience check (not recommended)",
                  "authenticated"),
    plugin::field("LEEWAY", FASTMCP_FIELD_DURATION, 0, "60",
                  "Clock skew allowed when checking exp, nbf and iat", "30s"),
    plugin::field("JWKS_CACHE_TTL", FASTMCP_FIELD_DURATION, 0, "600",
                  "How long a fetched key set is used before it is refreshed", "10m"),
    plugin::field("JWKS_REFETCH_MIN_INTERVAL", FASTMCP_FIELD_DURATION, 0, "10",
                  "Minimum time between key-set fetches triggered by an unknown kid", "10s"),
    plugin::field("HTTP_TIMEOUT", FASTMCP_FIELD_DURATION, 0, "5",
                  "Timeout for each JWKS request", "5s"),
    plugin::field("RESOURCE_NAME", FASTMCP_FIELD_STRING, 0, nullptr,
                  "Human-readable name in the protected-resource metadata", "My MCP Server"),
    plugin::field("RESOURCE_DOCUMENTATION", FASTMCP_FIELD_URL, 0, nullptr,
                  "Documentation URL in the protected-resource metadata",
                  "https://example.com/docs"),
};
inline constexpr size_t kFieldCount = std::size(kFields);

} // namespace fastmcp::supabase
