#include "consent_page.hpp"

#include "http_answers.hpp"

namespace fastmcp::oauth_proxy {

std::string render_consent_page(const ConsentView &v) {
    std::string scopes;
    for (const auto &s : v.scopes) scopes += "<li><code>" + html_escape(s) + "</code></li>";
    if (scopes.empty()) scopes = "<li>no specific scope</li>";
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorize " + html_escape(v.client_name) +
           "</title><style>body{font-family:sans-serif;max-width:36em;margin:3em auto}</style></head><body>"
           "<h1>Authorize application</h1><p><strong>" +
           html_escape(v.client_name) + "</strong> (client <code>" + html_escape(v.client_id) +
           "</code>) wants to access this MCP server on your behalf, after you sign in with " +
           html_escape(v.upstream) + ".</p><p>You will be sent back to <code>" + html_escape(v.redirect_uri) +
           "</code>.</p><p>Requested scopes:</p><ul>" + scopes +
           "</ul><form method=\"post\" action=\"" + html_escape(v.action) +
           "\"><input type=\"hidden\" name=\"transaction\" value=\"" + html_escape(v.transaction) +
           "\"><input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(v.csrf) +
           "\"><button type=\"submit\" name=\"action\" value=\"approve\">Allow</button> "
           "<button type=\"submit\" name=\"action\" value=\"deny\">Deny</button></form></body></html>";
}

} // namespace fastmcp::oauth_proxy
