// AuthKitProvider: WorkOS AuthKit access tokens, on the bearer-JWT core.
//   issuer = AUTHKIT_DOMAIN, JWKS = {domain}/oauth2/jwks, both overridden by the discovered
//   authorization-server metadata; audience = BASE_URL + MCP path unless AUDIENCE says otherwise.
// Construction never touches the network: discovery and the first JWKS fetch run in the key
// source's worker, and verify answers jwks_unavailable until keys exist.
#pragma once

#include "fastmcp/authkit/discovery.hpp"
#include "fastmcp/jwt/bearer_core.hpp"
#include "fastmcp/provider.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace fastmcp::authkit {

inline constexpr std::string_view kAuthServerMetadataPath = "/.well-known/oauth-authorization-server";

struct BuildOptions {
    bool background = true; // false in unit tests: they drive the key source with tick()
};

class AuthKitProvider final : public plugin::Provider {
public:
    AuthKitProvider(plugin::Host host, std::string_view settings_json)
        : AuthKitProvider(host, settings_json, BuildOptions{}) {}
    AuthKitProvider(plugin::Host host, std::string_view settings_json, BuildOptions options);

    plugin::Verdict verify(std::string_view token) override { return core_->verify(token); }
    std::optional<plugin::Verdict> verify_cached(std::string_view token) override {
        return core_->verify_cached(token);
    }
    std::string describe_json() override;
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) override;

    jwt::BearerCore &core() { return *core_; }
    Discovery &discovery() { return *discovery_; }

private:
    plugin::Host host_;
    std::shared_ptr<Discovery> discovery_; // declared first: the core's worker uses it
    std::unique_ptr<jwt::BearerCore> core_;
};

} // namespace fastmcp::authkit
