#include "fastmcp/jwt/token_cache.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <list>
#include <mutex>
#include <unordered_map>

namespace fastmcp::jwt {
namespace {

// The same comparisons as the claims check (jose/claims.cpp), on whole seconds.
bool still_in_time(const CachedVerdict &v, int64_t now_ms, int64_t leeway_seconds) {
    const double now = static_cast<double>(now_ms / 1000);
    const double leeway = static_cast<double>(leeway_seconds > 0 ? leeway_seconds : 0);
    if (v.exp && now > *v.exp + leeway) return false;
    if (v.nbf && now + leeway < *v.nbf) return false;
    return true;
}

} // namespace

// Entry and DigestHash are Shard's own types: a member of TokenCache (external linkage) cannot
// hold a type from an anonymous namespace.
struct alignas(64) TokenCache::Shard {
    // The digest is uniformly distributed: its bytes are the hash.
    struct DigestHash {
        size_t operator()(const TokenDigest &d) const noexcept {
            size_t h;
            std::memcpy(&h, d.data(), sizeof h);
            return h;
        }
    };

    struct Entry {
        TokenDigest digest;
        CachedVerdict value;
        int64_t deadline_ms = 0; // insertion + TTL
    };

    std::mutex mutex;
    size_t capacity = 0;
    std::list<Entry> lru; // front: most recently used
    std::unordered_map<TokenDigest, std::list<Entry>::iterator, DigestHash> index;

    void
    erase(std::unordered_map<TokenDigest, std::list<Entry>::iterator, DigestHash>::iterator it) {
        lru.erase(it->second);
        index.erase(it);
    }
};

TokenCache::TokenCache(TokenCacheOptions options) : options_(options) {
    if (options_.max_entries == 0 || options_.ttl_ms <= 0) return;
    sha256_ = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    if (!sha256_) return; // no hashing: stay disabled (every token is simply verified)
    shard_count_ = std::max<size_t>(1, std::min(options_.shards, options_.max_entries));
    shards_ = std::make_unique<Shard[]>(shard_count_);
    // Split the bound exactly: the shards' capacities add up to max_entries.
    for (size_t i = 0; i < shard_count_; ++i)
        shards_[i].capacity =
            options_.max_entries / shard_count_ + (i < options_.max_entries % shard_count_ ? 1 : 0);
    for (size_t i = 0; i < shard_count_; ++i)
        shards_[i].index.reserve(shards_[i].capacity);
}

TokenCache::~TokenCache() { EVP_MD_free(sha256_); }

bool TokenCache::digest(std::string_view token, TokenDigest &out) const noexcept {
    if (!sha256_) return false;
    // One context per thread, reused: EVP_Digest would allocate and free a context (and the
    // provider's SHA-256 state) on every call. Re-initialising with the same EVP_MD keeps both.
    // The context holds its own reference to the EVP_MD, so it outlives any one cache safely.
    struct CtxDeleter {
        void operator()(EVP_MD_CTX *c) const noexcept { EVP_MD_CTX_free(c); }
    };
    thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
    if (!ctx) return false;
    unsigned int n = 0;
    return EVP_DigestInit_ex2(ctx.get(), sha256_, nullptr) == 1 &&
           EVP_DigestUpdate(ctx.get(), token.data(), token.size()) == 1 &&
           EVP_DigestFinal_ex(ctx.get(), out.data(), &n) == 1 && n == out.size();
}

TokenCache::Shard &TokenCache::shard_for(const TokenDigest &digest) const {
    // Bytes 8..15: independent of the bytes the hash map uses.
    uint64_t pick;
    std::memcpy(&pick, digest.data() + 8, sizeof pick);
    return shards_[pick % shard_count_];
}

std::optional<plugin::Verdict> TokenCache::find(const TokenDigest &digest, const HitCheck &check) {
    if (!enabled()) return std::nullopt;
    Shard &shard = shard_for(digest);
    std::lock_guard lock(shard.mutex);
    auto it = shard.index.find(digest);
    if (it == shard.index.end()) return std::nullopt;
    Shard::Entry &e = *it->second;
    CachedVerdict &v = e.value;
    bool usable = check.now_ms < e.deadline_ms && v.policy_generation == check.policy_generation &&
                  still_in_time(v, check.now_ms, check.leeway_seconds);
    if (usable && v.key_generation != check.key_generation) {
        // The key set changed since this entry was checked: is its key still there?
        usable = !v.key || (check.key_present && (*check.key_present)(*v.key));
        if (usable) v.key_generation = check.key_generation;
    }
    if (!usable) {
        shard.erase(it);
        return std::nullopt;
    }
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return v.verdict;
}

void TokenCache::insert(const TokenDigest &digest, CachedVerdict value, int64_t now_ms) {
    if (!enabled()) return;
    Shard &shard = shard_for(digest);
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.index.find(digest); it != shard.index.end()) shard.erase(it);
    while (shard.lru.size() >= shard.capacity) {
        shard.index.erase(shard.lru.back().digest);
        shard.lru.pop_back();
    }
    shard.lru.push_front(Shard::Entry{digest, std::move(value), now_ms + options_.ttl_ms});
    shard.index.emplace(digest, shard.lru.begin());
}

size_t TokenCache::size() const {
    size_t n = 0;
    for (size_t i = 0; i < shard_count_; ++i) {
        std::lock_guard lock(shards_[i].mutex);
        n += shards_[i].lru.size();
    }
    return n;
}

void TokenCache::clear() {
    for (size_t i = 0; i < shard_count_; ++i) {
        std::list<Shard::Entry> dropped;
        {
            std::lock_guard lock(shards_[i].mutex);
            shards_[i].index.clear();
            dropped.swap(shards_[i].lru);
        }
        // `dropped` is released here, outside the lock.
    }
}

} // namespace fastmcp::jwt
