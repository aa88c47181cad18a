#include "fastmcp/introspection/introspection_cache.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace fastmcp::introspection {

TokenDigest token_digest(std::string_view token) {
    TokenDigest d{};
    // EVP_sha256(), not a cached EVP_MD_fetch: a fetched EVP_MD held in a static of a module
    // outlives dlclose and shows up as a leak; the hash costs ~1 us either way.
    unsigned int n = 0;
    if (EVP_Digest(token.data(), token.size(), d.data(), &n, EVP_sha256(), nullptr) != 1 || n != d.size())
        throw std::runtime_error("SHA-256 failed");
    return d;
}

namespace {
std::string key_of(const TokenDigest &d) { return std::string(reinterpret_cast<const char *>(d.data()), d.size()); }
} // namespace

std::shared_ptr<const Introspected> IntrospectionCache::get(const TokenDigest &digest, int64_t now_ms) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key_of(digest));
    if (it == index_.end()) return nullptr;
    if (now_ms >= it->second->deadline_ms) {
        lru_.erase(it->second);
        index_.erase(it);
        return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
}

void IntrospectionCache::put(const TokenDigest &digest, std::shared_ptr<const Introspected> value,
                             int64_t deadline_ms, int64_t now_ms) {
    if (max_entries_ == 0 || deadline_ms <= now_ms || !value) return;
    std::string key = key_of(digest);
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
        it->second->value = std::move(value);
        it->second->deadline_ms = deadline_ms;
        lru_.splice(lru_.begin(), lru_, it->second);
        return;
    }
    while (lru_.size() >= max_entries_) {
        index_.erase(lru_.back().key);
        lru_.pop_back();
    }
    lru_.push_front(Node{key, std::move(value), deadline_ms});
    index_.emplace(std::move(key), lru_.begin());
}

size_t IntrospectionCache::size() const {
    std::lock_guard lock(mutex_);
    return lru_.size();
}

} // namespace fastmcp::introspection
