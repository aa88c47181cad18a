// WWW-Authenticate challenges and JSON error bodies for rejected requests (RFC 6750 section 3,
// RFC 9728 section 5.1). Descriptions are sanitised so they can sit inside a quoted-string, and the
// presented token is never echoed even if a provider put it in its description.
#pragma once

#include <string>
#include <string_view>

namespace fastmcp::host {

struct Challenge {
    int status = 401;
    std::string www_authenticate;
    std::string body; // JSON {"error":..., "error_description":...}
};

// No credentials: `Bearer resource_metadata="…"`.
Challenge missing_credentials(std::string_view resource_metadata_url);
// 401 invalid_token or 400 invalid_request, with error_description.
Challenge invalid_token(std::string_view resource_metadata_url, std::string_view description,
                        std::string_view presented_token);
Challenge invalid_request(std::string_view resource_metadata_url, std::string_view description);
// 403 insufficient_scope with scope="…".
Challenge insufficient_scope(std::string_view resource_metadata_url, std::string_view required_scope,
                             std::string_view description, std::string_view presented_token);
// 503: the provider could not decide. Never a pass.
Challenge provider_unavailable(std::string_view resource_metadata_url);

// Makes `text` safe for a quoted-string: printable ASCII only, no '"' or '\\', at most 200 bytes,
// and with every occurrence of `secret` (if non-empty) removed.
std::string sanitize_description(std::string_view text, std::string_view secret);

} // namespace fastmcp::host
