// DNS-rebinding protection for loopback binds: a page on evil.example that resolves to 127.0.0.1
// still sends `Host: evil.example` and `Origin: http://evil.example`, so both are checked.
#pragma once

#include <string_view>

namespace fastmcp::host {

// "127.0.0.1", "::1", "localhost", "[::1]" (any 127/8 address counts).
bool is_loopback_bind(std::string_view bind_host);
// Host header is localhost, 127.0.0.1 or [::1], with an optional port.
bool is_loopback_host_header(std::string_view host);
// Origin is http(s)://localhost|127.0.0.1|[::1] with an optional port.
bool is_loopback_origin(std::string_view origin);

} // namespace fastmcp::host
