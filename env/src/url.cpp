#include "fastmcp/env/url.hpp"

#include "fastmcp/env/error.hpp"

#include <algorithm>
#include <cctype>

namespace fastmcp::env {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool is_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// A bare "host[:port][/path]" with no scheme: a DNS-looking name (with a dot) or localhost.
bool looks_like_bare_host(std::string_view v) {
    std::string_view host = v.substr(0, v.find_first_of(":/"));
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) return false;
    if (host.front() == '.' || host.front() == '-') return false;
    return host.find('.') != std::string_view::npos || lower(host) == "localhost";
}

bool parse_octet(std::string_view s, int &out) {
    if (s.empty() || s.size() > 3) return false;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return v <= 255;
}

} // namespace

bool is_loopback_host(std::string_view host) {
    std::string h = lower(host);
    if (h == "localhost" || h == "[::1]") return true;
    // 127.0.0.0/8 as dotted quad
    int parts[4];
    size_t start = 0;
    for (int i = 0; i < 4; ++i) {
        size_t dot = h.find('.', start);
        if ((i < 3) != (dot != std::string::npos)) return false;
        if (!parse_octet(std::string_view(h).substr(start, dot == std::string::npos ? std::string::npos : dot - start), parts[i]))
            return false;
        start = dot + 1;
    }
    return parts[0] == 127;
}

UrlValue parse_url(std::string_view value) {
    UrlValue out;
    std::string v(value);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(v.begin());
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    if (v.empty()) throw ValueError("empty URL; expected an absolute https:// URL");
    for (char c : v)
        if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
            throw ValueError("URL contains a blank or control character: '" + v + "'");

    size_t sep = v.find("://");
    if (sep == std::string::npos) {
        if (!looks_like_bare_host(v))
            throw ValueError("not an absolute URL: '" + v + "' (expected e.g. https://example.com)");
        v = "https://" + v;
        out.notices.push_back("no scheme given; using " + v);
        sep = 5;
    }
    std::string scheme = lower(std::string_view(v).substr(0, sep));
    if (scheme != "http" && scheme != "https")
        throw ValueError("unsupported scheme '" + scheme + "' in '" + v + "': only http and https");
    std::string rest = v.substr(sep + 3);
    if (rest.find('#') != std::string::npos)
        throw ValueError("URL must not contain a fragment ('#')");
    if (rest.find('?') != std::string::npos)
        throw ValueError("URL must not contain a query ('?')"); // not echoed: queries can carry keys
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    std::string path = slash == std::string::npos ? std::string() : rest.substr(slash);
    if (authority.find('@') != std::string::npos)
        throw ValueError("URL must not contain user information ('user@'): credentials do not belong in a URL");
    if (authority.empty()) throw ValueError("URL has no host: '" + v + "'");

    std::string host, port;
    if (authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string::npos) throw ValueError("unterminated IPv6 literal in '" + v + "'");
        host = lower(authority.substr(0, close + 1));
        std::string after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') throw ValueError("unexpected text after the IPv6 literal in '" + v + "'");
            port = after.substr(1);
        }
        for (char c : host.substr(1, host.size() - 2))
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
                throw ValueError("invalid IPv6 literal '" + host + "'");
    } else {
        size_t colon = authority.find(':');
        host = lower(authority.substr(0, colon));
        if (colon != std::string::npos) port = authority.substr(colon + 1);
        if (host.empty()) throw ValueError("URL has no host: '" + v + "'");
        if (!std::all_of(host.begin(), host.end(), is_host_char))
            throw ValueError("invalid host '" + host + "' in '" + v + "'");
    }
    if (authority.back() == ':' || (!port.empty() && (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
                               std::stoi(port) < 1 || std::stoi(port) > 65535)))
        throw ValueError("invalid port '" + port + "' in '" + v + "' (1-65535)");
    if (scheme == "http" && !is_loopback_host(host))
        throw ValueError("http:// is allowed only for loopback hosts (localhost, 127.0.0.0/8, [::1]); '" +
                         host + "' must use https:// so that keys and metadata cannot be tampered with in transit");
    while (!path.empty() && path.back() == '/') path.pop_back();
    out.url = scheme + "://" + host + (port.empty() ? "" : ":" + port) + path;
    return out;
}

} // namespace fastmcp::env
