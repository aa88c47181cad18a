// Fuzz target: the scopes / list parser (fastmcp::env::parse_scopes, parse_list).
// Invariants: only ValueError escapes; scopes are non-empty, free of blanks, quotes and
// backslashes, and unique; parse_scopes is parse_list deduplicated; and a parsed scope list joined
// with spaces parses back to itself.
#include "fuzz_support.hpp"

#include "fastmcp/env/error.hpp"
#include "fastmcp/env/scopes.hpp"

#include <algorithm>
#include <set>
#include <string>

namespace {
constexpr const char *kTarget = "scopes";

bool has_forbidden(const std::string &s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '"' || c == '\\';
    });
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace fastmcp;
    const std::string_view input = fuzz::as_view(data, size);
    std::vector<std::string> scopes;
    bool scopes_ok = true;
    try {
        scopes = env::parse_scopes(input);
    } catch (const env::ValueError &) {
        scopes_ok = false;
    }
    std::vector<std::string> list;
    bool list_ok = true;
    try {
        list = env::parse_list(input);
    } catch (const env::ValueError &) {
        list_ok = false;
    }
    if (!scopes_ok) return 0;
    if (!list_ok) fuzz::invariant_failed(kTarget, "parse_scopes accepted what parse_list refused");

    std::set<std::string> seen;
    for (const auto &s : scopes) {
        if (s.empty()) fuzz::invariant_failed(kTarget, "empty scope");
        if (has_forbidden(s)) fuzz::invariant_failed(kTarget, "scope with a blank, quote or backslash");
        if (!seen.insert(s).second) fuzz::invariant_failed(kTarget, "duplicate scope kept");
    }
    std::vector<std::string> dedup;
    for (const auto &s : list)
        if (std::find(dedup.begin(), dedup.end(), s) == dedup.end()) dedup.push_back(s);
    if (dedup != scopes) fuzz::invariant_failed(kTarget, "parse_scopes differs from deduplicated parse_list");

    // Space-joined scopes that contain no bracket re-parse to themselves (a JSON-array input may hold
    // commas or brackets inside a scope, which the plain list syntax cannot express).
    bool plain = std::none_of(scopes.begin(), scopes.end(),
                              [](const std::string &s) { return s.find_first_of(",[]{") != std::string::npos; });
    if (plain && !scopes.empty()) {
        std::string joined;
        for (const auto &s : scopes) joined += (joined.empty() ? "" : " ") + s;
        try {
            if (env::parse_scopes(joined) != scopes) fuzz::invariant_failed(kTarget, "space-joined scopes re-parse differently");
        } catch (const env::ValueError &) {
            fuzz::invariant_failed(kTarget, "space-joined scopes do not re-parse");
        }
    }
    return 0;
}
