#include "bearer_header.hpp"
#include "http/ascii_case.hpp"
#include "http/byte_scan.hpp"

namespace fastmcp::host {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_b64token(std::string_view t) {
    size_t i = leading_b64token(t); // every request scans ~1 KB of token
    if (i == 0) return false;
    for (; i < t.size(); ++i)
        if (t[i] != '=') return false;
    return true;
}

// "<b64token>, Bearer ..." is two credentials joined into one field (a proxy merging duplicate
// Authorization headers): a malformed request, not a malformed token.
bool joins_another_bearer(std::string_view credentials) {
    const size_t comma = credentials.find(',');
    if (comma == std::string_view::npos) return false;
    std::string_view next = credentials.substr(comma + 1);
    while (!next.empty() && is_space(next.front()))
        next.remove_prefix(1);
    size_t end = 0;
    while (end < next.size() && !is_space(next[end]))
        ++end;
    return iequals(next.substr(0, end), "bearer");
}

} // namespace

BearerExtraction extract_bearer(const std::vector<std::string_view> &values) {
    BearerExtraction out;
    if (values.empty()) return out;
    if (values.size() > 1) {
        out.kind = BearerExtraction::Kind::Duplicate;
        out.description = "more than one Authorization header";
        return out;
    }
    std::string_view v = values.front();
    while (!v.empty() && is_space(v.front()))
        v.remove_prefix(1);
    while (!v.empty() && is_space(v.back()))
        v.remove_suffix(1);
    size_t scheme_end = 0;
    while (scheme_end < v.size() && !is_space(v[scheme_end]))
        ++scheme_end;
    if (!iequals(v.substr(0, scheme_end), "bearer"))
        return out; // another scheme: no bearer credentials
    std::string_view rest = v.substr(scheme_end);
    while (!rest.empty() && is_space(rest.front()))
        rest.remove_prefix(1);
    if (joins_another_bearer(rest)) {
        out.kind = BearerExtraction::Kind::Duplicate;
        out.description = "more than one Bearer credential in the Authorization header";
        return out;
    }
    if (!is_b64token(rest)) {
        out.kind = BearerExtraction::Kind::Malformed;
        out.description = rest.empty() ? "the Bearer credentials are empty"
                                       : "the Bearer credentials are not a b64token";
        return out;
    }
    out.kind = BearerExtraction::Kind::Token;
    out.token = rest;
    return out;
}

bool query_has_access_token(std::string_view query) {
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view param = query.substr(0, amp);
        std::string_view name = param.substr(0, param.find('='));
        if (iequals(name, "access_token")) return true;
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return false;
}

} // namespace fastmcp::host
