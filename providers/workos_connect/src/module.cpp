// workos_connect.so: WorkOSProvider, the OAuth proxy in front of a WorkOS Connect application
// (fixed client, no DCR). Endpoints under AUTHKIT_DOMAIN (/oauth2/authorize, /oauth2/token,
// /oauth2/userinfo); the opaque access tokens are checked at userinfo (cached), as FastMCP's
// WorkOSTokenVerifier does. AuthKitProvider (DCR, JWTs) is workos.so.
#include "fastmcp/oauth_proxy/opaque_token_module.hpp"

namespace fastmcp::workos_connect {
namespace {

constexpr const char *kName = "WorkOSProvider";
constexpr const char *kPrefix = "FASTMCP_SERVER_AUTH_WORKOS_";

constexpr std::array kOwnFields = {
    plugin::field("AUTHKIT_DOMAIN", FASTMCP_FIELD_STRING, FASTMCP_FIELD_REQUIRED, nullptr,
                  "Your AuthKit domain (https:// is added when missing)",
                  "https://your-app.authkit.app"),
    plugin::field("TIMEOUT_SECONDS", FASTMCP_FIELD_DURATION, 0, "10",
                  "Timeout for each request to WorkOS (FastMCP's name; overrides HTTP_TIMEOUT)",
                  "10"),
    plugin::field("REVOCATION_ENDPOINT", FASTMCP_FIELD_URL, 0, nullptr,
                  "An RFC 7009 endpoint called when a client revokes its grant (none by default)",
                  nullptr),
    plugin::field("TOKEN_CHECK_TTL", FASTMCP_FIELD_DURATION, 0, "300",
                  "How long a WorkOS token's userinfo check is trusted before it is asked again",
                  "5m"),
};
constexpr auto kFields = jwt::concat_fields(
    kOwnFields,
    oauth_proxy::proxy_common_fields("The WorkOS Connect application's client id", "openid,email"));

oauth_proxy::OpaqueTokenEndpoints workos_endpoints(const jwt::SettingsReader &s,
                                                   oauth_proxy::ProxySettings &) {
    std::string domain = s.required_string("authkit_domain");
    if (domain.rfind("http://", 0) != 0 && domain.rfind("https://", 0) != 0)
        domain = "https://" + domain;
    while (!domain.empty() && domain.back() == '/')
        domain.pop_back();
    if (domain.find_first_of("?#@ ") != std::string::npos ||
        domain.size() <= std::string("https://").size())
        s.fail("authkit_domain",
               "must be a host name or an absolute URL without query, fragment or user-info");
    oauth_proxy::OpaqueTokenEndpoints e;
    e.kind = "workos";
    e.authorization_endpoint = domain + "/oauth2/authorize";
    e.token_endpoint = domain + "/oauth2/token";
    e.userinfo_endpoint = domain + "/oauth2/userinfo";
    e.revocation_endpoint = s.url("revocation_endpoint").value_or("");
    e.default_scopes = {"openid", "profile", "email"};
    return e;
}

oauth_proxy::ProxyParts read(plugin::Host host, std::string_view json) {
    return oauth_proxy::read_opaque_token_module(host, json, kPrefix, kName, workos_endpoints);
}

using WorkOSProvider = oauth_proxy::ProxyProvider<read>;

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<WorkOSProvider>(
    kName, kPrefix,
    "OAuth proxy in front of a WorkOS Connect application (no DCR; tokens checked at userinfo)",
    kFields.data(), kFields.size());

} // namespace
} // namespace fastmcp::workos_connect

FASTMCP_AUTH_MODULE("workos_connect", "0.1.0", &fastmcp::workos_connect::kDesc);
