#include "fastmcp/supabase/supabase_provider.hpp"

#include "fastmcp/supabase/settings_schema.hpp"
#include "fastmcp/jwt/bearer_settings.hpp"
#include "fastmcp/jwt/settings_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace fastmcp::supabase {
namespace {

std::string upper(std::string s) {
    for (char &c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// "/auth/v1" (FastMCP's default). A path only: it is appended to the project URL.
std::string read_auth_route(const jwt::SettingsReader &s) {
    std::string route = s.string("auth_route").value_or("/auth/v1");
    if (route.front() != '/') route.insert(route.begin(), '/');
    while (route.size() > 1 && route.back() == '/') route.pop_back();
    const bool clean = std::all_of(route.begin(), route.end(), [](char c) {
        return c > 0x20 && c < 0x7f && c != '?' && c != '#' && c != '\\';
    });
    if (!clean || route.find("//") != std::string::npos)
        s.fail("auth_route", "must be a plain path such as /auth/v1");
    return route;
}

// Supabase signs with the project's asymmetric signing keys: ES256 (P-256, the default) or RS256.
jose::Alg read_algorithm(const jwt::SettingsReader &s) {
    const std::string name = upper(s.string("algorithm").value_or("ES256"));
    if (name == "ES256") return jose::Alg::ES256;
    if (name == "RS256") return jose::Alg::RS256;
    if (name == "HS256" || name == "HS384" || name == "HS512")
        s.fail("algorithm",
               name + " is refused: HS* tokens are signed with the project's shared JWT secret, and "
                      "symmetric keys are never published in a JWKS, so they cannot be verified "
                      "from {project_url}/auth/v1/.well-known/jwks.json. Switch the project to "
                      "asymmetric JWT signing keys (ES256 or RS256) in the Supabase dashboard, or "
                      "use JWTVerifier with FASTMCP_SERVER_AUTH_JWT_HS_SECRET");
    s.fail("algorithm", "'" + name + "' is not supported; use ES256 (default) or RS256");
}

jwt::BearerConfig build_config(const plugin::Host &host, const jwt::SettingsReader &s,
                               const Endpoints &endpoints, const BuildOptions &options) {
    jwt::BearerConfig c;
    c.provider_name = kProviderName;
    c.base_url = s.required_url("base_url", "the public URL of this server, e.g. http://localhost:8000");
    c.mcp_path = std::string(host.mcp_path());
    c.resource_name = s.string("resource_name");
    c.resource_documentation = s.url("resource_documentation");
    c.authorization_servers = {endpoints.issuer};

    jose::Policy &p = c.policy;
    p.allowed_algs = {read_algorithm(s)};
    p.issuers = {endpoints.issuer};
    p.required_scopes = s.list("required_scopes");
    p.leeway_seconds = jwt::read_leeway_seconds(s);

    jwt::read_audience(s, c, {"authenticated"}, "any token the project signed is accepted");

    c.jwks = jwt::read_jwks_options(s, endpoints.jwks_uri, options.background);
    c.token_cache = jwt::read_token_cache_options(s);
    return c;
}

} // namespace

Endpoints derive_endpoints(std::string_view project_url, std::string_view auth_route) {
    Endpoints e;
    e.issuer = jwt::trim_trailing_slash(std::string(project_url)) + std::string(auth_route);
    e.jwks_uri = e.issuer + "/.well-known/jwks.json";
    return e;
}

SupabaseProvider::SupabaseProvider(plugin::Host host, std::string_view settings_json,
                                   BuildOptions options) {
    jwt::SettingsReader s(settings_json, kEnvPrefix);
    project_url_ = s.required_url("project_url", "e.g. https://abcdefghijklm.supabase.co");
    endpoints_ = derive_endpoints(project_url_, read_auth_route(s));
    core_ = std::make_unique<jwt::BearerCore>(host, build_config(host, s, endpoints_, options));
    core_->start();
}

std::string SupabaseProvider::describe_json() {
    nlohmann::json d = core_->describe();
    d["project_url"] = project_url_;
    d["jwks_uri"] = endpoints_.jwks_uri;
    return d.dump();
}

} // namespace fastmcp::supabase
