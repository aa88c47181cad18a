// /readyz: can this process decide a request now? Stable reason strings, nothing about the
// configuration (no URLs, no issuer, no error text from the IdP).
#pragma once

#include "provider_health.hpp"

#include <string>

namespace fastmcp::ops {

struct Readiness {
    bool ready = true;
    const char *reason = "ok"; // ok | draining | provider_stuck | keys_unavailable |
                               // introspection_unavailable | provider_not_ready
};

struct ReadinessInput {
    bool auth = false;           // auth off: nothing to wait for
    bool draining = false;       // SIGTERM received: take this replica out of rotation
    bool provider_stuck = false; // the verify watchdog stopped calling the provider
    ProviderHealth health;       // read only when auth is on
};

Readiness decide_readiness(const ReadinessInput &in);

// {"status":"ready"} or {"status":"not_ready","reason":"..."}.
std::string readiness_body(const Readiness &r);

// Set once the server starts draining; /readyz answers 503 "draining" from then on.
void set_draining(bool draining);
bool draining();

} // namespace fastmcp::ops
