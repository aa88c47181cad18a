#include "readiness.hpp"

#include <atomic>

namespace fastmcp::ops {
namespace {
std::atomic<bool> g_draining{false};
}

Readiness decide_readiness(const ReadinessInput &in) {
    auto not_ready = [](const char *reason) { return Readiness{false, reason}; };
    if (in.draining) return not_ready("draining");
    if (!in.auth) return {};
    if (in.provider_stuck) return not_ready("provider_stuck");
    const ProviderHealth &h = in.health;
    if (!h.described) return not_ready("provider_not_ready"); // fail closed
    if (!h.has_health || h.ready) return {}; // a provider without a health report can always decide
    switch (h.kind) {
    case ProviderHealth::Kind::jwks:
        return not_ready("keys_unavailable");
    case ProviderHealth::Kind::introspection:
        return not_ready("introspection_unavailable");
    case ProviderHealth::Kind::other:
        break;
    }
    return not_ready("provider_not_ready");
}

std::string readiness_body(const Readiness &r) {
    if (r.ready) return R"({"status":"ready"})";
    return std::string(R"({"status":"not_ready","reason":")") + r.reason + "\"}";
}

void set_draining(bool d) { g_draining.store(d, std::memory_order_relaxed); }
bool draining() { return g_draining.load(std::memory_order_relaxed); }

} // namespace fastmcp::ops
