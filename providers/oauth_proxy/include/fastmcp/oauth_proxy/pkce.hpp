// Randomness and PKCE (RFC 7636) for the proxy: fresh opaque values, S256 challenges, and the
// constant-time checks. OpenSSL does the work (RAND_bytes, EVP SHA-256, CRYPTO_memcmp).
#pragma once

#include <string>
#include <string_view>

namespace fastmcp::oauth_proxy {

// `bytes` random bytes as unpadded base64url (32 bytes -> 43 characters). Throws on RNG failure.
std::string random_token(size_t bytes = 32);

// BASE64URL(SHA-256(verifier)).
std::string s256_challenge(std::string_view verifier);

// Lower-case hex SHA-256: store keys for bearer-like values (codes, refresh tokens) so that a
// key listing never reveals a usable credential.
std::string sha256_hex(std::string_view data);

// RFC 7636 §4.1: 43..128 characters of [A-Za-z0-9-._~].
bool valid_verifier(std::string_view verifier);
// A client's S256 code_challenge: exactly 43 base64url characters.
bool valid_s256_challenge(std::string_view challenge);

// Constant-time equality (lengths may differ).
bool equal_constant_time(std::string_view a, std::string_view b);

} // namespace fastmcp::oauth_proxy
