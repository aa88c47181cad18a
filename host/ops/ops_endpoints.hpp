// /healthz, /readyz and /metrics: the answers, shared by the main port's handler and the admin
// port's. None needs auth; none reveals configuration.
#pragma once

#include "metrics.hpp"

#include "fastmcp/auth_backend.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fastmcp::ops {

struct OpsAnswer {
    int status = 200;
    const char *content_type = "application/json";
    std::string body;
    bool allow_get_only = false; // 405: add "Allow: GET, HEAD"
};

// What the answers read, filled when the request is served.
struct OpsSources {
    const AuthBackend *auth = nullptr; // null: auth off
    bool serve_metrics = false;        // /metrics answers 404 unless set (the main port)
    int64_t open_connections = 0;      // the main port's, read at scrape time
    int64_t sessions = 0;              // the session store's (0: stateless)
    uint64_t reloads_succeeded = 0;    // SIGHUP reloads of the auth backend, by outcome
    uint64_t reloads_failed = 0;
};

// Route::healthz / readyz / metrics for those paths, else nullopt.
std::optional<Route> ops_route(std::string_view path);

// True when the answer calls the provider's describe() (foreign code, serialised by a mutex): the
// event loop must hand it to the blocking pool. /healthz and auth-off answers never do.
bool ops_blocks(Route route, std::string_view method, bool auth);

OpsAnswer serve_ops(Route route, std::string_view method, const OpsSources &sources);

// The answer when the blocking pool's queue is full: 503 (readyz: reason "overloaded").
OpsAnswer ops_overloaded(Route route);

} // namespace fastmcp::ops
