// AuthKitProvider (module workos): verifies WorkOS AuthKit access tokens.
// This first revision publishes the settings schema; verification lands with the JWT core.
#include "settings_schema.hpp"

#include "fastmcp/provider.hpp"

#include <string>
#include <string_view>

namespace fastmcp::authkit {
namespace {

class AuthKitProvider final : public plugin::Provider {
public:
    AuthKitProvider(plugin::Host host, std::string_view /*settings_json*/) : host_(host) {}

    plugin::Verdict verify(std::string_view) override {
        return plugin::Verdict::reject(FASTMCP_REASON_NOT_IMPLEMENTED,
                                       "AuthKitProvider verification is not implemented yet");
    }
    std::string describe_json() override {
        return R"({"warnings":["verification not implemented yet"],"health":{"ready":false}})";
    }

private:
    plugin::Host host_;
};

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<AuthKitProvider>(
    kProviderName, kEnvPrefix, "WorkOS AuthKit: verifies AuthKit-issued JWT access tokens",
    kFields, kFieldCount);

} // namespace
} // namespace fastmcp::authkit

FASTMCP_AUTH_MODULE("workos", "0.1.0", &fastmcp::authkit::kDesc);
