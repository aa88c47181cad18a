// The settings every JWKS-backed bearer provider shares (AuthKitProvider, JWTVerifier,
// SupabaseProvider): one definition of the fields, appended to each provider's own, and one
// reader for them, so the three behave identically.
#pragma once

#include "fastmcp/jwks/key_source.hpp"
#include "fastmcp/jwt/settings_reader.hpp"
#include "fastmcp/jwt/token_cache.hpp"
#include "fastmcp/provider.hpp"

#include <array>
#include <cstddef>
#include <string>

namespace fastmcp::jwt {

// `a` then `b`, as one constexpr array (a schema is one contiguous field list).
template <size_t A, size_t B>
constexpr std::array<fastmcp_setting_field, A + B>
concat_fields(const std::array<fastmcp_setting_field, A> &a,
              const std::array<fastmcp_setting_field, B> &b) {
    std::array<fastmcp_setting_field, A + B> out{};
    for (size_t i = 0; i < A; ++i) out[i] = a[i];
    for (size_t i = 0; i < B; ++i) out[A + i] = b[i];
    return out;
}

// LEEWAY, JWKS_CACHE_TTL, JWKS_REFETCH_MIN_INTERVAL, HTTP_TIMEOUT, TOKEN_CACHE_SIZE,
// TOKEN_CACHE_TTL, RESOURCE_NAME, RESOURCE_DOCUMENTATION. `http_timeout_help` says what the
// timeout covers for this provider (AuthKit also runs discovery).
constexpr std::array<fastmcp_setting_field, 8>
bearer_common_fields(const char *http_timeout_help = "Timeout for each JWKS request") {
    return {
        plugin::field("LEEWAY", FASTMCP_FIELD_DURATION, 0, "60",
                      "Clock skew allowed when checking exp, nbf and iat", "30s"),
        plugin::field("JWKS_CACHE_TTL", FASTMCP_FIELD_DURATION, 0, "600",
                      "How long a fetched key set is used before it is refreshed", "10m"),
        plugin::field("JWKS_REFETCH_MIN_INTERVAL", FASTMCP_FIELD_DURATION, 0, "10",
                      "Minimum time between key-set fetches triggered by an unknown kid", "10s"),
        plugin::field("HTTP_TIMEOUT", FASTMCP_FIELD_DURATION, 0, "5", http_timeout_help, "5s"),
        plugin::field("TOKEN_CACHE_SIZE", FASTMCP_FIELD_INT, 0, "10000",
                      "Verified tokens remembered (by SHA-256) to skip re-verifying them; 0 "
                      "disables the cache",
                      "10000"),
        plugin::field("TOKEN_CACHE_TTL", FASTMCP_FIELD_DURATION, 0, "300",
                      "Longest time a verified token is reused before it is verified again "
                      "(exp, nbf and key rotation are always honoured)",
                      "5m"),
        plugin::field("RESOURCE_NAME", FASTMCP_FIELD_STRING, 0, nullptr,
                      "Human-readable name in the protected-resource metadata", "My MCP Server"),
        plugin::field("RESOURCE_DOCUMENTATION", FASTMCP_FIELD_URL, 0, nullptr,
                      "Documentation URL in the protected-resource metadata",
                      "https://example.com/docs"),
    };
}

// LEEWAY in whole seconds.
int64_t read_leeway_seconds(const SettingsReader &s);

// JWKS_CACHE_TTL, JWKS_REFETCH_MIN_INTERVAL and HTTP_TIMEOUT into a key-source configuration for
// `jwks_uri` (a JWKS never supplies an HMAC secret).
jwks::SourceOptions read_jwks_options(const SettingsReader &s, std::string jwks_uri,
                                      bool background);

// TOKEN_CACHE_SIZE (0..1,000,000; 0 disables) and TOKEN_CACHE_TTL (up to a day; 0 disables).
TokenCacheOptions read_token_cache_options(const SettingsReader &s);

} // namespace fastmcp::jwt
