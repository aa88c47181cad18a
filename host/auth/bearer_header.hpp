// Extracting a bearer token from the Authorization header(s) of a request (RFC 6750 section 2.1).
// The scheme is case-insensitive and may be followed by one or more spaces; exactly one
// Authorization header is allowed. The returned token views the header value (no copy).
#pragma once

#include <string_view>
#include <vector>

namespace fastmcp::host {

struct BearerExtraction {
    enum class Kind {
        Missing,   // no Authorization header, or a non-Bearer scheme: answer with a bare challenge
        Token,     // `token` holds the credential
        Malformed, // "Bearer" without a valid b64token: an invalid token, 401 invalid_token
        Duplicate  // more than one Authorization header or Bearer credential: 400 invalid_request
    };
    Kind kind = Kind::Missing;
    std::string_view token;
    const char *description = ""; // for the challenge (never holds the credentials)
};

BearerExtraction extract_bearer(const std::vector<std::string_view> &authorization_values);

// True when a query string carries an access_token parameter (RFC 6750 2.3, never accepted here).
bool query_has_access_token(std::string_view query);

} // namespace fastmcp::host
