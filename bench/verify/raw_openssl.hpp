// The raw OpenSSL ceiling for one signature check: EVP_DigestVerify on a ready EVP_PKEY and a
// fixed signing input and signature (already in OpenSSL's format: DER for ECDSA).
//   fresh:    EVP_MD_CTX_new + EVP_DigestVerifyInit + EVP_DigestVerify per call (what a plain
//             user of the EVP API does; the ratio our target is judged by)
//   prepared: EVP_MD_CTX_copy_ex of a context initialised once + EVP_DigestVerify (the trick the
//             provider itself uses; the stricter ceiling)
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace fastmcp::bench {

class RawVerifier {
public:
    // `jws_signature` is the JWS form (r||s for ECDSA); it is converted to DER once here.
    RawVerifier(EVP_PKEY *key, bool ecdsa, std::string_view signing_input,
                std::string_view jws_signature);
    ~RawVerifier();
    RawVerifier(const RawVerifier &) = delete;
    RawVerifier &operator=(const RawVerifier &) = delete;

    bool verify_fresh() const;
    bool verify_prepared() const;

private:
    EVP_PKEY *key_;
    std::string input_;
    std::string signature_; // DER for ECDSA
    EVP_MD_CTX *prepared_ = nullptr;
};

} // namespace fastmcp::bench
