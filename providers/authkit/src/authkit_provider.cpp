#include "fastmcp/authkit/authkit_provider.hpp"

#include "fastmcp/authkit/settings_schema.hpp"
#include "fastmcp/jwt/bearer_settings.hpp"
#include "fastmcp/jwt/settings_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace fastmcp::authkit {
namespace {

jwt::BearerConfig build_config(const plugin::Host &host, const jwt::SettingsReader &s,
                               std::string &domain, const BuildOptions &options) {
    jwt::BearerConfig c;
    c.provider_name = kProviderName;
    domain = s.required_url("authkit_domain", "e.g. https://your-project.authkit.app");
    c.base_url = s.required_url("base_url", "the public URL of this server, e.g. http://localhost:8000");
    c.mcp_path = std::string(host.mcp_path());
    const std::string resource = jwt::resource_url(c.base_url, c.mcp_path);
    c.resource_name = s.string("resource_name");
    c.resource_documentation = s.url("resource_documentation");

    jose::Policy &p = c.policy;
    p.allowed_algs = {jose::Alg::RS256}; // AuthKit signs access tokens with RS256
    p.issuers = {domain};
    c.authorization_servers = {domain};
    p.required_scopes = s.list("required_scopes");
    p.leeway_seconds = jwt::read_leeway_seconds(s);

    jwt::read_audience(s, c, {resource},
                       "tokens issued for any resource are accepted (the MCP spec requires "
                       "audience validation)");

    c.jwks = jwt::read_jwks_options(s, domain + "/oauth2/jwks", options.background);
    c.token_cache = jwt::read_token_cache_options(s);
    return c;
}

} // namespace

AuthKitProvider::AuthKitProvider(plugin::Host host, std::string_view settings_json,
                                 BuildOptions options)
    : host_(host) {
    jwt::SettingsReader s(settings_json, kEnvPrefix);
    std::string domain;
    jwt::BearerConfig config = build_config(host, s, domain, options);

    Discovery::Options d;
    d.domain = domain;
    d.timeout_ms = config.jwks->fetch_timeout_ms;
    d.min_interval_ms = config.jwks->refetch_min_interval_ms;
    d.refresh_ms = config.jwks->ttl_ms;
    discovery_ = std::make_shared<Discovery>(host, d);
    // Discovery runs on the key source's thread, just before each JWKS fetch.
    config.jwks->resolve_uri = [discovery = discovery_] { return discovery->jwks_uri(); };
    core_ = std::make_unique<jwt::BearerCore>(host, std::move(config));
    discovery_->on_issuer = [core = core_.get()](const std::string &issuer) { core->set_issuer(issuer); };
    core_->start();
}

std::string AuthKitProvider::describe_json() {
    nlohmann::json d = core_->describe();
    d["routes"].push_back(std::string(kAuthServerMetadataPath));
    auto meta = discovery_->metadata();
    nlohmann::json disc;
    disc["ok"] = meta != nullptr;
    disc["metadata_url"] = discovery_->metadata_url();
    const std::string err = discovery_->last_error();
    disc["last_error"] = err.empty() ? nlohmann::json(nullptr) : nlohmann::json(err);
    if (meta) {
        disc["issuer"] = meta->issuer;
        disc["jwks_uri"] = meta->jwks_uri;
        disc["fetched_at"] = meta->fetched_at_ms / 1000;
    }
    d["health"]["discovery"] = disc;
    return d.dump();
}

bool AuthKitProvider::handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) {
    if (core_->handle_route(request, out)) return true;
    if (!jwt::path_matches(request.path, kAuthServerMetadataPath)) return false;
    if (jwt::answer_non_get(request, out)) return true;
    auto meta = discovery_->metadata();
    if (!meta) {
        discovery_->refresh_if_due(); // rate-limited; does not wait for another thread's attempt
        meta = discovery_->metadata();
    }
    if (!meta) {
        nlohmann::json err = {{"error", "authorization_server_unavailable"},
                              {"error_description",
                               "the AuthKit authorization-server metadata could not be fetched"}};
        jwt::set_json_document(out, 502, err.dump());
        return true;
    }
    jwt::set_json_document(out, 200, meta->document);
    return true;
}

} // namespace fastmcp::authkit
