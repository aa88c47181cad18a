#include "fastmcp/oauth_proxy/redirect_policy.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace fastmcp::oauth_proxy {

bool glob_match(std::string_view p, std::string_view t) {
    // Iterative wildcard match with one backtrack point: linear-ish, no recursion.
    size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = ti;
        } else if (pi < p.size() && p[pi] == t[ti]) {
            ++pi;
            ++ti;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

bool RedirectPolicy::allows(std::string_view uri) const {
    if (uri.empty() || uri.size() > 2048) return false;
    for (char c : uri)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '\\') return false;
    Poco::URI parsed;
    try {
        parsed = Poco::URI(std::string(uri));
    } catch (const Poco::Exception &) {
        return false;
    }
    if (parsed.isRelative() || parsed.getHost().empty() || !parsed.getUserInfo().empty() ||
        !parsed.getFragment().empty() || uri.find('#') != std::string_view::npos)
        return false;
    // Raw '@' anywhere before the path would be user-info in some parsers: refuse it outright.
    const size_t authority = uri.find("://");
    if (authority != std::string_view::npos) {
        const size_t path = uri.find_first_of("/?", authority + 3);
        if (uri.substr(authority + 3, path - (authority + 3)).find('@') != std::string_view::npos)
            return false;
    }
    if (patterns_.empty()) {
        const std::string &scheme = parsed.getScheme();
        const std::string &host = parsed.getHost();
        return (scheme == "http" || scheme == "https") &&
               (host == "localhost" || host == "127.0.0.1" || host == "::1");
    }
    for (const auto &p : patterns_)
        if (glob_match(p, uri)) return true;
    return false;
}

} // namespace fastmcp::oauth_proxy
