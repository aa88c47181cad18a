// The first three steps of `auth doctor`, each a prerequisite of the next: `env_file` (the .env
// was found and parsed), `provider` (FASTMCP_SERVER_AUTH resolved and the module loaded) and
// `settings` (the provider's settings read and accepted by its create()). It runs the loader's own
// load_provider, so it never disagrees with `fastmcp run`; the error kind decides which step failed,
// with the loader's message (variable names, file:line, "did you mean") and a fix for that kind.
#pragma once

#include "doctor_report.hpp"

#include "fastmcp/env/environment.hpp"
#include "fastmcp/loader.hpp"

#include <memory>
#include <optional>
#include <string>

namespace fastmcp::cli::doctor {

struct Setup {
    env::Environment environment;
    std::unique_ptr<loader::ProviderHandle> provider; // set when all three steps passed
};

// `host` must outlive the returned provider.
Setup run_setup_steps(const std::optional<std::string> &env_file, const fastmcp_host_api *host, Report &report);

// The fix suggested for a loader failure of this kind.
std::string fix_for(loader::ErrorKind kind);

} // namespace fastmcp::cli::doctor
