#pragma once
// Byte-class scans over request heads. Every request's head is checked byte by byte, and most of
// it is one ~1 KB bearer token, so these look at 8 bytes per step: same answers, fewer branches.

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fastmcp::host {

// The length of the longest prefix of `s` whose bytes are all in `table`.
inline size_t leading_span(const std::array<bool, 256> &table, std::string_view s) {
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) { // no branch per byte: one AND chain, one test per 8 bytes
        unsigned all = 1;
        for (size_t j = 0; j < 8; ++j)
            all &= table[p[i + j]];
        if (!all) break;
    }
    while (i < n && table[p[i]])
        ++i;
    return i;
}

// field-value characters (RFC 9110 §5.5): HTAB, SP, VCHAR, obs-text; never CR, LF, NUL or DEL.
inline bool is_field_value_byte(unsigned char c) { return (c >= 0x20 || c == '\t') && c != 0x7f; }

inline bool is_field_value(std::string_view s) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        std::memcpy(&x, p + i, sizeof x);
        // Exact "some byte < 0x20" and "some byte == 0x7f" tests (a borrow can move which byte
        // is flagged, never whether one is). A flagged word may still be fine (HTAB): look closer.
        const uint64_t below_space = (x - kOnes * 0x20) & ~x & kHigh;
        const uint64_t del = x ^ (kOnes * 0x7f);
        const uint64_t has_del = (del - kOnes) & ~del & kHigh;
        if (below_space | has_del)
            for (size_t j = i; j < i + 8; ++j)
                if (!is_field_value_byte(p[j])) return false;
    }
    for (; i < n; ++i)
        if (!is_field_value_byte(p[i])) return false;
    return true;
}

// A byte class: ALPHA, DIGIT and the bytes of `extra`.
constexpr std::array<bool, 256> alnum_and(std::string_view extra) {
    std::array<bool, 256> t{};
    for (int c = 'A'; c <= 'Z'; ++c)
        t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] = true;
    for (int c = '0'; c <= '9'; ++c)
        t[c] = true;
    for (char c : extra)
        t[static_cast<unsigned char>(c)] = true;
    return t;
}

// b64token bytes (RFC 6750 §2.1): ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/".
inline constexpr std::array<bool, 256> kB64TokenBytes = alnum_and("-._~+/");

// The length of the longest prefix of `s` made of b64token bytes. A bearer token is most of a
// request head: 16 bytes a step where SSE2 is there (every x86-64), then the table for the rest.
inline size_t leading_b64token(std::string_view s) {
    size_t i = 0;
#if defined(__SSE2__)
    // Signed byte compares: bytes 0x80-0xff are negative, below every range here (never a match).
    const auto in = [](__m128i x, char lo, char hi) {
        return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(lo - 1))),
                             _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    for (; i + 16 <= s.size(); i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s.data() + i));
        __m128i ok = _mm_or_si128(in(x, '-', '9'), in(x, 'A', 'Z')); // "-./" and digits
        ok = _mm_or_si128(ok, in(x, 'a', 'z'));
        ok = _mm_or_si128(ok, _mm_cmpeq_epi8(x, _mm_set1_epi8('+')));
        ok = _mm_or_si128(ok, _mm_cmpeq_epi8(x, _mm_set1_epi8('_')));
        ok = _mm_or_si128(ok, _mm_cmpeq_epi8(x, _mm_set1_epi8('~')));
        if (_mm_movemask_epi8(ok) != 0xffff) break; // the table finds which byte
    }
#endif
    return i + leading_span(kB64TokenBytes, s.substr(i));
}

} // namespace fastmcp::host
