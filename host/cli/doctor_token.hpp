// The `token` step of `auth doctor --token`: the provider's full verdict on one token, with the
// reason name and description, a fix for that reason, and the decoded header and claims (the
// signature elided, the token itself never shown), as `auth check` prints them.
#pragma once

#include "doctor_report.hpp"

#include "fastmcp/loader.hpp"

#include <string>

namespace fastmcp::cli::doctor {

// Waits up to `timeout_s` for the provider to be ready, then verifies.
void check_token(const loader::ProviderHandle &provider, const std::string &token, double timeout_s, Report &report);

// The fix suggested for a rejection with this reason.
std::string fix_for_reason(fastmcp_reason reason);

} // namespace fastmcp::cli::doctor
