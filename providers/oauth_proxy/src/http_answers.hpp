// Small builders for the proxy's HTTP answers: OAuth JSON errors, redirects, HTML pages, and the
// request details the proxy reads (cookies, Basic client credentials).
#pragma once

#include "fastmcp/provider.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace fastmcp::oauth_proxy {

// {"error","error_description"} with no-store caching; never holds a token or secret.
void oauth_error(plugin::RouteResponse &out, int status, std::string_view error, std::string_view description);
void json_answer(plugin::RouteResponse &out, int status, std::string body);
void redirect(plugin::RouteResponse &out, const std::string &location);
// A minimal HTML page for a browser that cannot be sent back to its client.
void html_error(plugin::RouteResponse &out, int status, std::string_view error, std::string_view description);

std::string html_escape(std::string_view text);

// The value of cookie `name` in the request's Cookie headers, or empty.
std::string cookie(const plugin::RouteRequest &req, std::string_view name);
std::string set_cookie(std::string_view name, std::string_view value, int64_t max_age_s, bool secure);

// client_id and client_secret from "Authorization: Basic ..." (RFC 6749 §2.3.1), if present.
std::optional<std::pair<std::string, std::string>> basic_credentials(const plugin::RouteRequest &req);

} // namespace fastmcp::oauth_proxy
