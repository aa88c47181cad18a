// The built-in app `fastmcp run` serves without a module: the docs' "AuthKit Secured App" with
// `whoami` (what get_access_token() sees, never the raw token) and `echo`.
#pragma once

#include "fastmcp/server.hpp"

namespace fastmcp::host {

void add_demo_tools(Server &server);
// whoami's JSON for a token (exposed for tests): subject, client_id, scopes, expires_at, issuer,
// claims; {"authenticated": false} when there is none.
nlohmann::json whoami_json(const AccessToken *token);

} // namespace fastmcp::host
