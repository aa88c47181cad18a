// The auth backend the HTTP layer talks to. It knows nothing of dlopen or JWTs: a provider loaded
// from a shared object is adapted to it by ProviderBackend (provider_backend.hpp), and tests or
// applications may implement it directly.
#pragma once

#include "fastmcp/access_token.hpp"
#include "fastmcp/auth_plugin.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastmcp {

struct AuthVerdict {
    fastmcp_reason reason = FASTMCP_REASON_INTERNAL_ERROR;
    std::string description;    // short text for error_description; never holds the token
    std::string required_scope; // space-separated, with INSUFFICIENT_SCOPE
    std::shared_ptr<const AccessToken> token; // set when reason is OK

    bool ok() const { return reason == FASTMCP_REASON_OK && token != nullptr; }
};

// What the live backend says about itself (from the provider's describe()).
struct AuthInfo {
    std::string resource;              // the protected resource URL (BASE_URL + mcp path)
    std::string resource_metadata_url; // RFC 9728 document URL, put in every challenge
    std::string issuer;
    std::vector<std::string> required_scopes;
    std::vector<std::string> routes; // paths served through handle_route
    std::string describe_json;       // the raw document, for diagnostics
};

struct RouteRequest {
    std::string_view method;
    std::string_view path;
    std::string_view query;
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    std::string_view body; // POST routes
};

struct RouteResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

class AuthBackend {
public:
    virtual ~AuthBackend() = default;
    // Thread-safe. Must not throw; failures come back as INTERNAL_ERROR verdicts.
    virtual AuthVerdict verify(std::string_view token) const = 0;
    // Thread-safe, never blocks (the event loop calls it): the verdict from what the backend
    // already holds (a verified-token cache), or nullopt when verify() must run on a worker.
    virtual std::optional<AuthVerdict> verify_cached(std::string_view) const { return std::nullopt; }
    virtual const AuthInfo &info() const = 0;
    // Thread-safe. nullopt when the path is not the backend's.
    virtual std::optional<RouteResponse> handle_route(const RouteRequest &request) const = 0;
    // A fresh describe() document (its "health" object feeds /readyz and /metrics). Thread-safe.
    // Default: the start-up document, for backends that cannot say more.
    virtual std::string live_describe_json() const { return info().describe_json; }
};

} // namespace fastmcp
