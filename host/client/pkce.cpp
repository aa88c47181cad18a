#include "pkce.hpp"

#include "fastmcp/jose/base64url.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace fastmcp::client {

std::string random_urlsafe(size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(raw.data()), static_cast<int>(bytes)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return jose::base64url_encode(raw);
}

std::string s256_challenge(std::string_view verifier) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(verifier.data(), verifier.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("EVP_Digest(SHA-256) failed");
    return jose::base64url_encode(std::string_view(reinterpret_cast<const char *>(md), len));
}

Pkce make_pkce() {
    Pkce p;
    p.verifier = random_urlsafe(32);
    p.challenge = s256_challenge(p.verifier);
    return p;
}

} // namespace fastmcp::client
