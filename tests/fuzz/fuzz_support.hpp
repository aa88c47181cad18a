// Shared bits of the fuzz targets: a loud failure for broken invariants (libFuzzer and the corpus
// replay test both treat the abort as a crash), and input splitting helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace fastmcp::fuzz {

[[noreturn]] inline void invariant_failed(const char *target, const char *what) {
    std::fprintf(stderr, "fuzz invariant broken in %s: %s\n", target, what);
    std::abort();
}

inline std::string_view as_view(const uint8_t *data, size_t size) {
    return {reinterpret_cast<const char *>(data), size};
}

// Splits on `sep`, keeping empty pieces ("a\n\nb" -> "a", "", "b").
inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        size_t at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}

} // namespace fastmcp::fuzz
