#include "fastmcp/jwt/bearer_settings.hpp"

namespace fastmcp::jwt {

int64_t read_leeway_seconds(const SettingsReader &s) { return s.duration_ms("leeway", 60'000) / 1000; }

jwks::SourceOptions read_jwks_options(const SettingsReader &s, std::string jwks_uri,
                                      bool background) {
    jwks::SourceOptions j;
    j.jwks_uri = std::move(jwks_uri);
    j.ttl_ms = s.duration_ms("jwks_cache_ttl", 600'000);
    if (j.ttl_ms < 1000) s.fail("jwks_cache_ttl", "must be at least 1s");
    j.refetch_min_interval_ms = s.duration_ms("jwks_refetch_min_interval", 10'000);
    const int64_t timeout = s.duration_ms("http_timeout", 5'000);
    if (timeout < 1 || timeout > 120'000) s.fail("http_timeout", "must be between 1ms and 120s");
    j.fetch_timeout_ms = static_cast<uint32_t>(timeout);
    j.key_options.allow_oct = false; // secrets never come from a JWKS
    j.background = background;
    return j;
}

TokenCacheOptions read_token_cache_options(const SettingsReader &s) {
    TokenCacheOptions o;
    o.max_entries = static_cast<size_t>(s.integer("token_cache_size", 10'000, 0, 1'000'000));
    o.ttl_ms = s.duration_ms("token_cache_ttl", 300'000);
    if (o.ttl_ms > 86'400'000) s.fail("token_cache_ttl", "must be at most 1 day");
    return o;
}

} // namespace fastmcp::jwt
