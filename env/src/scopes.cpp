#include "fastmcp/env/scopes.hpp"

#include "fastmcp/env/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace fastmcp::env {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

constexpr const char *kJsonRule =
    "a value starting with '[' must be a JSON array of non-empty strings, e.g. [\"openid\",\"profile\"]";

std::vector<std::string> parse_json_array(std::string_view v, bool scopes) {
    nlohmann::json j = nlohmann::json::parse(v, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw ValueError("not valid JSON: " + std::string(kJsonRule));
    if (!j.is_array()) throw ValueError(std::string("not a JSON array: ") + kJsonRule);
    std::vector<std::string> out;
    for (const auto &item : j) {
        if (!item.is_string())
            throw ValueError("JSON array item " + item.dump() + " is not a string: " + kJsonRule);
        std::string s = item.get<std::string>();
        if (trim(s).empty()) throw ValueError(std::string("JSON array holds an empty string: ") + kJsonRule);
        if (scopes && std::any_of(s.begin(), s.end(), [](char c) { return is_blank(c) || c == '"' || c == '\\'; }))
            throw ValueError("scope \"" + s + "\" contains a blank, quote or backslash (RFC 6749 scope-token)");
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::string> split(std::string_view v, bool scopes) {
    v = trim(v);
    if (v.empty()) return {};
    if (v.front() == '[') return parse_json_array(v, scopes);
    if (v.front() == '{')
        throw ValueError(std::string("a JSON object is not a list: ") + kJsonRule +
                         ", or a comma/space-separated list");
    std::vector<std::string> out;
    std::string cur;
    for (char c : v) {
        if (c == ',' || is_blank(c)) {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    if (scopes)
        for (const auto &s : out)
            if (s.find_first_of("\"\\[]") != std::string::npos)
                throw ValueError("scope '" + s +
                                 "' contains a quote, backslash or bracket; write a comma/space list "
                                 "or a JSON array of strings");
    return out;
}

} // namespace

std::vector<std::string> parse_scopes(std::string_view value) {
    std::vector<std::string> out;
    for (auto &s : split(value, true))
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    return out;
}

std::vector<std::string> parse_list(std::string_view value) { return split(value, false); }

} // namespace fastmcp::env
