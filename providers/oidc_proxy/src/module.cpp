// oidc_proxy.so: OIDCProxy, the OAuth proxy in front of an OIDC provider without DCR. Endpoints
// come from CONFIG_URL (OIDC discovery); the user from the id_token, verified against the
// provider's JWKS. Everything else is the proxy core (providers/oauth_proxy).
#include "fastmcp/oauth_proxy/oidc_upstream.hpp"
#include "fastmcp/oauth_proxy/proxy_settings.hpp"

namespace fastmcp::oidc_proxy {
namespace {

constexpr const char *kName = "OIDCProxy";
constexpr const char *kPrefix = "FASTMCP_SERVER_AUTH_OIDCPROXY_";

constexpr std::array kOwnFields = {
    plugin::field("CONFIG_URL", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr,
                  "The upstream's OIDC discovery document",
                  "https://accounts.example.com/.well-known/openid-configuration"),
};
constexpr auto kFields = jwt::concat_fields(
    kOwnFields, oauth_proxy::proxy_common_fields("The upstream OAuth client id", "openid,email"));

oauth_proxy::ProxyParts read(plugin::Host host, std::string_view json) {
    oauth_proxy::ProxyParts p;
    p.settings = oauth_proxy::read_proxy_settings(json, kPrefix, kName);
    const std::string config_url = jwt::SettingsReader(json, kPrefix).required_url("config_url");
    p.upstream = std::make_unique<oauth_proxy::OidcUpstream>(host, config_url, p.settings.client);
    p.store = oauth_proxy::open_proxy_store(p.settings, kPrefix);
    return p;
}

using OIDCProxy = oauth_proxy::ProxyProvider<read>;

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<OIDCProxy>(
    kName, kPrefix, "OAuth proxy in front of an OIDC provider without DCR (discovery, id_token)",
    kFields.data(), kFields.size());

} // namespace
} // namespace fastmcp::oidc_proxy

FASTMCP_AUTH_MODULE("oidc_proxy", "0.1.0", &fastmcp::oidc_proxy::kDesc);
