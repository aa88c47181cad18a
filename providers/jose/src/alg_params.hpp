// Internal: per-algorithm parameters (digest, hash size, EC curve) shared by the JOSE sources.
#pragma once

#include "fastmcp/jose/alg.hpp"

#include <openssl/evp.h>

#include <cstddef>
#include <string_view>

namespace fastmcp::jose::detail {

// The digest an algorithm hashes with; nullptr for EdDSA (it hashes internally).
inline const EVP_MD *digest_for(Alg alg) {
    switch (alg) {
    case Alg::RS256: case Alg::PS256: case Alg::ES256: case Alg::HS256: return EVP_sha256();
    case Alg::RS384: case Alg::PS384: case Alg::ES384: case Alg::HS384: return EVP_sha384();
    case Alg::RS512: case Alg::PS512: case Alg::ES512: case Alg::HS512: return EVP_sha512();
    case Alg::EdDSA: return nullptr;
    }
    return nullptr;
}

// OpenSSL digest name, for EVP_Q_mac.
inline const char *digest_name_for(Alg alg) {
    switch (alg) {
    case Alg::HS256: return "SHA256";
    case Alg::HS384: return "SHA384";
    case Alg::HS512: return "SHA512";
    default: return nullptr;
    }
}

// Output size of the algorithm's hash: the minimum HMAC key size (RFC 7518 §3.2).
inline size_t hash_bytes(Alg alg) {
    switch (alg) {
    case Alg::RS256: case Alg::PS256: case Alg::ES256: case Alg::HS256: return 32;
    case Alg::RS384: case Alg::PS384: case Alg::ES384: case Alg::HS384: return 48;
    case Alg::RS512: case Alg::PS512: case Alg::ES512: case Alg::HS512: return 64;
    case Alg::EdDSA: return 0;
    }
    return 0;
}

inline bool is_pss(Alg alg) { return alg == Alg::PS256 || alg == Alg::PS384 || alg == Alg::PS512; }

// The JWK curve an ECDSA / EdDSA algorithm requires (RFC 7518 §3.4, RFC 8037 §3.1).
inline std::string_view curve_for(Alg alg) {
    switch (alg) {
    case Alg::ES256: return "P-256";
    case Alg::ES384: return "P-384";
    case Alg::ES512: return "P-521";
    case Alg::EdDSA: return "Ed25519";
    default: return {};
    }
}

struct EcCurve {
    std::string_view jwk_name;    // "P-256"
    const char *openssl_name;     // "prime256v1"
    size_t field_bytes;           // coordinate and r/s size
};

inline const EcCurve *ec_curve_by_jwk_name(std::string_view name) {
    static const EcCurve curves[] = {
        {"P-256", "prime256v1", 32}, {"P-384", "secp384r1", 48}, {"P-521", "secp521r1", 66}};
    for (const auto &c : curves)
        if (c.jwk_name == name) return &c;
    return nullptr;
}

inline const EcCurve *ec_curve_by_openssl_name(std::string_view name) {
    if (name == "prime256v1" || name == "P-256") return ec_curve_by_jwk_name("P-256");
    if (name == "secp384r1" || name == "P-384") return ec_curve_by_jwk_name("P-384");
    if (name == "secp521r1" || name == "P-521") return ec_curve_by_jwk_name("P-521");
    return nullptr;
}

} // namespace fastmcp::jose::detail
