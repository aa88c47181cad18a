// SupabaseProvider: Supabase Auth access tokens (asymmetric JWT signing keys), on the bearer-JWT
// core. From PROJECT_URL it derives
//   issuer = {project_url}/auth/v1, JWKS = {project_url}/auth/v1/.well-known/jwks.json,
//   the authorization server named in the protected-resource metadata = the issuer.
// The accepted audience defaults to Supabase's "authenticated". HS256 (the legacy shared JWT
// secret) is refused: a shared secret is never published in a JWKS, so it cannot be verified here.
// Construction never touches the network; the first JWKS fetch runs in the key source's worker.
#pragma once

#include "fastmcp/jwt/bearer_core.hpp"
#include "fastmcp/provider.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace fastmcp::supabase {

struct BuildOptions {
    bool background = true; // false in unit tests: they drive the key source with tick()
};

// Derived endpoints, exposed so tests and `auth doctor` can name them.
struct Endpoints {
    std::string issuer;   // {project_url}{auth_route}
    std::string jwks_uri; // {issuer}/.well-known/jwks.json
};
Endpoints derive_endpoints(std::string_view project_url, std::string_view auth_route = "/auth/v1");

class SupabaseProvider final : public plugin::Provider {
public:
    SupabaseProvider(plugin::Host host, std::string_view settings_json)
        : SupabaseProvider(host, settings_json, BuildOptions{}) {}
    SupabaseProvider(plugin::Host host, std::string_view settings_json, BuildOptions options);

    plugin::Verdict verify(std::string_view token) override { return core_->verify(token); }
    std::optional<plugin::Verdict> verify_cached(std::string_view token) override {
        return core_->verify_cached(token);
    }
    std::string describe_json() override;
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) override {
        return core_->handle_route(request, out);
    }

    jwt::BearerCore &core() { return *core_; }
    const Endpoints &endpoints() const { return endpoints_; }

private:
    std::string project_url_;
    Endpoints endpoints_;
    std::unique_ptr<jwt::BearerCore> core_;
};

} // namespace fastmcp::supabase
