// One HTTP(S) request/response for the client side (MCP calls, OAuth discovery and token requests).
// Unlike the providers' http_fetch it returns response headers (WWW-Authenticate, Location,
// Mcp-Session-Id) and sends any method. It never follows redirects: the OAuth flow decides.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastmcp::client {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
    uint32_t timeout_ms = 15000;
    uint64_t max_response_bytes = 8 << 20;
};

struct HttpResponse {
    int status = 0; // 0 = the exchange failed, see error
    Headers headers;
    std::string body;
    std::string error;

    // First header with this name (case-insensitive), or "".
    std::string header(std::string_view name) const;
    std::string content_type() const; // media type only, lowercased, without parameters
};

HttpResponse http_exchange(const HttpRequest &request);

// First header with this name (case-insensitive), or "".
std::string find_header(const Headers &headers, std::string_view name);
// The media type of a Content-Type value: lowercased, without parameters or spaces.
std::string media_type(std::string content_type);

// application/x-www-form-urlencoded body from name/value pairs.
std::string form_encode(const std::vector<std::pair<std::string, std::string>> &fields);

} // namespace fastmcp::client
