// JWK / JWKS parsing into OpenSSL EVP_PKEYs (RFC 7517, 7518, 8037).
#pragma once

#include "fastmcp/jose/alg.hpp"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace fastmcp::jose {

struct PkeyDeleter {
    void operator()(EVP_PKEY *k) const noexcept;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

namespace detail {
// Verification contexts prepared once per (key, algorithm) and copied for each call: preparing
// one (EVP_DigestVerifyInit) costs about a third of an RSA-2048 verify. Filled lazily on first
// use; safe to use from many threads. Internal to signature.cpp.
struct PreparedVerifiers;
struct PreparedVerifiersDeleter {
    void operator()(PreparedVerifiers *p) const noexcept;
};
using PreparedVerifiersPtr = std::unique_ptr<PreparedVerifiers, PreparedVerifiersDeleter>;
PreparedVerifiersPtr new_prepared_verifiers();
} // namespace detail

// One usable verification key. Immutable after parsing; shared between key-set snapshots.
struct Jwk {
    std::string kid;         // may be empty
    KeyType kty = KeyType::RSA;
    std::optional<Alg> alg;  // the key's `alg`, when it names one
    std::string curve;       // "P-256", "P-384", "P-521", "Ed25519" for EC/OKP
    int bits = 0;            // RSA modulus / EC field size
    PkeyPtr pkey;            // RSA, EC, OKP
    std::string secret;      // Oct only (HMAC)
    detail::PreparedVerifiersPtr prepared = detail::new_prepared_verifiers(); // internal cache

    // True when this key may verify `a`: kty fits, curve fits, `alg` (if set) equals `a`, and an
    // HMAC secret is at least as long as the hash (RFC 7518 §3.2).
    bool fits(Alg a) const;
    // True when `other` is the same verification key: kid, kty, alg, curve and the public key
    // (or secret) all equal. Lets a key-set refresh keep the object of an unchanged key.
    bool same_key(const Jwk &other) const;
};

struct SkippedKey {
    std::string kid;
    std::string reason; // e.g. "use is not sig", "RSA key under 2048 bits", "point not on curve"
};

struct KeySetOptions {
    bool allow_oct = false;          // HMAC secrets in a JWKS are accepted only when configured
    size_t max_keys = 100;
    int min_rsa_bits = 2048;
};

struct KeySet {
    std::vector<std::shared_ptr<const Jwk>> keys;
    std::vector<SkippedKey> skipped;

    // Key with this kid (first one), or nullptr.
    const Jwk *find(std::string_view kid) const;
};

// Parse one JWK object. nullptr (and `why`) when the key is unusable: `use` other than "sig",
// `key_ops` without "verify", an `alg` we do not implement or that does not fit the kty/curve,
// private parameters (d, p, q...), RSA under min_rsa_bits / bad exponent / ROCA-weak modulus,
// EC coordinates not at full length or off the curve, OKP other than Ed25519, oct unless allowed.
std::shared_ptr<const Jwk> parse_jwk(const nlohmann::json &jwk, const KeySetOptions &opts,
                                     std::string &why);

// Parse a JWKS document ({"keys": [...]}) of at most `max_bytes`. Unusable keys are skipped with
// a reason; the rest stay usable. Also skipped: every key whose kid appears more than once in the
// document (ambiguous), and oct secrets in a set that also holds public keys (a published secret).
// Returns nullopt (and `error`) only when the document itself is unusable (not JSON, no "keys"
// array, too large).
std::optional<KeySet> parse_jwks(std::string_view document, const KeySetOptions &opts,
                                 std::string &error, size_t max_bytes = 1 << 20);

// A public key from PEM (SubjectPublicKeyInfo, or an X.509 certificate).
std::shared_ptr<const Jwk> key_from_pem(std::string_view pem, std::string &error);
// An HMAC secret, for HS* only when explicitly configured.
std::shared_ptr<const Jwk> key_from_secret(std::string_view secret, std::string kid = {});

} // namespace fastmcp::jose
