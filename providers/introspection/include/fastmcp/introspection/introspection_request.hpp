// The RFC 7662 request: POST token=...&token_type_hint=access_token, form-encoded, with the
// resource server's client credentials in HTTP Basic (RFC 6749 §2.3.1: each part form-encoded,
// then base64 through OpenSSL).
#pragma once

#include "fastmcp/provider.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace fastmcp::introspection {

// application/x-www-form-urlencoded: unreserved bytes kept, space as '+', the rest %XX.
std::string form_encode(std::string_view value);

// "Basic " + base64(form_encode(client_id) ":" form_encode(client_secret)).
std::string basic_authorization(std::string_view client_id, std::string_view client_secret);

struct RequestTemplate {
    std::string url;
    std::string authorization; // precomputed Basic credentials
    uint32_t timeout_ms = 10'000;
    uint64_t max_response_bytes = 64 * 1024;
};

plugin::HttpRequest build_request(const RequestTemplate &t, std::string_view token);

} // namespace fastmcp::introspection
