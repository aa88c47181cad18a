// The signature primitive. Lengths are checked before OpenSSL sees anything: an ECDSA signature is
// exactly r||s at the curve's field size, an RSA signature exactly the modulus size.
#include "fastmcp/jose/signature.hpp"

#include "alg_params.hpp"
#include "openssl_ptr.hpp"

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <array>
#include <atomic>
#include <memory>

namespace fastmcp::jose {

namespace detail {

struct PreparedVerifiers {
    static constexpr size_t kAlgCount = static_cast<size_t>(Alg::HS512) + 1;
    std::array<std::atomic<EVP_MD_CTX *>, kAlgCount> slots{};
    ~PreparedVerifiers() {
        for (auto &slot : slots)
            EVP_MD_CTX_free(slot.load());
    }
};

void PreparedVerifiersDeleter::operator()(PreparedVerifiers *p) const noexcept { delete p; }

PreparedVerifiersPtr new_prepared_verifiers() {
    return PreparedVerifiersPtr(new PreparedVerifiers());
}

} // namespace detail

namespace {

const unsigned char *bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char *>(s.data());
}

// A fresh verification context for `alg` under `pkey`.
EVP_MD_CTX *init_verifier(Alg alg, EVP_PKEY *pkey) {
    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx) return nullptr;
    EVP_PKEY_CTX *pctx = nullptr; // owned by ctx
    const EVP_MD *md = detail::digest_for(alg);
    if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) return nullptr;
    if (detail::is_pss(alg)) {
        // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash. OpenSSL then insists on
        // exactly that salt length when verifying.
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1)
            return nullptr;
    }
    return ctx.release();
}

// The key's prepared context for `alg`, created on first use. Never used directly (a one-shot
// verify finalises its context): callers copy it.
const EVP_MD_CTX *prepared_verifier(Alg alg, const Jwk &key) {
    if (!key.prepared) return nullptr;
    auto &slot = key.prepared->slots[static_cast<size_t>(alg)];
    if (EVP_MD_CTX *ready = slot.load(std::memory_order_acquire)) return ready;
    EVP_MD_CTX *fresh = init_verifier(alg, key.pkey.get());
    if (!fresh) return nullptr;
    EVP_MD_CTX *expected = nullptr;
    if (slot.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) return fresh;
    EVP_MD_CTX_free(fresh); // another thread won the race
    return expected;
}

bool digest_verify(Alg alg, const Jwk &key, std::string_view input, const unsigned char *sig,
                   size_t sig_len) {
    detail::MdCtxPtr ctx;
    if (const EVP_MD_CTX *prepared = prepared_verifier(alg, key)) {
        ctx.reset(EVP_MD_CTX_new());
        if (ctx && EVP_MD_CTX_copy_ex(ctx.get(), prepared) != 1) ctx.reset();
    }
    if (!ctx) ctx.reset(init_verifier(alg, key.pkey.get())); // no cache, or the copy failed
    if (!ctx) return false;
    return EVP_DigestVerify(ctx.get(), sig, sig_len, bytes(input), input.size()) == 1;
}

bool verify_rsa(Alg alg, const Jwk &key, std::string_view input, std::string_view sig) {
    if (sig.size() != static_cast<size_t>(EVP_PKEY_get_size(key.pkey.get()))) return false;
    return digest_verify(alg, key, input, bytes(sig), sig.size());
}

bool verify_ecdsa(Alg alg, const Jwk &key, std::string_view input, std::string_view sig) {
    const detail::EcCurve *curve = detail::ec_curve_by_jwk_name(key.curve);
    if (!curve || sig.size() != 2 * curve->field_bytes) return false;
    // JWS carries r||s (IEEE P1363); OpenSSL verifies DER. Re-encode; never accept DER from the
    // wire.
    detail::EcdsaSigPtr es(ECDSA_SIG_new());
    if (!es) return false;
    const int half = static_cast<int>(curve->field_bytes);
    BIGNUM *r = BN_bin2bn(bytes(sig), half, nullptr);
    BIGNUM *s = BN_bin2bn(bytes(sig) + half, half, nullptr);
    if (!r || !s || ECDSA_SIG_set0(es.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return false;
    }
    unsigned char der[2 * 66 + 16]; // SEQUENCE { INTEGER r, INTEGER s } for P-521, with headroom
    if (i2d_ECDSA_SIG(es.get(), nullptr) > static_cast<int>(sizeof der)) return false;
    unsigned char *p = der;
    const int der_len = i2d_ECDSA_SIG(es.get(), &p);
    if (der_len <= 0) return false;
    return digest_verify(alg, key, input, der, static_cast<size_t>(der_len));
}

bool verify_eddsa(const Jwk &key, std::string_view input, std::string_view sig) {
    if (sig.size() != 64) return false;
    return digest_verify(Alg::EdDSA, key, input, bytes(sig), sig.size());
}

bool verify_hmac(Alg alg, const Jwk &key, std::string_view input, std::string_view sig) {
    const size_t expected_len = detail::hash_bytes(alg);
    if (sig.size() != expected_len) return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, detail::digest_name_for(alg), nullptr,
                   key.secret.data(), key.secret.size(), bytes(input), input.size(), mac,
                   sizeof mac, &mac_len))
        return false;
    return mac_len == expected_len && CRYPTO_memcmp(mac, sig.data(), mac_len) == 0;
}

} // namespace

bool verify_signature(Alg alg, const Jwk &key, std::string_view input, std::string_view signature) {
    // The key decides what it may verify: kty, curve, `alg`, HMAC secret size.
    if (!key.fits(alg)) return false;
    switch (key_type_for(alg)) {
    case KeyType::RSA:
        return verify_rsa(alg, key, input, signature);
    case KeyType::EC:
        return verify_ecdsa(alg, key, input, signature);
    case KeyType::OKP:
        return verify_eddsa(key, input, signature);
    case KeyType::Oct:
        return verify_hmac(alg, key, input, signature);
    }
    return false;
}

} // namespace fastmcp::jose
