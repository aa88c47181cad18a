#include "client_assertion.hpp"

#include "pkce.hpp"

#include "fastmcp/jose/signer.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

namespace fastmcp::client {
namespace {

jose::PkeyPtr read_private_key(const std::string &pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (!bio) throw std::runtime_error("out of memory reading the client key");
    jose::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw std::runtime_error("the client key is not a PEM private key");
    return key;
}

jose::Alg algorithm_of(EVP_PKEY *key) {
    if (EVP_PKEY_is_a(key, "RSA")) {
        if (EVP_PKEY_get_bits(key) < 2048)
            throw std::runtime_error("the client's RSA key is shorter than 2048 bits");
        return jose::Alg::RS256;
    }
    if (EVP_PKEY_is_a(key, "EC")) {
        char curve[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof curve, &len) == 1 &&
            (std::string(curve) == "prime256v1" || std::string(curve) == "P-256"))
            return jose::Alg::ES256;
        throw std::runtime_error("the client's EC key is not on P-256 (ES256)");
    }
    throw std::runtime_error("the client key is neither RSA nor EC P-256");
}

} // namespace

std::string client_key_algorithm(const std::string &pem) {
    const auto key = read_private_key(pem);
    return std::string(jose::alg_name(algorithm_of(key.get())));
}

std::string make_client_assertion(const std::string &pem, const std::string &client_id,
                                  const std::string &audience, int64_t now) {
    const auto key = read_private_key(pem);
    const jose::Alg alg = algorithm_of(key.get());
    const nlohmann::json claims = {{"iss", client_id}, {"sub", client_id},
                                   {"aud", audience},  {"iat", now},
                                   {"exp", now + 300}, {"jti", random_urlsafe(16)}};
    return jose::sign_compact(nlohmann::json::object(), claims, alg, key.get());
}

} // namespace fastmcp::client
