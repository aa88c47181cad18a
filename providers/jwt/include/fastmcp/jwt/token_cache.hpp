// The verified-token cache: remembers, by SHA-256 of the raw token, the verdict of a token whose
// signature verified, so a token presented again skips parsing and the signature check.
//
// What is cached: only verdicts of verified tokens (OK, and INSUFFICIENT_SCOPE: a valid token
// with too few rights). Rejections are never cached: a flood of distinct bad tokens would then
// evict the good ones, JWKS_UNAVAILABLE and UNKNOWN_KID must be retried against fresh keys, and
// a legitimate client gains nothing from a fast "no".
//
// An entry is used until the earliest of: its token's exp (rechecked with leeway on every hit,
// as is nbf), the TTL after insertion, a key-set change that removed the key that verified it,
// and a policy change (e.g. discovery found another issuer). Any failed recheck drops the entry
// and reports a miss, so the caller's full verification produces the exact rejection.
//
// Bounded and sharded: the capacity is split over up to 16 shards picked by digest bytes, each
// with its own mutex and LRU list. A hit allocates nothing and copies no large data: the verdict
// holds a shared_ptr to the immutable VerifiedToken.
//
// Thread-safety: every member may be called concurrently.
#pragma once

#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/provider.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

typedef struct evp_md_st EVP_MD;

namespace fastmcp::jwt {

struct TokenCacheOptions {
    size_t max_entries = 10'000; // in total over all shards; 0 disables the cache
    int64_t ttl_ms = 300'000;    // an entry is re-verified at the latest this long after insertion
    size_t shards = 16;          // fewer when max_entries is smaller
};

using TokenDigest = std::array<unsigned char, 32>;

// A verified verdict and what it depended on.
struct CachedVerdict {
    plugin::Verdict verdict;               // OK or INSUFFICIENT_SCOPE, sharing its VerifiedToken
    std::shared_ptr<const jose::Jwk> key;  // the key that verified; null for "no key to watch"
    uint64_t key_generation = 0;           // key-set generation in which `key` was current
    uint64_t policy_generation = 0;
    std::optional<double> exp;             // NumericDates, rechecked on every hit
    std::optional<double> nbf;
};

// What a hit is checked against.
struct HitCheck {
    int64_t now_ms = 0;
    int64_t leeway_seconds = 0;
    uint64_t key_generation = 0;
    uint64_t policy_generation = 0;
    // Asked only when key_generation differs from the entry's: is this key still in the set?
    const std::function<bool(const jose::Jwk &)> *key_present = nullptr;
};

class TokenCache {
public:
    explicit TokenCache(TokenCacheOptions options);
    ~TokenCache();
    TokenCache(const TokenCache &) = delete;
    TokenCache &operator=(const TokenCache &) = delete;

    bool enabled() const noexcept { return shard_count_ > 0; }
    const TokenCacheOptions &options() const noexcept { return options_; }

    // SHA-256 of the token; false if hashing failed (then neither look up nor insert).
    bool digest(std::string_view token, TokenDigest &out) const noexcept;

    // The cached verdict, or nullopt (absent, or a recheck failed: the entry is then dropped).
    std::optional<plugin::Verdict> find(const TokenDigest &digest, const HitCheck &check);
    // Inserts or replaces; evicts the shard's least recently used entry when it is full.
    void insert(const TokenDigest &digest, CachedVerdict entry, int64_t now_ms);

    size_t size() const;
    void clear();

private:
    struct Shard;
    Shard &shard_for(const TokenDigest &digest) const;

    TokenCacheOptions options_;
    size_t shard_count_ = 0;
    std::unique_ptr<Shard[]> shards_;
    EVP_MD *sha256_ = nullptr; // fetched once per cache: an implicit fetch per hash costs a lock
};

} // namespace fastmcp::jwt
