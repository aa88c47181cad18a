#pragma once
// ASCII case-insensitive comparison for HTTP tokens (header names, auth schemes, host names):
// locale-free, as RFC 9110 requires; shared by the header parsers.

#include <string_view>

namespace fastmcp::host {

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

} // namespace fastmcp::host
