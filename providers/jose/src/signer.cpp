// Minting compact JWS tokens (emulator, tests, benchmarks). Failures throw std::runtime_error:
// a signer that silently produced a broken token would only move the bug elsewhere.
#include "fastmcp/jose/signer.hpp"

#include "alg_params.hpp"
#include "fastmcp/jose/base64url.hpp"
#include "openssl_ptr.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdexcept>

namespace fastmcp::jose {

namespace {

std::string bn_bytes(EVP_PKEY *key, const char *param, size_t pad_to = 0) {
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, param, &raw) != 1)
        throw std::runtime_error("signer: key parameter missing");
    detail::BnPtr bn(raw);
    const size_t len = pad_to ? pad_to : static_cast<size_t>(BN_num_bytes(bn.get()));
    std::string out(len, '\0');
    if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char *>(out.data()),
                     static_cast<int>(len)) < 0)
        throw std::runtime_error("signer: parameter too large");
    return out;
}

const detail::EcCurve &ec_curve_of(EVP_PKEY *key) {
    char group[64] = {0};
    size_t len = 0;
    const detail::EcCurve *curve = nullptr;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) == 1)
        curve = detail::ec_curve_by_openssl_name(group);
    if (!curve) throw std::runtime_error("signer: unsupported EC curve");
    return *curve;
}

std::string signing_input(nlohmann::json &header, const nlohmann::json &payload, Alg alg) {
    header["alg"] = std::string(alg_name(alg));
    if (!header.contains("typ")) header["typ"] = "JWT";
    return base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
}

std::string sign_bytes(Alg alg, EVP_PKEY *key, std::string_view input) {
    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX *pctx = nullptr;
    const EVP_MD *md = detail::digest_for(alg);
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key) != 1)
        throw std::runtime_error("signer: key does not fit the algorithm");
    if (detail::is_pss(alg) &&
        (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1))
        throw std::runtime_error("signer: PSS setup failed");
    const auto *in = reinterpret_cast<const unsigned char *>(input.data());
    size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1)
        throw std::runtime_error("signer: sign failed");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &len, in,
                       input.size()) != 1)
        throw std::runtime_error("signer: sign failed");
    sig.resize(len);
    if (key_type_for(alg) != KeyType::EC) return sig;

    // OpenSSL signs ECDSA in DER; JWS wants r||s, each at the field size (RFC 7518 §3.4).
    const size_t half = ec_curve_of(key).field_bytes;
    const auto *p = reinterpret_cast<const unsigned char *>(sig.data());
    detail::EcdsaSigPtr es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    if (!es) throw std::runtime_error("signer: bad ECDSA signature");
    std::string out(2 * half, '\0');
    auto *o = reinterpret_cast<unsigned char *>(out.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(es.get()), o, static_cast<int>(half)) < 0 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(es.get()), o + half, static_cast<int>(half)) < 0)
        throw std::runtime_error("signer: bad ECDSA signature");
    return out;
}

} // namespace

PkeyPtr generate_key(Alg alg) {
    EVP_PKEY *key = nullptr;
    switch (key_type_for(alg)) {
    case KeyType::RSA:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
        break;
    case KeyType::EC: {
        const char *group = alg == Alg::ES256 ? "P-256" : alg == Alg::ES384 ? "P-384" : "P-521";
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group);
        break;
    }
    case KeyType::OKP:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        break;
    case KeyType::Oct:
        throw std::runtime_error("generate_key: HMAC uses a shared secret, not a key pair");
    }
    if (!key) throw std::runtime_error("generate_key: OpenSSL key generation failed");
    return PkeyPtr(key);
}

nlohmann::json public_jwk(EVP_PKEY *key, const std::string &kid, Alg alg) {
    nlohmann::json jwk;
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        jwk["kty"] = "RSA";
        jwk["n"] = base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_N));
        jwk["e"] = base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_E));
        break;
    case EVP_PKEY_EC: {
        const auto &curve = ec_curve_of(key);
        jwk["kty"] = "EC";
        jwk["crv"] = std::string(curve.jwk_name);
        jwk["x"] = base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_X, curve.field_bytes));
        jwk["y"] = base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, curve.field_bytes));
        break;
    }
    case EVP_PKEY_ED25519: {
        unsigned char raw[32];
        size_t len = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1)
            throw std::runtime_error("public_jwk: no Ed25519 key");
        jwk["kty"] = "OKP";
        jwk["crv"] = "Ed25519";
        jwk["x"] = base64url_encode(std::string_view(reinterpret_cast<const char *>(raw), len));
        break;
    }
    default:
        throw std::runtime_error("public_jwk: unsupported key type");
    }
    if (!kid.empty()) jwk["kid"] = kid;
    jwk["alg"] = std::string(alg_name(alg));
    jwk["use"] = "sig";
    return jwk;
}

std::string sign_compact(nlohmann::json header, const nlohmann::json &payload, Alg alg,
                         EVP_PKEY *key) {
    if (is_hmac(alg)) throw std::runtime_error("sign_compact: use sign_compact_hmac for HS*");
    std::string input = signing_input(header, payload, alg);
    const std::string sig = sign_bytes(alg, key, input);
    return input + "." + base64url_encode(sig);
}

std::string sign_compact_hmac(nlohmann::json header, const nlohmann::json &payload, Alg alg,
                              std::string_view secret) {
    if (!is_hmac(alg)) throw std::runtime_error("sign_compact_hmac: not an HS* algorithm");
    std::string input = signing_input(header, payload, alg);
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t len = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, detail::digest_name_for(alg), nullptr, secret.data(),
                   secret.size(), reinterpret_cast<const unsigned char *>(input.data()),
                   input.size(), mac, sizeof mac, &len))
        throw std::runtime_error("sign_compact_hmac: HMAC failed");
    return input + "." +
           base64url_encode(std::string_view(reinterpret_cast<const char *>(mac), len));
}

} // namespace fastmcp::jose
