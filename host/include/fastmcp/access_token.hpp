// get_access_token(): the verified credential of the request being served, reachable from any tool
// handler on the request's thread. Empty when auth is off (or outside a request).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fastmcp {

// Immutable once built; shared (not copied) between the auth middleware and tool handlers.
struct AccessToken {
    std::string token; // the raw credential, byte for byte as presented
    std::string subject;
    std::string client_id;
    std::string issuer;
    std::vector<std::string> scopes;
    int64_t expires_at = 0;        // Unix seconds; 0 = the token has none
    std::string claims_json = "{}"; // all claims as a JSON object
};

// The token of the current request, or nullptr when auth is off or no request is being served.
std::shared_ptr<const AccessToken> get_access_token();

} // namespace fastmcp
