// workos_connect.so: WorkOSProvider, the OAuth proxy in front of a WorkOS Connect application
// (fixed client, no DCR). Endpoints under AUTHKIT_DOMAIN (/oauth2/authorize, /oauth2/token,
// /oauth2/userinfo); the opaque access tokens are checked at userinfo (cached), as FastMCP's
// WorkOSTokenVerifier does. AuthKitProvider (DCR, JWTs) is workos.so.
#include "fastmcp/oauth_proxy/opaque_token_upstream.hpp"
#include "fastmcp/oauth_proxy/proxy_settings.hpp"

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

struct Parts {
    oauth_proxy::ProxySettings settings;
    oauth_proxy::OpaqueTokenEndpoints endpoints;
    int64_t check_ttl_s = 300;
    std::shared_ptr<oauth_proxy::StateStore> store;
};

Parts read(std::string_view json) {
    Parts p;
    p.settings = oauth_proxy::read_proxy_settings(json, kPrefix, kName);
    jwt::SettingsReader s(json, kPrefix);
    if (s.has("timeout_seconds"))
        p.settings.client.timeout_ms =
            static_cast<uint32_t>(s.duration_ms("timeout_seconds", 10'000));
    std::string domain = s.required_string("authkit_domain");
    if (domain.rfind("http://", 0) != 0 && domain.rfind("https://", 0) != 0)
        domain = "https://" + domain;
    while (!domain.empty() && domain.back() == '/')
        domain.pop_back();
    if (domain.find_first_of("?#@ ") != std::string::npos ||
        domain.size() <= std::string("https://").size())
        s.fail("authkit_domain",
               "must be a host name or an absolute URL without query, fragment or user-info");
    auto &e = p.endpoints;
    e.kind = "workos";
    e.authorization_endpoint = domain + "/oauth2/authorize";
    e.token_endpoint = domain + "/oauth2/token";
    e.userinfo_endpoint = domain + "/oauth2/userinfo";
    e.revocation_endpoint = s.url("revocation_endpoint").value_or("");
    e.default_scopes = {"openid", "profile", "email"};
    p.check_ttl_s = s.duration_ms("token_check_ttl", 300'000) / 1000;
    p.store = oauth_proxy::open_proxy_store(p.settings, kPrefix);
    return p;
}

class WorkOSProvider final : public oauth_proxy::OAuthProxy {
  public:
    WorkOSProvider(plugin::Host host, std::string_view json) : WorkOSProvider(host, read(json)) {}

  private:
    WorkOSProvider(plugin::Host host, Parts p)
        : OAuthProxy(host, p.settings.options, p.settings.client,
                     std::make_unique<oauth_proxy::OpaqueTokenUpstream>(
                         host, p.endpoints, p.settings.client, p.check_ttl_s),
                     std::move(p.store)) {}
};

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<WorkOSProvider>(
    kName, kPrefix,
    "OAuth proxy in front of a WorkOS Connect application (no DCR; tokens checked at userinfo)",
    kFields.data(), kFields.size());

} // namespace
} // namespace fastmcp::workos_connect

FASTMCP_AUTH_MODULE("workos_connect", "0.1.0", &fastmcp::workos_connect::kDesc);
