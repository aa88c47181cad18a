// The proxy's own access tokens: short-lived HS256 JWTs (iss = BASE_URL, aud = the resource URL,
// jti -> the stored upstream tokens), minted with the JOSE core's signer and verified through the
// JOSE core's verify() like any other bearer JWT (algorithm pinned to HS256, issuer, audience,
// exp/nbf/iat with leeway, required scopes).
#pragma once

#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/jose/jws.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::oauth_proxy {

// 32 bytes from HKDF-SHA256 over `secret` (JWT_SIGNING_KEY, or the upstream client secret when
// none is set) with a fixed, purpose-bound info string. Throws on an empty secret.
std::string derive_signing_key(std::string_view secret);

struct ProxyTokenClaims {
    std::string subject;
    std::string client_id;
    std::vector<std::string> scopes;
    std::string jti;
    int64_t issued_at = 0;  // Unix seconds
    int64_t expires_at = 0; // Unix seconds
};

class ProxyTokens {
public:
    // `key`: the derived 32-byte HMAC key.
    ProxyTokens(std::string key, std::string issuer, std::string audience,
                std::vector<std::string> required_scopes, int64_t leeway_seconds = 60);

    std::string mint(const ProxyTokenClaims &claims) const;
    // The JOSE core's verdict on a presented token.
    jose::Result verify(std::string_view token, int64_t now_seconds) const;

    const std::string &issuer() const { return issuer_; }
    const std::string &audience() const { return audience_; }

private:
    std::string key_, issuer_, audience_;
    jose::KeySet keys_;
    jose::Policy policy_;
};

} // namespace fastmcp::oauth_proxy
