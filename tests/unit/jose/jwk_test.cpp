// JWK / JWKS parsing: what becomes a usable key, what is skipped and why.
#include <doctest/doctest.h>

#include "jose_fixture.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace fastmcp::jose;
using namespace fastmcp::jose::testing;
using nlohmann::json;

namespace {

std::string skip_reason(const json &jwk, KeySetOptions opts = {}) {
    std::string why;
    auto key = parse_jwk(jwk, opts, why);
    return key ? std::string("usable") : why;
}

json rsa_jwk() { return keys().jwk(keys().rsa.get(), "r"); }
json ec_jwk() { return keys().jwk(keys().ec256.get(), "e"); }

std::string pem_of(EVP_PKEY *key) {
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<size_t>(len));
    BIO_free(bio);
    return pem;
}

} // namespace

TEST_CASE("JWKs of every supported type parse and fit exactly their algorithms") {
    const KeySet set = keys().keyset();
    REQUIRE(set.keys.size() == 5);
    CHECK(set.skipped.empty());
    const Jwk *rsa = set.find("rsa-1");
    REQUIRE(rsa);
    CHECK(rsa->kty == KeyType::RSA);
    CHECK(rsa->bits == 2048);
    for (Alg a : {Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256, Alg::PS384, Alg::PS512}) CHECK(rsa->fits(a));
    for (Alg a : {Alg::ES256, Alg::EdDSA, Alg::HS256}) CHECK_FALSE(rsa->fits(a));

    const Jwk *ec = set.find("ec-256");
    REQUIRE(ec);
    CHECK(ec->curve == "P-256");
    CHECK(ec->fits(Alg::ES256));
    CHECK_FALSE(ec->fits(Alg::ES384));
    CHECK_FALSE(ec->fits(Alg::RS256));
    CHECK(set.find("ec-384")->fits(Alg::ES384));
    CHECK(set.find("ec-521")->fits(Alg::ES512));
    CHECK_FALSE(set.find("ec-521")->fits(Alg::ES256));
    CHECK(set.find("ed-1")->fits(Alg::EdDSA));
    CHECK_FALSE(set.find("ed-1")->fits(Alg::ES256));
    CHECK(set.find("nope") == nullptr);
}

TEST_CASE("a key's alg narrows it to that one algorithm") {
    json j = rsa_jwk();
    j["alg"] = "PS256";
    std::string why;
    auto key = parse_jwk(j, {}, why);
    REQUIRE(key);
    CHECK(key->fits(Alg::PS256));
    CHECK_FALSE(key->fits(Alg::RS256));
    CHECK_FALSE(key->fits(Alg::PS384));
}

TEST_CASE("unusable keys are skipped with a reason") {
    auto with = [](json j, const char *name, json value) {
        j[name] = std::move(value);
        return j;
    };
    auto without = [](json j, const char *name) {
        j.erase(name);
        return j;
    };
    CHECK(skip_reason(with(rsa_jwk(), "use", "enc")) == "use is not sig");
    CHECK(skip_reason(with(rsa_jwk(), "use", 1)) == "use is not sig");
    CHECK(skip_reason(with(rsa_jwk(), "key_ops", json::array({"encrypt"}))) == "key_ops does not include verify");
    CHECK(skip_reason(with(rsa_jwk(), "key_ops", "verify")) == "key_ops does not include verify");
    CHECK(skip_reason(with(rsa_jwk(), "key_ops", json::array({"sign", "verify"}))) == "usable");
    CHECK(skip_reason(with(rsa_jwk(), "alg", "RSA-OAEP")) == "alg is not a supported signature algorithm");
    CHECK(skip_reason(with(rsa_jwk(), "alg", "none")) == "alg is not a supported signature algorithm");
    CHECK(skip_reason(with(rsa_jwk(), "alg", "ES256")) == "alg does not fit kty");
    CHECK(skip_reason(with(ec_jwk(), "alg", "ES384")) == "alg does not fit the curve");
    CHECK(skip_reason(with(rsa_jwk(), "kid", 7)) == "kid is not a string");
    CHECK(skip_reason(without(rsa_jwk(), "kty")) == "missing or non-string kty");
    CHECK(skip_reason(with(rsa_jwk(), "kty", "RSA2")) == "unsupported kty");
    CHECK(skip_reason(with(rsa_jwk(), "d", "AQAB")) == "private key material in a public key set");
    CHECK(skip_reason(without(rsa_jwk(), "n")) == "missing or non-string \"n\"");
    CHECK(skip_reason(with(rsa_jwk(), "n", "AQAB=")) == "\"n\" is not strict base64url");
    CHECK(skip_reason(json::array()) == "not a JSON object");
}

TEST_CASE("RSA keys: at least 2048 bits, a sane exponent") {
    PkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
    REQUIRE(small);
    const json small_jwk = public_jwk(small.get(), "s", Alg::RS256);
    CHECK(skip_reason(small_jwk) == "RSA key under 2048 bits");
    KeySetOptions lax;
    lax.min_rsa_bits = 1024;
    CHECK(skip_reason(small_jwk, lax) == "usable");

    json e1 = rsa_jwk();
    e1["e"] = "AQ"; // 1
    CHECK(skip_reason(e1) == "RSA public exponent unusable");
    json even = rsa_jwk();
    even["e"] = "AAEAAA"; // 65536
    CHECK(skip_reason(even) == "RSA public exponent unusable");
    json e3 = rsa_jwk();
    e3["e"] = "Aw"; // 3 is weak but legal; signatures still must verify
    CHECK(skip_reason(e3) == "usable");
}

TEST_CASE("EC keys: the point must be on the named curve, coordinates at full length") {
    json off = ec_jwk();
    std::string y = *base64url_decode(off["y"].get<std::string>());
    y.back() = static_cast<char>(y.back() ^ 1);
    off["y"] = base64url_encode(y);
    CHECK(skip_reason(off) == "EC point not on the curve");

    json short_x = ec_jwk();
    short_x["x"] = base64url_encode(base64url_decode(short_x["x"].get<std::string>())->substr(1));
    CHECK(skip_reason(short_x) == "EC coordinate length does not match the curve");

    json wrong_curve = ec_jwk();
    wrong_curve["crv"] = "P-384"; // 32-byte coordinates on a 48-byte curve
    CHECK(skip_reason(wrong_curve) == "EC coordinate length does not match the curve");
    wrong_curve["crv"] = "secp256k1";
    CHECK(skip_reason(wrong_curve) == "unsupported EC curve");
}

TEST_CASE("OKP keys: Ed25519 only, 32 bytes") {
    json ed = keys().jwk(keys().ed.get(), "d");
    CHECK(skip_reason(ed) == "usable");
    json ed448 = ed;
    ed448["crv"] = "Ed448";
    CHECK(skip_reason(ed448) == "unsupported OKP curve (only Ed25519)");
    json x25519 = ed;
    x25519["crv"] = "X25519";
    CHECK(skip_reason(x25519) == "unsupported OKP curve (only Ed25519)");
    json short_x = ed;
    short_x["x"] = base64url_encode(std::string(31, 'a'));
    CHECK(skip_reason(short_x) == "Ed25519 public key is not 32 bytes");
}

TEST_CASE("oct keys only when configured, never empty, never shorter than the hash") {
    const json oct = {{"kty", "oct"}, {"kid", "h"}, {"k", base64url_encode(std::string(32, 's'))}};
    CHECK(skip_reason(oct) == "oct (HMAC) keys are not accepted here");
    KeySetOptions allow;
    allow.allow_oct = true;
    std::string why;
    auto key = parse_jwk(oct, allow, why);
    REQUIRE(key);
    CHECK(key->fits(Alg::HS256));
    CHECK_FALSE(key->fits(Alg::HS384)); // 32-byte secret < 48-byte hash (RFC 7518 §3.2)
    CHECK_FALSE(key->fits(Alg::RS256));
    json empty = oct;
    empty["k"] = "";
    CHECK(skip_reason(empty, allow) == "empty HMAC secret");
    CHECK(key_from_secret("") == nullptr);
    CHECK(key_from_secret(std::string(64, 'x'))->fits(Alg::HS512));
}

TEST_CASE("a JWKS with one bad key among good ones keeps the good ones") {
    json doc = keys().jwks();
    json bad = ec_jwk();
    bad["kid"] = "broken";
    bad["x"] = "not base64!";
    doc["keys"].insert(doc["keys"].begin() + 1, bad);
    doc["keys"].push_back({{"kty", "RSA"}, {"kid", "enc"}, {"use", "enc"}, {"n", "AQAB"}, {"e", "AQAB"}});
    doc["keys"].push_back("not an object");
    std::string error;
    auto set = parse_jwks(doc.dump(), {}, error);
    REQUIRE(set);
    CHECK(set->keys.size() == 5);
    REQUIRE(set->skipped.size() == 3);
    CHECK(set->skipped[0].kid == "broken");
    CHECK(set->skipped[0].reason == "\"x\" is not strict base64url");
    CHECK(set->skipped[1].kid == "enc");
    CHECK(set->skipped[2].reason == "not a JSON object");
    // The good keys still verify tokens.
    const std::string token = mint(Alg::ES256, keys().ec256.get(), "ec-256");
    CHECK(verify(token, *set, good_policy({Alg::ES256}), kNow).ok());
}

TEST_CASE("JWKS documents that are unusable as a whole") {
    std::string error;
    CHECK_FALSE(parse_jwks("not json", {}, error));
    CHECK(error == "JWKS is not a JSON object");
    CHECK_FALSE(parse_jwks("[]", {}, error));
    CHECK_FALSE(parse_jwks("{\"keys\": {}}", {}, error));
    CHECK(error == "JWKS has no \"keys\" array");
    CHECK_FALSE(parse_jwks(keys().jwks().dump(), {}, error, 100));
    CHECK(error == "JWKS document over 100 bytes");
    auto empty = parse_jwks("{\"keys\": []}", {}, error);
    REQUIRE(empty);
    CHECK(empty->keys.empty());
}

TEST_CASE("JWKS limits: max_keys, duplicate kids, secrets next to public keys") {
    std::string error;
    KeySetOptions two;
    two.max_keys = 2;
    auto capped = parse_jwks(keys().jwks().dump(), two, error);
    REQUIRE(capped);
    CHECK(capped->keys.size() == 2);
    CHECK(capped->skipped.size() == 3);

    json dup = keys().jwks();
    json again = keys().jwk(keys().rsa2.get(), "rsa-1");
    dup["keys"].push_back(again);
    auto deduped = parse_jwks(dup.dump(), {}, error);
    REQUIRE(deduped);
    CHECK(deduped->find("rsa-1") == nullptr);
    CHECK(deduped->keys.size() == 4);

    json mixed = keys().jwks();
    mixed["keys"].push_back({{"kty", "oct"}, {"kid", "h"}, {"k", base64url_encode(std::string(32, 's'))}});
    KeySetOptions allow;
    allow.allow_oct = true;
    auto no_secret = parse_jwks(mixed.dump(), allow, error);
    REQUIRE(no_secret);
    CHECK(no_secret->find("h") == nullptr);
    CHECK(no_secret->skipped.back().reason == "secret key in a set with public keys");
}

TEST_CASE("keys from PEM: SubjectPublicKeyInfo and certificates") {
    std::string error;
    auto rsa = key_from_pem(pem_of(keys().rsa.get()), error);
    REQUIRE(rsa);
    CHECK(rsa->kty == KeyType::RSA);
    CHECK(rsa->fits(Alg::RS256));
    auto ec = key_from_pem(pem_of(keys().ec384.get()), error);
    REQUIRE(ec);
    CHECK(ec->curve == "P-384");
    auto ed = key_from_pem(pem_of(keys().ed.get()), error);
    REQUIRE(ed);
    CHECK(ed->kty == KeyType::OKP);

    // A self-signed certificate carrying the RSA key.
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, keys().rsa.get());
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("test"), -1, -1, 0);
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    X509_sign(cert, keys().rsa.get(), EVP_sha256());
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    const std::string cert_pem(data, static_cast<size_t>(len));
    BIO_free(bio);
    X509_free(cert);
    auto from_cert = key_from_pem(cert_pem, error);
    REQUIRE(from_cert);
    CHECK(from_cert->kty == KeyType::RSA);

    CHECK(key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", error) == nullptr);
    CHECK(error == "not a PEM public key or certificate");
    PkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
    CHECK(key_from_pem(pem_of(small.get()), error) == nullptr);
    CHECK(error == "RSA key under 2048 bits");
}
