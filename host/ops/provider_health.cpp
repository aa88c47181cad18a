#include "provider_health.hpp"

#include <nlohmann/json.hpp>

namespace fastmcp::ops {
namespace {

template <class T> std::optional<T> number(const nlohmann::json &o, const char *key) {
    auto it = o.find(key);
    if (it == o.end() || !it->is_number()) return std::nullopt;
    return it->get<T>();
}

} // namespace

ProviderHealth parse_provider_health(std::string_view describe_json) {
    ProviderHealth h;
    const auto doc = nlohmann::json::parse(describe_json, nullptr, false);
    if (!doc.is_object()) return h;
    h.described = true;
    auto it = doc.find("health");
    if (it == doc.end() || !it->is_object()) return h;
    const nlohmann::json &o = *it;
    h.has_health = true;
    h.ready = o.value("ready", false) == true;
    if (o.contains("jwks_uri") || o.contains("fetches")) h.kind = ProviderHealth::Kind::jwks;
    if (doc.contains("introspection_url")) h.kind = ProviderHealth::Kind::introspection;
    h.keys = number<uint64_t>(o, "keys");
    h.jwks_fetches = number<uint64_t>(o, "fetches");
    h.jwks_fetch_failures = number<uint64_t>(o, "failures");
    h.jwks_fetched_at_s = number<int64_t>(o, "fetched_at");
    h.cache_hits = number<uint64_t>(o, "cache_hits");
    h.cache_misses = number<uint64_t>(o, "cache_misses");
    if (h.kind == ProviderHealth::Kind::introspection) {
        h.introspection_requests = number<uint64_t>(o, "requests");
        h.introspection_failures = number<uint64_t>(o, "failures");
        h.jwks_fetches.reset();
        h.jwks_fetch_failures.reset();
    }
    return h;
}

} // namespace fastmcp::ops
