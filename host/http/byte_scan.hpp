#pragma once
// Byte-class scans over request heads. Every request's head is checked byte by byte, and most of
// it is one ~1 KB bearer token, so these look at 8 bytes per step: same answers, fewer branches.

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

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

} // namespace fastmcp::host
