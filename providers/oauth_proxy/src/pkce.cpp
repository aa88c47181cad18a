#include "fastmcp/oauth_proxy/pkce.hpp"

#include "fastmcp/jose/base64url.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace fastmcp::oauth_proxy {
namespace {

std::string sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return std::string(reinterpret_cast<const char *>(md), len);
}

bool unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

} // namespace

std::string random_token(size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
        throw std::runtime_error("the random number generator failed");
    return jose::base64url_encode(std::string_view(reinterpret_cast<const char *>(buf.data()), buf.size()));
}

std::string s256_challenge(std::string_view verifier) { return jose::base64url_encode(sha256(verifier)); }

std::string sha256_hex(std::string_view data) {
    static const char *hex = "0123456789abcdef";
    std::string md = sha256(data), out;
    out.reserve(md.size() * 2);
    for (unsigned char c : md) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

bool valid_verifier(std::string_view v) {
    if (v.size() < 43 || v.size() > 128) return false;
    for (char c : v)
        if (!unreserved(c)) return false;
    return true;
}

bool valid_s256_challenge(std::string_view c) { return c.size() == 43 && jose::is_base64url(c); }

bool equal_constant_time(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace fastmcp::oauth_proxy
