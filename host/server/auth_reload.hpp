// Reloading the auth backend of a running server (SIGHUP): rebuild it from the sources the server
// started with, through the same code path as start-up, and swap it in only if it loaded.
//
// What is re-read: the .env file (--env-file, else $FASTMCP_ENV_FILE, else ./.env, resolved as at
// start-up) and the process environment, which for a running process is the one it started with
// (nothing outside can change it), so a variable set there still wins over the file.
// Fail closed: a configuration that does not load changes nothing, and a reload never turns auth
// off (FASTMCP_SERVER_AUTH unset is refused); off -> on is allowed.
#pragma once

#include "../http/auth_slot.hpp"
#include "auth_from_env.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace fastmcp::host {

// Reloads since the process started, by outcome (for /metrics: fastmcp_auth_reloads_total).
struct ReloadStats {
    uint64_t succeeded = 0;
    uint64_t failed = 0;
};
ReloadStats reload_stats();

class AuthReloader {
  public:
    // `label` names the backend `slot` holds now ("" when auth is off).
    AuthReloader(AuthSource source, std::shared_ptr<AuthSlot> slot, std::string label);

    // Never throws. true: the new backend serves requests that start from now on. false: nothing
    // changed; one ERROR line says why (the variable or module, as `fastmcp auth config` would).
    bool reload();

  private:
    AuthSource source_;
    std::shared_ptr<AuthSlot> slot_;
    std::string label_;
};

} // namespace fastmcp::host
