// jwt.so: the module's single exported entry symbol, describing JWTVerifier.
#include "fastmcp/jwt/jwt_verifier.hpp"
#include "fastmcp/static_tokens/descriptor.hpp"

namespace fastmcp::jwt {
namespace {

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<JWTVerifier>(
    kJwtProviderName, kJwtEnvPrefix,
    "Generic JWT verifier: JWKS URI, PEM public key or HS* shared secret", kJwtFields.data(),
    kJwtFieldCount);

} // namespace
} // namespace fastmcp::jwt

FASTMCP_AUTH_MODULE("jwt", "0.1.0", &fastmcp::jwt::kDesc,
                    fastmcp::static_tokens::static_token_verifier_desc());
