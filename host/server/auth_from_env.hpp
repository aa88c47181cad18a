// The auth backend named by the environment: FASTMCP_SERVER_AUTH (process environment, then the
// --env-file / $FASTMCP_ENV_FILE / ./.env file) resolved and loaded by the loader, wrapped as an
// AuthBackend. nullptr when FASTMCP_SERVER_AUTH is unset; every other failure throws StartupError.
#pragma once

#include "fastmcp/auth_backend.hpp"

#include <memory>
#include <string>

namespace fastmcp::host {

// The loaded provider is wrapped in a VerifyWatchdog (host/auth/verify_watchdog.hpp): deadline
// `verify_timeout_ms` (>= 0), else $FASTMCP_PROVIDER_VERIFY_TIMEOUT (a duration: "5s", "500ms"),
// else 15 s; unhealthy after $FASTMCP_PROVIDER_MAX_HUNG_CALLS (default 4) hung calls.
std::shared_ptr<const AuthBackend> auth_from_environment(const std::string &env_file, const std::string &mcp_path,
                                                         const std::string &bind_host, bool bind_is_loopback,
                                                         int verify_timeout_ms = -1);

} // namespace fastmcp::host
