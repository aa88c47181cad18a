// Unguessable identifiers (codes, refresh tokens, client ids, kids) and the PKCE S256 transform.
// Randomness is OpenSSL's RAND_bytes, hashing is EVP SHA-256, encoding is jose's base64url.
#pragma once

#include <string>
#include <string_view>

namespace fastmcp::emulator {

// `bytes` random bytes, base64url-encoded (32 bytes -> 43 characters).
std::string random_urlsafe(size_t bytes);
// Lowercase hex of `bytes` random bytes.
std::string random_hex(size_t bytes);
// BASE64URL(SHA256(verifier)) (RFC 7636 §4.2).
std::string s256(std::string_view verifier);
// Lowercase hex SHA-256, used to index issued tokens without keeping them.
std::string sha256_hex(std::string_view data);
// Constant-time comparison for secrets and PKCE checks.
bool equal_secret(std::string_view a, std::string_view b);

} // namespace fastmcp::emulator
