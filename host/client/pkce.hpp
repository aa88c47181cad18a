// PKCE (RFC 7636) with S256 only, and the random `state` value. Randomness is OpenSSL's RAND_bytes,
// SHA-256 is EVP, base64url is jose's.
#pragma once

#include <string>
#include <string_view>

namespace fastmcp::client {

struct Pkce {
    std::string verifier;  // 43 characters from 32 random bytes
    std::string challenge; // BASE64URL(SHA256(verifier))
    static constexpr const char *method = "S256";
};

Pkce make_pkce();
std::string s256_challenge(std::string_view verifier);
// base64url of `bytes` random bytes.
std::string random_urlsafe(size_t bytes);

} // namespace fastmcp::client
