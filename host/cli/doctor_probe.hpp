// The `probe` step of `auth doctor --probe`: the running server's own protected-resource metadata
// (RFC 9728) at {BASE_URL}/.well-known/oauth-protected-resource{mcp path} is reachable and says what
// this configuration says: the same `resource` and `authorization_servers`.
#pragma once

#include "doctor_http.hpp"
#include "doctor_report.hpp"

#include <string>
#include <vector>

namespace fastmcp::cli::doctor {

struct ProbeTarget {
    std::string base_url;
    std::string mcp_path = "/mcp";
    std::string base_url_setting; // e.g. FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL
    std::string resource;         // expected `resource`
    std::vector<std::string> authorization_servers; // expected, in any order
};

void check_probe(const ProbeTarget &target, const Http &http, Report &report);

} // namespace fastmcp::cli::doctor
