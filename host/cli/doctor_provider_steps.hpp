// Which of `auth doctor`'s network and configuration steps apply to the loaded provider, and with
// what targets: discovery, jwks, registration, audience, probe. The facts come from the provider's
// settings (non-secret fields only) and its describe() document, so a bearer-JWT provider the host
// has never heard of still gets the jwks and audience checks.
#pragma once

#include "doctor_http.hpp"
#include "doctor_report.hpp"

#include "fastmcp/loader.hpp"

#include <string>

namespace fastmcp::cli::doctor {

struct ProviderStepOptions {
    Http http;
    std::string mcp_path = "/mcp";
    bool probe = false;
    std::string base_url_raw; // BASE_URL as written, for the trailing-slash note (empty: unset)
};

void run_provider_steps(const loader::ProviderHandle &provider, const ProviderStepOptions &options, Report &report);

} // namespace fastmcp::cli::doctor
