// Minting compact JWS tokens: for the AuthKit emulator, tests and benchmarks. Not used to verify.
#pragma once

#include "fastmcp/jose/alg.hpp"
#include "fastmcp/jose/jwk.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace fastmcp::jose {

// A fresh private key for `alg` (RSA 2048 for RS/PS, the alg's curve for ES, Ed25519 for EdDSA).
PkeyPtr generate_key(Alg alg);
// The public JWK of a private key, with kid/alg/use set.
nlohmann::json public_jwk(EVP_PKEY *key, const std::string &kid, Alg alg);
// header gets "alg" (and "typ":"JWT" unless present) filled in; signature in JWS form (P1363 for EC).
std::string sign_compact(nlohmann::json header, const nlohmann::json &payload, Alg alg, EVP_PKEY *key);
std::string sign_compact_hmac(nlohmann::json header, const nlohmann::json &payload, Alg alg,
                              std::string_view secret);

} // namespace fastmcp::jose
