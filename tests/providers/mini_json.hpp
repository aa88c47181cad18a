// Just enough JSON reading for the test providers, which deliberately depend on nothing but the
// plugin_api headers and the standard library. Reads the flat objects the host passes to create().
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace test_providers {

// Parses a JSON string starting at s[i] == '"'; advances i past it.
inline bool read_string(std::string_view s, size_t &i, std::string &out) {
    if (i >= s.size() || s[i] != '"') return false;
    out.clear();
    for (++i; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            ++i;
            return true;
        }
        if (c == '\\' && i + 1 < s.size()) {
            char n = s[++i];
            switch (n) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': out += '?'; i += 4; break; // not needed by the tests
            default: out += n;
            }
        } else {
            out += c;
        }
    }
    return false;
}

// Position just after `"key":` at the top level of a compact object, or npos.
inline size_t find_key(std::string_view s, std::string_view key) {
    std::string needle = "\"" + std::string(key) + "\":";
    size_t p = s.find(needle);
    return p == std::string_view::npos ? p : p + needle.size();
}

inline std::string get_string(std::string_view s, std::string_view key, std::string fallback = {}) {
    size_t i = find_key(s, key);
    std::string out;
    if (i == std::string_view::npos || !read_string(s, i, out)) return fallback;
    return out;
}

inline std::string get_raw(std::string_view s, std::string_view key) {
    size_t i = find_key(s, key);
    if (i == std::string_view::npos) return {};
    size_t end = s.find_first_of(",}", i);
    return std::string(s.substr(i, end - i));
}

inline std::vector<std::string> get_strings(std::string_view s, std::string_view key) {
    std::vector<std::string> out;
    size_t i = find_key(s, key);
    if (i == std::string_view::npos || i >= s.size() || s[i] != '[') return out;
    ++i;
    std::string item;
    while (i < s.size() && s[i] != ']') {
        if (s[i] == '"' && read_string(s, i, item)) {
            out.push_back(item);
        } else {
            ++i;
        }
    }
    return out;
}

inline std::string quote(std::string_view v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

} // namespace test_providers
