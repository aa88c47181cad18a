// StaticTokenVerifier's settings schema (env prefix FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_).
#pragma once

#include "fastmcp/provider.hpp"
#include "fastmcp/provider_common/protected_resource.hpp"

#include <iterator>

namespace fastmcp::static_tokens {

inline constexpr const char *kProviderName = "StaticTokenVerifier";
inline constexpr const char *kEnvPrefix = "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_";

inline constexpr fastmcp_setting_field kFields[] = {
    plugin::field("TOKENS", FASTMCP_FIELD_JSON, FASTMCP_FIELD_SECRET, nullptr,
                  "JSON object: token -> {client_id, scopes, expires_at?, claims?} (set exactly "
                  "one of TOKENS, TOKENS_FILE)",
                  R"({"dev-token":{"client_id":"dev","scopes":["read"]}})"),
    plugin::field("TOKENS_FILE", FASTMCP_FIELD_STRING, 0, nullptr,
                  "Path of a JSON file holding the same object as TOKENS", "./dev-tokens.json"),
    provider_common::required_scopes_field("read"),
    provider_common::kBaseUrlField,
    provider_common::kAuthorizationServersField,
    plugin::field("ALLOW_NON_LOOPBACK", FASTMCP_FIELD_BOOL, 0, "false",
                  "Start even when the server binds to a non-loopback address (static tokens are "
                  "for development and tests)",
                  "false"),
};
inline constexpr size_t kFieldCount = std::size(kFields);

} // namespace fastmcp::static_tokens
