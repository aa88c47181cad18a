#include "metrics.hpp"

#include <algorithm>

namespace fastmcp::ops {

const char *route_name(Route r) {
    static constexpr const char *names[] = {"mcp",    "provider", "auth_complete", "healthz",
                                            "readyz", "metrics",  "not_found"};
    return names[static_cast<size_t>(r)];
}

Method method_of(std::string_view method) {
    if (method == "GET") return Method::get;
    if (method == "POST") return Method::post;
    if (method == "OPTIONS") return Method::options;
    return Method::other;
}

const char *method_name(Method m) {
    static constexpr const char *names[] = {"GET", "POST", "OPTIONS", "other"};
    return names[static_cast<size_t>(m)];
}

void Histogram::observe(double seconds) {
    if (!(seconds >= 0)) seconds = 0; // NaN and negatives count as 0
    const auto it = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
    buckets_[static_cast<size_t>(it - kLatencyBuckets.begin())].fetch_add(
        1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

double Histogram::sum_seconds() const {
    return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
}

size_t Metrics::index(Route r, Method m, int status) {
    if (status < 100 || status >= kStatuses) status = 0;
    return (static_cast<size_t>(r) * static_cast<size_t>(Method::count_) + static_cast<size_t>(m)) *
               kStatuses +
           static_cast<size_t>(status);
}

void Metrics::request(Route route, Method method, int status, double seconds) {
    requests_[index(route, method, status)].fetch_add(1, std::memory_order_relaxed);
    request_latency_.observe(seconds);
}

void Metrics::verdict(int reason, double seconds) {
    if (reason < 0 || reason >= FASTMCP_REASON_COUNT_) reason = FASTMCP_REASON_INTERNAL_ERROR;
    verdicts_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
    verify_latency_.observe(seconds);
}

uint64_t Metrics::requests(Route r, Method m, int status) const {
    return requests_[index(r, m, status)].load(std::memory_order_relaxed);
}

uint64_t Metrics::verdicts(int reason) const {
    if (reason < 0 || reason >= FASTMCP_REASON_COUNT_) return 0;
    return verdicts_[static_cast<size_t>(reason)].load(std::memory_order_relaxed);
}

Metrics &metrics() {
    static Metrics instance; // constant-initialised atomics: safe from any thread, never destroyed
    return instance;
}

} // namespace fastmcp::ops
