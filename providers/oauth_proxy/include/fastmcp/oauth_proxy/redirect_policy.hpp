// Which client redirect URIs the proxy accepts (ALLOWED_CLIENT_REDIRECT_URIS). A pattern is a
// glob over the whole URI ('*' matches any run of characters). With no patterns only loopback
// redirects are accepted (http or https to localhost, 127.0.0.1 or [::1], any port and path),
// which is what native MCP clients use. Whatever the patterns say, a URI must be absolute, have
// no fragment and no user-info (so "http://localhost:*" cannot be bent into
// "http://localhost:1@evil.example/").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::oauth_proxy {

class RedirectPolicy {
public:
    explicit RedirectPolicy(std::vector<std::string> patterns = {}) : patterns_(std::move(patterns)) {}

    bool allows(std::string_view uri) const;
    const std::vector<std::string> &patterns() const { return patterns_; }

private:
    std::vector<std::string> patterns_;
};

// '*' matches any run (possibly empty) of characters; everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view text);

} // namespace fastmcp::oauth_proxy
