// IntrospectionTokenVerifier: opaque (or any) access tokens checked by the authorization
// server's RFC 7662 endpoint, through the host's HTTP client.
//  - fail closed: an unreachable endpoint, a non-200 answer or a body that is not a JSON object
//    gives introspection_unavailable, and is never cached;
//  - results are cached for CACHE_TTL_SECONDS, never past the token's exp, in a bounded cache
//    keyed by the token's SHA-256;
//  - single-flight per token: concurrent requests presenting the same uncached token share one
//    introspection call (the first one asks; the others wait for its answer, success or failure),
//    so a burst of requests with a fresh token costs the authorization server one request;
//  - CLIENT_SECRET and tokens never appear in logs, errors or describe().
#pragma once

#include "fastmcp/introspection/introspection_cache.hpp"
#include "fastmcp/introspection/introspection_request.hpp"
#include "fastmcp/provider.hpp"
#include "fastmcp/provider_common/protected_resource.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fastmcp::introspection {

class IntrospectionTokenVerifier final : public plugin::Provider {
public:
    IntrospectionTokenVerifier(plugin::Host host, std::string_view settings_json);

    plugin::Verdict verify(std::string_view token) override;
    std::string describe_json() override;
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) override;

    uint64_t requests() const { return requests_.load(); }
    // Requests that waited for another request's introspection of the same token.
    uint64_t coalesced() const { return coalesced_.load(); }
    size_t cache_size() const { return cache_ ? cache_->size() : 0; }

private:
    // One introspection in progress; nullptr as the result means the endpoint was unusable.
    using Answer = std::shared_ptr<const Introspected>;
    Answer introspect(const TokenDigest &key, std::string_view token);
    Answer ask_endpoint(const TokenDigest &key, std::string_view token);
    void note_failure(const std::string &why);
    void note_success();

    plugin::Host host_;
    RequestTemplate request_;
    std::string client_id_;
    int64_t cache_ttl_ms_ = 60'000;
    std::unique_ptr<IntrospectionCache> cache_; // null when the TTL is 0
    provider_common::ProtectedResource resource_;
    std::vector<std::string> warnings_;

    std::mutex flights_mutex_;
    std::unordered_map<std::string, std::shared_future<Answer>> flights_; // by token digest

    std::atomic<uint64_t> requests_{0}, failures_{0}, cache_hits_{0}, coalesced_{0};
    mutable std::mutex health_mutex_;
    std::string last_error_;
    bool in_outage_ = false;
};

} // namespace fastmcp::introspection
