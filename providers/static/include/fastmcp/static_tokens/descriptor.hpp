// The plugin descriptor of StaticTokenVerifier, for the module that exports it (jwt.so).
#pragma once

#include "fastmcp/auth_plugin.h"

namespace fastmcp::static_tokens {

const fastmcp_provider_desc *static_token_verifier_desc();

} // namespace fastmcp::static_tokens
