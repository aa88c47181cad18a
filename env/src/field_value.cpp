#include "fastmcp/env/field_value.hpp"

#include "fastmcp/env/error.hpp"
#include "fastmcp/env/scopes.hpp"
#include "fastmcp/env/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace fastmcp::env {
namespace {

std::string trimmed_lower(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

} // namespace

bool parse_bool(std::string_view value) {
    const std::string v = trimmed_lower(value);
    if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "0" || v == "no" || v == "off") return false;
    throw ValueError("not a boolean: '" + std::string(value) + "' (use true/false, 1/0, yes/no, on/off)");
}

long long parse_int(std::string_view value) {
    std::string v = trimmed_lower(value);
    const char *b = v.data();
    const char *e = v.data() + v.size();
    if (b != e && *b == '+') ++b;
    long long out = 0;
    auto [p, ec] = std::from_chars(b, e, out);
    if (v.empty() || ec == std::errc::result_out_of_range)
        throw ValueError("not an integer in range: '" + std::string(value) + "'");
    if (ec != std::errc() || p != e) throw ValueError("not an integer: '" + std::string(value) + "'");
    return out;
}

double parse_duration(std::string_view value) {
    const std::string v = trimmed_lower(value);
    const std::string why = "not a duration: '" + std::string(value) +
                            "' (a non-negative number of seconds, or with a unit: 500ms, 60s, 10m, 1h)";
    size_t i = 0;
    while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) ++i;
    const std::string number = v.substr(0, i);
    const std::string unit = v.substr(i);
    if (number.empty() || std::count(number.begin(), number.end(), '.') > 1 || number.front() == '.' ||
        number.back() == '.')
        throw ValueError(why);
    double n = 0;
    auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    if (ec != std::errc() || p != number.data() + number.size() || !std::isfinite(n)) throw ValueError(why);
    if (unit.empty() || unit == "s") return n;
    if (unit == "ms") return n / 1000.0;
    if (unit == "m") return n * 60.0;
    if (unit == "h") return n * 3600.0;
    throw ValueError(why);
}

nlohmann::json parse_field_value(fastmcp_field_type type, std::string_view value,
                                 std::vector<std::string> *notices) {
    switch (type) {
    case FASTMCP_FIELD_STRING:
        return std::string(value);
    case FASTMCP_FIELD_URL: {
        UrlValue u = parse_url(value);
        if (notices) notices->insert(notices->end(), u.notices.begin(), u.notices.end());
        return u.url;
    }
    case FASTMCP_FIELD_SCOPES:
        return parse_scopes(value);
    case FASTMCP_FIELD_LIST:
        return parse_list(value);
    case FASTMCP_FIELD_BOOL:
        return parse_bool(value);
    case FASTMCP_FIELD_INT:
        return parse_int(value);
    case FASTMCP_FIELD_DURATION: {
        double s = parse_duration(value);
        // Whole seconds print as an integer ("60", not "60.0").
        if (s == std::floor(s) && s < 9.0e15) return static_cast<long long>(s);
        return s;
    }
    case FASTMCP_FIELD_JSON: {
        nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
        if (j.is_discarded()) throw ValueError("not valid JSON");
        return j;
    }
    }
    throw ValueError("unknown field type " + std::to_string(static_cast<int>(type)));
}

const char *field_type_name(uint32_t type) {
    switch (type) {
    case FASTMCP_FIELD_STRING: return "string";
    case FASTMCP_FIELD_URL: return "url";
    case FASTMCP_FIELD_SCOPES: return "scopes";
    case FASTMCP_FIELD_BOOL: return "bool";
    case FASTMCP_FIELD_INT: return "int";
    case FASTMCP_FIELD_DURATION: return "duration";
    case FASTMCP_FIELD_LIST: return "list";
    case FASTMCP_FIELD_JSON: return "json";
    default: return "unknown";
    }
}

} // namespace fastmcp::env
