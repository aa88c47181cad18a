// What a provider says about its state, read from the "health" object of a fresh describe()
// (the existing ABI entry: no new symbol). Feeds /readyz and the provider part of /metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace fastmcp::ops {

struct ProviderHealth {
    bool described = false;  // describe() answered a JSON object
    bool has_health = false; // ... with a "health" object
    bool ready = false;
    enum class Kind { other, jwks, introspection } kind = Kind::other;
    // Each is absent when the provider does not report it.
    std::optional<uint64_t> keys;
    std::optional<uint64_t> jwks_fetches;        // attempts
    std::optional<uint64_t> jwks_fetch_failures; // failed attempts
    std::optional<int64_t> jwks_fetched_at_s;    // last good fetch, Unix seconds
    std::optional<uint64_t> cache_hits;
    std::optional<uint64_t> cache_misses;
    std::optional<uint64_t> introspection_requests;
    std::optional<uint64_t> introspection_failures;
};

// Never throws: a document that is not JSON reads as described=false.
ProviderHealth parse_provider_health(std::string_view describe_json);

} // namespace fastmcp::ops
