#include "origin_guard.hpp"
#include "ascii_case.hpp"

namespace fastmcp::host {
namespace {

bool all_digits(std::string_view s) {
    if (s.empty() || s.size() > 5) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// host[:port] where host is a loopback name.
bool loopback_authority(std::string_view authority) {
    std::string_view host = authority;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return false;
        host = authority.substr(0, close + 1);
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || !all_digits(rest.substr(1)))) return false;
        return host == "[::1]";
    }
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
        if (!all_digits(authority.substr(colon + 1))) return false;
        host = authority.substr(0, colon);
    }
    return iequals(host, "localhost") || host == "127.0.0.1";
}

} // namespace

bool is_loopback_bind(std::string_view h) {
    return iequals(h, "localhost") || h == "::1" || h == "[::1]" || h.substr(0, 4) == "127.";
}

bool is_loopback_host_header(std::string_view host) { return loopback_authority(host); }

bool is_loopback_origin(std::string_view origin) {
    std::string_view rest;
    if (origin.substr(0, 7) == "http://")
        rest = origin.substr(7);
    else if (origin.substr(0, 8) == "https://")
        rest = origin.substr(8);
    else
        return false;
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    return loopback_authority(rest);
}

} // namespace fastmcp::host
