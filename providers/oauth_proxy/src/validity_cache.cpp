#include "fastmcp/oauth_proxy/validity_cache.hpp"

#include "fastmcp/oauth_proxy/pkce.hpp"

namespace fastmcp::oauth_proxy {

bool ValidityCache::fresh(std::string_view access_token, int64_t now) {
    const std::string key = sha256_hex(access_token);
    std::lock_guard lock(mutex_);
    auto it = until_.find(key);
    return it != until_.end() && it->second > now;
}

void ValidityCache::confirm(std::string_view access_token, int64_t now) {
    const std::string key = sha256_hex(access_token);
    std::lock_guard lock(mutex_);
    // Bounded: when full, drop what expired, and everything if that was not enough.
    if (until_.size() >= max_entries_)
        std::erase_if(until_, [&](const auto &kv) { return kv.second <= now; });
    if (until_.size() >= max_entries_) until_.clear();
    until_[key] = now + ttl_;
}

void ValidityCache::forget(std::string_view access_token) {
    const std::string key = sha256_hex(access_token);
    std::lock_guard lock(mutex_);
    until_.erase(key);
}

} // namespace fastmcp::oauth_proxy
