// "This upstream access token was good until T": the bounded memory behind an upstream whose
// tokens are opaque and can only be checked by asking it (GitHub /user, Google tokeninfo, WorkOS
// userinfo). Keys are SHA-256 of the token, so the cache never holds a usable credential.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fastmcp::oauth_proxy {

class ValidityCache {
  public:
    explicit ValidityCache(int64_t ttl_seconds, size_t max_entries = 10'000)
        : ttl_(ttl_seconds), max_entries_(max_entries) {}

    // Was the token confirmed less than ttl ago?
    bool fresh(std::string_view access_token, int64_t now_seconds);
    void confirm(std::string_view access_token, int64_t now_seconds);
    void forget(std::string_view access_token);
    int64_t ttl_seconds() const { return ttl_; }

  private:
    int64_t ttl_;
    size_t max_entries_;
    std::mutex mutex_;
    std::unordered_map<std::string, int64_t> until_; // sha256(token) -> valid until (s)
};

} // namespace fastmcp::oauth_proxy
