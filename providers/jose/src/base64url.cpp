// Strict base64url. We validate (alphabet, length, canonical trailing bits); OpenSSL decodes.
#include "fastmcp/jose/base64url.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

namespace fastmcp::jose {

namespace {

// 6-bit value of each base64url character, -1 for everything else (including '=', '+', '/').
constexpr std::array<int8_t, 256> make_value_table() {
    std::array<int8_t, 256> t{};
    for (auto &v : t)
        v = -1;
    for (int i = 0; i < 26; ++i) {
        t['A' + i] = static_cast<int8_t>(i);
        t['a' + i] = static_cast<int8_t>(26 + i);
    }
    for (int i = 0; i < 10; ++i)
        t['0' + i] = static_cast<int8_t>(52 + i);
    t['-'] = 62;
    t['_'] = 63;
    return t;
}
constexpr auto kValue = make_value_table();

// Each base64url character as its standard-alphabet twin ('-' -> '+', '_' -> '/'), 0 for
// everything else: one lookup both validates and translates (the decode is on every request).
constexpr std::array<char, 256> make_standard_table() {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c)
        if (kValue[c] >= 0) t[c] = c == '-' ? '+' : c == '_' ? '/' : static_cast<char>(c);
    return t;
}
constexpr auto kStandard = make_standard_table();

int8_t value_of(char c) { return kValue[static_cast<unsigned char>(c)]; }

} // namespace

bool is_base64url(std::string_view in) {
    // A length of 4k+1 cannot encode whole bytes.
    const size_t rem = in.size() % 4;
    if (rem == 1) return false;
    for (char c : in)
        if (value_of(c) < 0) return false;
    if (rem == 0) return true;
    // The unused low bits of the last character must be zero, or two encodings name one value.
    const int last = value_of(in.back());
    return rem == 2 ? (last & 0x0F) == 0 : (last & 0x03) == 0;
}

bool base64url_decode_into(std::string_view in, std::string &out) {
    const size_t rem = in.size() % 4;
    if (rem == 1) return false; // a length of 4k+1 cannot encode whole bytes
    out.clear();
    if (in.empty()) return true;

    // One pass validates and translates to the standard alphabet OpenSSL decodes; then restore
    // the padding.
    const size_t padded = (in.size() + 3) / 4 * 4;
    const size_t pad = padded - in.size();
    char stack_buf[1024];
    std::string heap_buf;
    char *buf = stack_buf;
    if (padded > sizeof stack_buf) {
        heap_buf.resize(padded);
        buf = heap_buf.data();
    }
    unsigned char invalid = 0; // branch-free loop: any 0 from the table marks a bad character
    for (size_t i = 0; i < in.size(); ++i) {
        const char std_c = kStandard[static_cast<unsigned char>(in[i])];
        invalid |= static_cast<unsigned char>(std_c == 0);
        buf[i] = std_c;
    }
    if (invalid) return false;
    // The unused low bits of the last character must be zero, or two encodings name one value.
    if (rem != 0) {
        const int last = value_of(in.back());
        if ((rem == 2 ? (last & 0x0F) : (last & 0x03)) != 0) return false;
    }
    for (size_t i = in.size(); i < padded; ++i)
        buf[i] = '=';

    out.resize(padded / 4 * 3);
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                        reinterpret_cast<const unsigned char *>(buf), static_cast<int>(padded));
    // EVP_DecodeBlock counts the padding characters as decoded zero bytes: drop them.
    if (n < 0 || static_cast<size_t>(n) != out.size()) return false;
    out.resize(out.size() - pad);
    return true;
}

std::optional<std::string> base64url_decode(std::string_view in) {
    std::string out;
    if (!base64url_decode_into(in, out)) return std::nullopt;
    return out;
}

std::string base64url_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0'); // + NUL written by OpenSSL
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    while (!out.empty() && out.back() == '=')
        out.pop_back();
    for (char &c : out) {
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
    }
    return out;
}

} // namespace fastmcp::jose
