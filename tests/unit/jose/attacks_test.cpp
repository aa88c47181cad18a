// Known attacks on JWT verifiers (RFC 8725 §2, CVE-2015-9235, CVE-2016-10555, CVE-2022-21449,
// jwt-cpp's long-ECDSA bug): each must fail.
#include <doctest/doctest.h>

#include "fastmcp/jose/signature.hpp"
#include "jose_fixture.hpp"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace fastmcp::jose;
using namespace fastmcp::jose::testing;
using nlohmann::json;

namespace {

std::string rsa_public_pem() {
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, keys().rsa.get());
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<size_t>(len));
    BIO_free(bio);
    return pem;
}

std::string rsa_public_der() {
    unsigned char *der = nullptr;
    const int len = i2d_PUBKEY(keys().rsa.get(), &der);
    std::string out(reinterpret_cast<char *>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    return out;
}

// P1363 r||s -> DER SEQUENCE { r, s }.
std::string p1363_to_der(const std::string &sig) {
    const int half = static_cast<int>(sig.size() / 2);
    ECDSA_SIG *es = ECDSA_SIG_new();
    ECDSA_SIG_set0(
        es, BN_bin2bn(reinterpret_cast<const unsigned char *>(sig.data()), half, nullptr),
        BN_bin2bn(reinterpret_cast<const unsigned char *>(sig.data()) + half, half, nullptr));
    unsigned char *der = nullptr;
    const int len = i2d_ECDSA_SIG(es, &der);
    std::string out(reinterpret_cast<char *>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    return out;
}

std::string with_signature(const std::string &token, const std::string &sig_bytes) {
    Parts p = split(token);
    p.signature = b64(sig_bytes);
    return join(p);
}

} // namespace

TEST_CASE("HS256 signed with the RSA public key's bytes (PEM and DER) is rejected") {
    // The verifier is configured for both families, as a careless config would be.
    const Policy p = good_policy({Alg::RS256, Alg::HS256});
    for (const std::string &secret : {rsa_public_pem(), rsa_public_der()}) {
        const std::string with_kid =
            sign_compact_hmac({{"kid", "rsa-1"}}, good_claims(), Alg::HS256, secret);
        CHECK(verify(with_kid, jwks(), p, kNow).reason == FASTMCP_REASON_ALG_KEY_MISMATCH);
        const std::string no_kid = sign_compact_hmac({}, good_claims(), Alg::HS256, secret);
        CHECK(verify(no_kid, jwks(), p, kNow).reason == FASTMCP_REASON_NO_MATCHING_KEY);
    }
    // Same with a key loaded from PEM (the JWTVerifier PUBLIC_KEY path).
    std::string error;
    KeySet pem_set;
    pem_set.keys.push_back(key_from_pem(rsa_public_pem(), error));
    const std::string forged = sign_compact_hmac({}, good_claims(), Alg::HS256, rsa_public_pem());
    CHECK(verify(forged, pem_set, p, kNow).reason == FASTMCP_REASON_NO_MATCHING_KEY);
    // And the primitive itself never treats a public key as an HMAC secret.
    const Parts parts = split(forged);
    CHECK_FALSE(verify_signature(Alg::HS256, *pem_set.keys[0], parts.header + "." + parts.payload,
                                 *base64url_decode(parts.signature)));
}

TEST_CASE("HS256 is not accepted from a configured secret unless HS256 is allowed") {
    KeySet secret_set;
    secret_set.keys.push_back(key_from_secret(keys().secret));
    const std::string token = sign_compact_hmac({}, good_claims(), Alg::HS256, keys().secret);
    CHECK(verify(token, secret_set, good_policy(), kNow).reason == FASTMCP_REASON_ALG_NOT_ALLOWED);
    CHECK(verify(token, secret_set, good_policy({Alg::HS256}), kNow).ok());
    // A secret shorter than the hash is not usable for that hash.
    KeySet short_set;
    short_set.keys.push_back(key_from_secret("short"));
    const std::string weak = sign_compact_hmac({}, good_claims(), Alg::HS256, "short");
    CHECK(verify(weak, short_set, good_policy({Alg::HS256}), kNow).reason ==
          FASTMCP_REASON_NO_MATCHING_KEY);
}

TEST_CASE("alg none is rejected however it is spelled or signed") {
    const std::string payload = b64(good_claims());
    for (const char *alg : {"none", "None", "NONE", "nOnE"}) {
        for (const std::string &sig : {std::string(), std::string("AAAA")}) {
            const std::string token =
                b64(json{{"alg", alg}, {"kid", "rsa-1"}}) + "." + payload + "." + sig;
            CAPTURE(token);
            CHECK(verify(token, jwks(), good_policy(), kNow).reason ==
                  FASTMCP_REASON_ALG_NOT_ALLOWED);
        }
    }
}

TEST_CASE("embedded jwk, jku, x5u, x5c headers never supply the key") {
    const json attacker_jwk = public_jwk(keys().attacker_ec.get(), "ec-256", Alg::ES256);
    const Policy p = good_policy({Alg::ES256});
    const json headers[] = {
        {{"jwk", attacker_jwk}},
        {{"jku", "https://attacker.example/jwks.json"}},
        {{"x5u", "https://attacker.example/cert.pem"}},
        {{"x5c", json::array({"MIIBattacker"})}},
    };
    for (const json &h : headers) {
        CAPTURE(h.dump());
        // Signed by the attacker, naming our kid, and without a kid.
        CHECK(verify(mint(Alg::ES256, keys().attacker_ec.get(), "ec-256", good_claims(), h), jwks(),
                     p, kNow)
                  .reason == FASTMCP_REASON_BAD_SIGNATURE);
        CHECK(verify(mint(Alg::ES256, keys().attacker_ec.get(), "", good_claims(), h), jwks(), p,
                     kNow)
                  .reason == FASTMCP_REASON_BAD_SIGNATURE);
        // The header is ignored, not fatal: a genuine token carrying it still verifies with our
        // key.
        CHECK(verify(mint(Alg::ES256, keys().ec256.get(), "ec-256", good_claims(), h), jwks(), p,
                     kNow)
                  .ok());
    }
    // An attacker kid that only the embedded jwk would satisfy.
    CHECK(verify(mint(Alg::ES256, keys().attacker_ec.get(), "attacker", good_claims(),
                      {{"jwk", attacker_jwk}}),
                 jwks(), p, kNow)
              .reason == FASTMCP_REASON_UNKNOWN_KID);
}

TEST_CASE("ECDSA signatures must be exactly r||s at the field size") {
    const Policy p = good_policy({Alg::ES256});
    const std::string token = mint(Alg::ES256, keys().ec256.get(), "ec-256");
    REQUIRE(verify(token, jwks(), p, kNow).ok());
    const std::string sig = *base64url_decode(split(token).signature);
    REQUIRE(sig.size() == 64);
    CHECK(verify(with_signature(token, sig + std::string(1, '\0')), jwks(), p, kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify(with_signature(token, sig + sig), jwks(), p, kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify(with_signature(token, std::string(1, '\0') + sig), jwks(), p, kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify(with_signature(token, sig.substr(0, 63)), jwks(), p, kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    // The same signature DER-encoded (what OpenSSL itself produces) is not JWS.
    CHECK(verify(with_signature(token, p1363_to_der(sig)), jwks(), p, kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    // r = s = 0 ("psychic signatures", CVE-2022-21449).
    CHECK(verify(with_signature(token, std::string(64, '\0')), jwks(), p, kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    // P-521: 132 bytes exactly.
    const std::string t521 = mint(Alg::ES512, keys().ec521.get(), "ec-521");
    const std::string s521 = *base64url_decode(split(t521).signature);
    CHECK(s521.size() == 132);
    CHECK(verify(with_signature(t521, s521 + std::string(1, '\0')), jwks(),
                 good_policy({Alg::ES512}), kNow)
              .reason == FASTMCP_REASON_BAD_SIGNATURE);
}

TEST_CASE("RSA signatures must be exactly the modulus length") {
    const std::string token = mint(Alg::RS256, keys().rsa.get(), "rsa-1");
    const std::string sig = *base64url_decode(split(token).signature);
    REQUIRE(sig.size() == 256);
    // A leading zero keeps the same integer: lenient verifiers accept it.
    CHECK(verify(with_signature(token, std::string(1, '\0') + sig), jwks(), good_policy(), kNow)
              .reason == FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify(with_signature(token, sig + std::string(1, '\0')), jwks(), good_policy(), kNow)
              .reason == FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify(with_signature(token, sig.substr(1)), jwks(), good_policy(), kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify(with_signature(token, std::string()), jwks(), good_policy(), kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
}

TEST_CASE("Ed25519 signatures must be 64 bytes") {
    const Policy p = good_policy({Alg::EdDSA});
    const std::string token = mint(Alg::EdDSA, keys().ed.get(), "ed-1");
    REQUIRE(verify(token, jwks(), p, kNow).ok());
    const std::string sig = *base64url_decode(split(token).signature);
    CHECK(verify(with_signature(token, sig + std::string(1, '\0')), jwks(), p, kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify(with_signature(token, sig.substr(0, 63)), jwks(), p, kNow).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
}

TEST_CASE(
    "a key's alg pins it: an RS256 key cannot verify PS256 even with a valid PS256 signature") {
    json j = keys().jwk(keys().rsa.get(), "pinned");
    j["alg"] = "RS256";
    std::string error;
    const KeySet set = *parse_jwks(json{{"keys", {j}}}.dump(), {}, error);
    const Policy p = good_policy({Alg::RS256, Alg::PS256});
    CHECK(verify(mint(Alg::RS256, keys().rsa.get(), "pinned"), set, p, kNow).ok());
    CHECK(verify(mint(Alg::PS256, keys().rsa.get(), "pinned"), set, p, kNow).reason ==
          FASTMCP_REASON_ALG_KEY_MISMATCH);
}

TEST_CASE("an oversized token is refused before it is decoded") {
    const std::string huge = std::string(16 * 1024 + 1, 'A');
    CHECK(verify(huge, jwks(), good_policy(), kNow).reason == FASTMCP_REASON_TOKEN_TOO_LARGE);
    CHECK(verify_jws(huge, jwks(), good_policy()).reason == FASTMCP_REASON_TOKEN_TOO_LARGE);
}
