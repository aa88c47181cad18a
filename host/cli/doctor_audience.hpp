// The `audience` step of `auth doctor`: the audiences a token must carry make sense for this
// server. Warns on the '*' opt-out, on an AUDIENCE that is not the resource URL (BASE_URL + the MCP
// path) that MCP clients ask tokens for (RFC 8707), and on a BASE_URL that already ends with the
// MCP path.
#pragma once

#include "doctor_report.hpp"

#include <string>
#include <vector>

namespace fastmcp::cli::doctor {

struct AudienceFacts {
    std::string provider;       // "AuthKitProvider", "JWTVerifier", "SupabaseProvider"
    std::string env_prefix;     // "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_"
    std::string base_url;       // normalised BASE_URL; empty when unset
    std::string base_url_raw;   // as written (trailing '/' and all); empty when unset
    std::string mcp_path = "/mcp";
    std::string resource;       // describe().resource; empty when none
    bool audience_check = true; // describe().audience_check
    std::vector<std::string> audiences; // describe().audiences
    bool audience_configured = false;   // AUDIENCE was set (not the default)
    std::vector<std::string> conventional; // what the IdP puts in aud by default ({"authenticated"} for Supabase)
};

void check_audience(const AudienceFacts &facts, Report &report);

} // namespace fastmcp::cli::doctor
