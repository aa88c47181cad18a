// The auth backend named by the environment: FASTMCP_SERVER_AUTH (process environment, then the
// --env-file / $FASTMCP_ENV_FILE / ./.env file) resolved and loaded by the loader, wrapped as an
// AuthBackend. nullptr when FASTMCP_SERVER_AUTH is unset; every other failure throws StartupError.
#pragma once

#include "fastmcp/auth_backend.hpp"

#include <memory>
#include <string>

namespace fastmcp::host {

// Where the configuration comes from; Server::run keeps it so a reload reads the same sources.
struct AuthSource {
    std::string env_file; // --env-file; empty: $FASTMCP_ENV_FILE, else ./.env
    std::string mcp_path;
    std::string bind_host;
    bool bind_is_loopback = true;
    int verify_timeout_ms = -1; // --verify-timeout; -1: from the environment
};

struct LoadedAuth {
    std::shared_ptr<const AuthBackend> backend; // null: FASTMCP_SERVER_AUTH is unset
    std::string label;                          // "Name (/path/module.so)", for logs
};

// The loaded provider is wrapped in a VerifyWatchdog (host/auth/verify_watchdog.hpp): deadline
// `verify_timeout_ms` (>= 0), else $FASTMCP_PROVIDER_VERIFY_TIMEOUT (a duration: "5s", "500ms"),
// else 15 s; unhealthy after $FASTMCP_PROVIDER_MAX_HUNG_CALLS (default 4) hung calls. The backend
// owns its module: the last reference to it destroys the provider and dlclose's the module.
LoadedAuth auth_from_environment(const AuthSource &source);

} // namespace fastmcp::host
