// The `jwks` step of `auth doctor`: the key set is reachable and holds keys this server can use
// for the configured algorithms. Unusable keys are counted with the reason each one is skipped
// (the same rules the providers apply: fastmcp::jose::parse_jwks).
#pragma once

#include "doctor_http.hpp"
#include "doctor_report.hpp"

#include <string>
#include <vector>

namespace fastmcp::cli::doctor {

struct JwksTarget {
    std::string jwks_uri;
    std::vector<std::string> algorithms; // from describe(); empty: any
    std::string algorithm_setting;       // e.g. FASTMCP_SERVER_AUTH_SUPABASE_ALGORITHM, for the fix
    std::string uri_source;              // where the URL comes from, for the fix ("FASTMCP_..._JWKS_URI")
};

// Adds the `jwks` step; returns the number of usable keys that fit the algorithms.
size_t check_jwks(const JwksTarget &target, const Http &http, Report &report);

} // namespace fastmcp::cli::doctor
