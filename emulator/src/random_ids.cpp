#include "random_ids.hpp"

#include "fastmcp/jose/base64url.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace fastmcp::emulator {
namespace {

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

std::string sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("EVP_Digest(SHA-256) failed");
    return std::string(reinterpret_cast<const char *>(md), len);
}

std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

} // namespace

std::string random_urlsafe(size_t bytes) { return jose::base64url_encode(random_bytes(bytes)); }
std::string random_hex(size_t bytes) { return to_hex(random_bytes(bytes)); }
std::string s256(std::string_view verifier) { return jose::base64url_encode(sha256(verifier)); }
std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

bool equal_secret(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace fastmcp::emulator
