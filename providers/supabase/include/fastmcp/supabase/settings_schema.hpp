// SupabaseProvider's settings schema (env prefix FASTMCP_SERVER_AUTH_SUPABASE_, as in FastMCP).
// `fastmcp auth config` and `fastmcp providers` read and print these; names are stable.
#pragma once

#include "fastmcp/jwt/bearer_settings.hpp"
#include "fastmcp/provider.hpp"

#include <array>

namespace fastmcp::supabase {

inline constexpr const char *kProviderName = "SupabaseProvider";
inline constexpr const char *kEnvPrefix = "FASTMCP_SERVER_AUTH_SUPABASE_";

// Supabase's own fields; the shared bearer fields (LEEWAY ... RESOURCE_DOCUMENTATION) follow.
inline constexpr std::array kOwnFields = {
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
};
inline constexpr auto kFields = jwt::concat_fields(kOwnFields, jwt::bearer_common_fields());
inline constexpr size_t kFieldCount = kFields.size();

} // namespace fastmcp::supabase
