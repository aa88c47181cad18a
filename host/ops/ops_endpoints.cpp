#include "ops_endpoints.hpp"

#include "metrics_text.hpp"
#include "readiness.hpp"

#include "../auth/verify_watchdog.hpp"

#include <chrono>

namespace fastmcp::ops {
namespace {

struct Probe {
    Readiness readiness;
    std::optional<ProviderHealth> health;
    std::optional<int> stuck;
};

Probe probe(const AuthBackend *auth) {
    Probe p;
    ReadinessInput in;
    in.auth = auth != nullptr;
    in.draining = draining();
    if (auth) {
        if (const auto *w = dynamic_cast<const host::VerifyWatchdog *>(auth)) {
            p.stuck = w->stuck();
            in.provider_stuck = *p.stuck >= w->options().max_stuck;
        }
        in.health = parse_provider_health(auth->live_describe_json());
        p.health = in.health;
    }
    p.readiness = decide_readiness(in);
    return p;
}

} // namespace

std::optional<Route> ops_route(std::string_view path) {
    if (path == "/healthz") return Route::healthz;
    if (path == "/readyz") return Route::readyz;
    if (path == "/metrics") return Route::metrics;
    return std::nullopt;
}

bool ops_blocks(Route route, std::string_view method, bool auth) {
    return auth && route != Route::healthz && (method == "GET" || method == "HEAD");
}

OpsAnswer ops_overloaded(Route route) {
    OpsAnswer a;
    a.status = 503;
    a.body = route == Route::readyz
                 ? R"({"status":"not_ready","reason":"overloaded"})"
                 : R"({"error":"server_busy","error_description":"the server is overloaded"})";
    return a;
}

OpsAnswer serve_ops(Route route, std::string_view method, const OpsSources &sources) {
    OpsAnswer a;
    if (route == Route::metrics && !sources.serve_metrics) {
        a.status = 404;
        a.body = R"({"error":"not_found","error_description":"no such route"})";
        return a;
    }
    if (method != "GET" && method != "HEAD") {
        a.status = 405;
        a.allow_get_only = true;
        a.body = R"({"error":"method_not_allowed","error_description":"use GET"})";
        return a;
    }
    if (route == Route::healthz) {
        a.body = R"({"status":"ok"})";
        return a;
    }
    const Probe p = probe(sources.auth);
    if (route == Route::readyz) {
        a.status = p.readiness.ready ? 200 : 503;
        a.body = readiness_body(p.readiness);
        return a;
    }
    ScrapeInput in;
    in.auth = sources.auth != nullptr;
    in.ready = p.readiness.ready;
    in.provider = p.health;
    in.stuck_calls = p.stuck;
    in.open_connections = sources.open_connections;
    in.sessions = sources.sessions;
    in.reloads_succeeded = sources.reloads_succeeded;
    in.reloads_failed = sources.reloads_failed;
    in.now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    a.content_type = kMetricsContentType;
    a.body = render_metrics(metrics(), in);
    return a;
}

} // namespace fastmcp::ops
