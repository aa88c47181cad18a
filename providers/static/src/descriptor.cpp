#include "fastmcp/static_tokens/descriptor.hpp"

#include "fastmcp/static_tokens/settings_schema.hpp"
#include "fastmcp/static_tokens/static_token_verifier.hpp"

namespace fastmcp::static_tokens {

const fastmcp_provider_desc *static_token_verifier_desc() {
    static constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<StaticTokenVerifier>(
        kProviderName, kEnvPrefix,
        "Static opaque tokens for development and tests (loopback only unless allowed)", kFields,
        kFieldCount);
    return &kDesc;
}

} // namespace fastmcp::static_tokens
