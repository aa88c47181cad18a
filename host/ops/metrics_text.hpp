// Prometheus text exposition (format 0.0.4) of the registry plus what the provider reports.
// Written here rather than with prometheus-cpp: its labelled families look children up under a
// mutex per increment (or need a cached handle per label set), and our label sets are small and
// fixed, so plain atomic arrays and ~150 lines of rendering are cheaper and add no dependency.
#pragma once

#include "metrics.hpp"
#include "provider_health.hpp"

#include <optional>
#include <string>

namespace fastmcp::ops {

struct ScrapeInput {
    bool auth = false;
    bool ready = true;
    std::optional<ProviderHealth> provider; // absent when auth is off
    std::optional<int> stuck_calls;         // absent without a verify watchdog
    int64_t open_connections = 0;           // read from the HTTP server at scrape time
    int64_t sessions = 0;                   // read from the session store (0: stateless)
    uint64_t reloads_succeeded = 0;         // SIGHUP reloads of the auth backend
    uint64_t reloads_failed = 0;
    int64_t now_s = 0;                      // Unix seconds, for the age of the last JWKS fetch
};

inline constexpr const char *kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render_metrics(const Metrics &m, const ScrapeInput &in);

} // namespace fastmcp::ops
