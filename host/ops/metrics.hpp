// The process's request and verify metrics: fixed arrays of relaxed atomics, so the hot path takes
// no lock and allocates nothing (a request costs ~4 atomic adds). Rendered as Prometheus text by
// metrics_text.hpp. One registry per process: ops::metrics().
#pragma once

#include "fastmcp/auth_plugin.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace fastmcp::ops {

// The routes requests are counted by (a fixed set: a label per URL would be unbounded).
enum class Route { mcp, provider, auth_complete, healthz, readyz, metrics, not_found, count_ };
const char *route_name(Route r);

enum class Method { get, post, options, other, count_ };
Method method_of(std::string_view method);
const char *method_name(Method m);

// Upper bounds in seconds; the last bucket is +Inf.
inline constexpr std::array<double, 12> kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};

class Histogram {
  public:
    void observe(double seconds);
    // Per-bucket counts (not cumulative); index kLatencyBuckets.size() is +Inf.
    uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
    double sum_seconds() const;

  private:
    std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> buckets_{};
    std::atomic<uint64_t> sum_ns_{0};
};

class Metrics {
  public:
    static constexpr int kStatuses = 600; // an exact status label: 100..599; others count as 0

    void request(Route route, Method method, int status, double seconds);
    void verdict(int reason, double seconds);

    uint64_t requests(Route r, Method m, int status) const;
    const Histogram &request_latency() const { return request_latency_; }
    uint64_t verdicts(int reason) const;
    const Histogram &verify_latency() const { return verify_latency_; }

  private:
    static size_t index(Route r, Method m, int status);
    std::array<std::atomic<uint64_t>,
               static_cast<size_t>(Route::count_) * static_cast<size_t>(Method::count_) * kStatuses>
        requests_{};
    Histogram request_latency_;
    std::array<std::atomic<uint64_t>, FASTMCP_REASON_COUNT_> verdicts_{};
    Histogram verify_latency_;
};

// The process-wide registry (the request handlers report here). Open connections and sessions
// are not kept here: they are read from their owners at scrape time (ScrapeInput).
Metrics &metrics();

} // namespace fastmcp::ops
