// The consent page: which client asks, where it will be sent, what it may do. Every value is
// HTML-escaped; the form carries the transaction id and its CSRF token.
#pragma once

#include <string>
#include <vector>

namespace fastmcp::oauth_proxy {

struct ConsentView {
    std::string client_name, client_id, redirect_uri, upstream, action, transaction, csrf;
    std::vector<std::string> scopes;
};

std::string render_consent_page(const ConsentView &view);

} // namespace fastmcp::oauth_proxy
