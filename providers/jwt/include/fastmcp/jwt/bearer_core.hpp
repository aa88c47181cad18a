// The generic "bearer JWT provider" core that AuthKit, JWTVerifier (and later Supabase) build on:
// a claims policy, a key source (a JWKS source or a fixed key set), and the RFC 9728
// protected-resource metadata. verify() first asks the verified-token cache (token_cache.hpp);
// on a miss it checks the token against the current key snapshot and, on an unknown kid, asks the
// source for a refetch and retries once, then caches a verified verdict.
//
// Thread-safety: verify, describe and handle_route may run concurrently; set_issuer may run
// concurrently with them (discovery calls it from the key source's worker).
#pragma once

#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/jose/jws.hpp"
#include "fastmcp/jose/policy.hpp"
#include "fastmcp/jwks/key_source.hpp"
#include "fastmcp/jwt/settings_reader.hpp"
#include "fastmcp/jwt/token_cache.hpp"
#include "fastmcp/provider.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::jwt {

inline constexpr std::string_view kProtectedResourcePath = "/.well-known/oauth-protected-resource";

struct BearerConfig {
    std::string provider_name;  // for describe and log lines, e.g. "AuthKitProvider"
    std::string base_url;       // BASE_URL without trailing slash; empty: no metadata routes
    std::string mcp_path = "/mcp";
    std::vector<std::string> authorization_servers;
    std::optional<std::string> resource_name;
    std::optional<std::string> resource_documentation;
    jose::Policy policy;
    std::vector<std::string> warnings; // configuration warnings, listed by describe()

    // Keys: a JWKS source (when jwks has a URI or a resolver) or a fixed key set.
    std::optional<jwks::SourceOptions> jwks;
    jwks::KeySetPtr static_keys;

    // Verified tokens remembered by SHA-256 (on by default; max_entries 0 disables).
    TokenCacheOptions token_cache;
};

// The resource URL a token's audience must name by default: BASE_URL + the host's MCP path.
std::string resource_url(std::string_view base_url, std::string_view mcp_path);

// AUDIENCE into the policy, the same way for every bearer provider: '*' alone is the explicit
// opt-out (warned, with `opt_out_effect` saying what it lets through), a list is used as given,
// and an empty list becomes `fallback`. Returns false when both are empty, so the caller decides.
bool read_audience(const SettingsReader &s, BearerConfig &c, std::vector<std::string> fallback,
                   std::string_view opt_out_effect);

// Maps a jose result to the plugin verdict (token byte for byte, client_id from client_id, azp,
// then sub; required_scope lists the missing scopes). The claims come from result.registered
// (verify_bearer) or else the result.claims DOM (verify). Exposed for tests. The rvalue form
// moves the claims text into the verdict instead of copying it.
plugin::Verdict to_verdict(const jose::Result &result, std::string_view token,
                           const std::vector<std::string> &required_scopes);
plugin::Verdict to_verdict(jose::Result &&result, std::string_view token,
                           const std::vector<std::string> &required_scopes);

class BearerCore {
public:
    BearerCore(plugin::Host host, BearerConfig config);
    ~BearerCore();
    BearerCore(const BearerCore &) = delete;
    BearerCore &operator=(const BearerCore &) = delete;

    // Starts the key source's background worker. Call at the end of the owner's constructor.
    void start();

    plugin::Verdict verify(std::string_view token);
    // A verified-token cache hit (exp/nbf rechecked), an immediate size rejection, or nullopt.
    std::optional<plugin::Verdict> verify_cached(std::string_view token);

    // describe() fields: resource, resource_metadata_url, issuer, authorization_servers,
    // required_scopes, audiences, algorithms, routes, warnings, health.
    nlohmann::json describe() const;
    // Serves the protected-resource document (path-suffixed and root forms).
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) const;

    // The RFC 9728 document, or a null json when there is no BASE_URL.
    nlohmann::ordered_json protected_resource_metadata() const;
    std::vector<std::string> routes() const;

    // Discovery found the issuer the IdP really uses: swap it into the policy and metadata.
    void set_issuer(const std::string &issuer);

    const std::string &resource() const { return resource_; }
    std::string resource_metadata_url() const;
    jwks::KeySource *key_source() const { return source_.get(); }
    std::shared_ptr<const jose::Policy> policy() const { return state_.load()->policy; }
    const TokenCache &token_cache() const { return cache_; }
    // Full verifications run (parse + key lookup + signature + claims): the cache's misses.
    uint64_t full_verifications() const { return full_verifications_.load(std::memory_order_relaxed); }

private:
    struct State { // swapped as a whole when discovery changes the issuer
        std::shared_ptr<const jose::Policy> policy;
        std::vector<std::string> authorization_servers;
    };

    bool pinned_key(const jwks::KeySetPtr &keys) const;
    jose::Result verify_with_pinned_key(std::string_view token, const jose::Jwk &key,
                                        const jose::Policy &policy, int64_t now) const;

    plugin::Verdict verify_uncached(std::string_view token, const TokenDigest *digest);
    std::optional<plugin::Verdict> cache_hit(const TokenDigest &digest);
    uint64_t key_generation() const noexcept { return source_ ? source_->generation() : 0; }
    bool key_in_current_set(const jose::Jwk &key) const;

    plugin::Host host_;
    BearerConfig config_;
    std::string resource_;
    jwks::SharedCell<State> state_;
    std::atomic<uint64_t> policy_generation_{0}; // bumped by set_issuer: cached verdicts lapse
    std::unique_ptr<jwks::KeySource> source_;
    TokenCache cache_;
    std::function<bool(const jose::Jwk &)> key_present_;
    std::atomic<uint64_t> full_verifications_{0};
    std::atomic<uint64_t> cache_hits_{0};   // token-cache lookups answered from the cache
    std::atomic<uint64_t> cache_misses_{0}; // lookups that ran a full verification
};

// Adds the CORS and content headers the well-known documents carry.
void set_json_document(plugin::RouteResponse &out, int status, std::string body);
// 405 / 204 handling shared by the metadata routes; returns true when the request was answered.
bool answer_non_get(const plugin::RouteRequest &request, plugin::RouteResponse &out);
// True when `path` is `route` or `route` + "/".
bool path_matches(std::string_view path, std::string_view route);

} // namespace fastmcp::jwt
