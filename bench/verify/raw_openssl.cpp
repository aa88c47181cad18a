#include "raw_openssl.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <stdexcept>

namespace fastmcp::bench {
namespace {

const unsigned char *bytes(const std::string &s) { return reinterpret_cast<const unsigned char *>(s.data()); }

std::string p1363_to_der(std::string_view sig) {
    ECDSA_SIG *es = ECDSA_SIG_new();
    const int half = static_cast<int>(sig.size() / 2);
    auto *raw = reinterpret_cast<const unsigned char *>(sig.data());
    ECDSA_SIG_set0(es, BN_bin2bn(raw, half, nullptr), BN_bin2bn(raw + half, half, nullptr));
    unsigned char *der = nullptr;
    const int n = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    if (n <= 0) throw std::runtime_error("ECDSA signature does not convert to DER");
    std::string out(reinterpret_cast<char *>(der), static_cast<size_t>(n));
    OPENSSL_free(der);
    return out;
}

} // namespace

RawVerifier::RawVerifier(EVP_PKEY *key, bool ecdsa, std::string_view signing_input,
                         std::string_view jws_signature)
    : key_(key), input_(signing_input),
      signature_(ecdsa ? p1363_to_der(jws_signature) : std::string(jws_signature)) {
    prepared_ = EVP_MD_CTX_new();
    if (!prepared_ || EVP_DigestVerifyInit(prepared_, nullptr, EVP_sha256(), nullptr, key_) != 1)
        throw std::runtime_error("EVP_DigestVerifyInit failed");
}

RawVerifier::~RawVerifier() { EVP_MD_CTX_free(prepared_); }

bool RawVerifier::verify_fresh() const {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
              EVP_DigestVerify(ctx, bytes(signature_), signature_.size(), bytes(input_),
                               input_.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

bool RawVerifier::verify_prepared() const {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_MD_CTX_copy_ex(ctx, prepared_) == 1 &&
              EVP_DigestVerify(ctx, bytes(signature_), signature_.size(), bytes(input_),
                               input_.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

} // namespace fastmcp::bench
