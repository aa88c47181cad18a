// URL validation for provider settings (issuer, base URL, JWKS URI...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::env {

struct UrlValue {
    std::string url;                  // normalised: scheme lower-cased, no trailing '/'
    std::vector<std::string> notices; // e.g. "no scheme given; using https://host"
};

// Absolute http/https with a host; no userinfo, query or fragment. http only for loopback hosts
// (localhost, 127.0.0.0/8, [::1]). A bare host ("x.authkit.app") gets https:// with a notice.
// Throws ValueError explaining what is wrong.
UrlValue parse_url(std::string_view value);

bool is_loopback_host(std::string_view host);

} // namespace fastmcp::env
