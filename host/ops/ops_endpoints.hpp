// /healthz, /readyz and /metrics: the answers, shared by the main port's handler and the admin
// port's. None needs auth; none reveals configuration.
#pragma once

#include "metrics.hpp"

#include "fastmcp/auth_backend.hpp"

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

// Route::healthz / readyz / metrics for those paths, else nullopt.
std::optional<Route> ops_route(std::string_view path);

// `auth` may be null (auth off). /metrics answers 404 unless `serve_metrics`.
OpsAnswer serve_ops(Route route, std::string_view method, const AuthBackend *auth,
                    bool serve_metrics);

} // namespace fastmcp::ops
