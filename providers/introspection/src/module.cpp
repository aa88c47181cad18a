// introspection.so: the module's single exported entry symbol, describing
// IntrospectionTokenVerifier.
#include "fastmcp/introspection/introspection_verifier.hpp"
#include "fastmcp/introspection/settings_schema.hpp"

namespace fastmcp::introspection {
namespace {

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<IntrospectionTokenVerifier>(
    kProviderName, kEnvPrefix,
    "OAuth 2.0 token introspection (RFC 7662): asks the authorization server about each token",
    kFields, kFieldCount);

} // namespace
} // namespace fastmcp::introspection

FASTMCP_AUTH_MODULE("introspection", "0.1.0", &fastmcp::introspection::kDesc);
