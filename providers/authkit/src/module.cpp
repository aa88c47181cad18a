// workos.so: the module's single exported entry symbol, describing AuthKitProvider.
#include "fastmcp/authkit/authkit_provider.hpp"
#include "fastmcp/authkit/settings_schema.hpp"

namespace fastmcp::authkit {
namespace {

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<AuthKitProvider>(
    kProviderName, kEnvPrefix, "WorkOS AuthKit: verifies AuthKit-issued JWT access tokens",
    kFields.data(), kFieldCount);

} // namespace
} // namespace fastmcp::authkit

FASTMCP_AUTH_MODULE("workos", "0.1.0", &fastmcp::authkit::kDesc);
