// Shared test material: key pairs generated once per process, a JWKS over their public halves,
// and helpers to mint and tamper with tokens.
#pragma once

#include "fastmcp/jose/base64url.hpp"
#include "fastmcp/jose/jws.hpp"
#include "fastmcp/jose/signer.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace fastmcp::jose::testing {

inline constexpr int64_t kNow = 1'700'000'000;

struct TestKeys {
    PkeyPtr rsa = generate_key(Alg::RS256);
    PkeyPtr rsa2 = generate_key(Alg::RS256);
    PkeyPtr ec256 = generate_key(Alg::ES256);
    PkeyPtr ec384 = generate_key(Alg::ES384);
    PkeyPtr ec521 = generate_key(Alg::ES512);
    PkeyPtr ed = generate_key(Alg::EdDSA);
    PkeyPtr attacker_ec = generate_key(Alg::ES256);
    std::string secret = std::string(32, 'k') + "-a-shared-secret";

    // Public JWKs, without `alg` so that only kty/curve bind them.
    nlohmann::json jwk(EVP_PKEY *key, const std::string &kid) const {
        auto j = public_jwk(key, kid, Alg::RS256);
        j.erase("alg");
        return j;
    }
    nlohmann::json jwks() const {
        return {{"keys",
                 {jwk(rsa.get(), "rsa-1"), jwk(ec256.get(), "ec-256"), jwk(ec384.get(), "ec-384"),
                  jwk(ec521.get(), "ec-521"), jwk(ed.get(), "ed-1")}}};
    }
    KeySet keyset() const {
        std::string error;
        auto set = parse_jwks(jwks().dump(), KeySetOptions{}, error);
        return set ? std::move(*set) : KeySet{};
    }
};

inline const TestKeys &keys() {
    static const TestKeys k;
    return k;
}

// The test keys' public set, built once.
inline const KeySet &jwks() {
    static const KeySet set = keys().keyset();
    return set;
}

inline nlohmann::json good_claims() {
    return {{"iss", "https://issuer.example"},
            {"aud", "https://api.example/mcp"},
            {"sub", "user-1"},
            {"exp", kNow + 600},
            {"iat", kNow - 10},
            {"nbf", kNow - 10},
            {"scope", "read write"}};
}

inline Policy good_policy(std::vector<Alg> algs = {Alg::RS256}) {
    Policy p;
    p.allowed_algs = std::move(algs);
    p.issuers = {"https://issuer.example"};
    p.audiences = {"https://api.example/mcp"};
    return p;
}

inline std::string mint(Alg alg, EVP_PKEY *key, const std::string &kid,
                        nlohmann::json claims = good_claims(),
                        nlohmann::json header = nlohmann::json::object()) {
    if (!kid.empty()) header["kid"] = kid;
    return sign_compact(std::move(header), claims, alg, key);
}

// Parts of a compact token.
struct Parts {
    std::string header, payload, signature;
};
inline Parts split(const std::string &token) {
    const size_t a = token.find('.'), b = token.find('.', a + 1);
    return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}
inline std::string join(const Parts &p) { return p.header + "." + p.payload + "." + p.signature; }
inline std::string b64(const std::string &s) { return base64url_encode(s); }
inline std::string b64(const nlohmann::json &j) { return base64url_encode(j.dump()); }

inline std::string reason(const Result &r) { return fastmcp_reason_name(r.reason); }

} // namespace fastmcp::jose::testing
