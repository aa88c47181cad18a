// The signature primitive: one algorithm, one key, one input. Used by the JWS verifier and run
// directly against the raw Wycheproof vectors.
#pragma once

#include "fastmcp/jose/alg.hpp"
#include "fastmcp/jose/jwk.hpp"

#include <string_view>

namespace fastmcp::jose {

// True only when `signature` is a valid `alg` signature of `input` under `key`. ECDSA signatures
// must be exactly the P1363 size (r||s); RSA signatures exactly the modulus size. HMAC compares in
// constant time. Never throws.
bool verify_signature(Alg alg, const Jwk &key, std::string_view input, std::string_view signature);

} // namespace fastmcp::jose
