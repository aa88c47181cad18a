// A bounded cache of introspection results, keyed by the SHA-256 of the token (never the token).
// An entry lives until the deadline its writer gives (the TTL, capped at the token's exp), and
// the least recently used entry is dropped when the cache is full. Failures are never stored.
// Thread-safe.
#pragma once

#include "fastmcp/introspection/introspection_response.hpp"

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fastmcp::introspection {

using TokenDigest = std::array<unsigned char, 32>;
TokenDigest token_digest(std::string_view token); // SHA-256

class IntrospectionCache {
public:
    explicit IntrospectionCache(size_t max_entries) : max_entries_(max_entries) {}

    // The stored result when it is still before its deadline; an expired one is dropped.
    std::shared_ptr<const Introspected> get(const TokenDigest &key, int64_t now_ms);
    // Stores `value` until `deadline_ms`; ignored when the deadline is not after now.
    void put(const TokenDigest &key, std::shared_ptr<const Introspected> value, int64_t deadline_ms,
             int64_t now_ms);

    size_t size() const;
    size_t max_entries() const { return max_entries_; }

private:
    struct Node {
        std::string key; // the 32 digest bytes
        std::shared_ptr<const Introspected> value;
        int64_t deadline_ms = 0;
    };
    using List = std::list<Node>; // front = most recently used

    const size_t max_entries_;
    mutable std::mutex mutex_;
    List lru_;
    std::unordered_map<std::string, List::iterator> index_;
};

} // namespace fastmcp::introspection
