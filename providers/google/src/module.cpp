// google.so: GoogleProvider, the OAuth proxy in front of a Google OAuth client. Google's access
// tokens are opaque: the user and (cached) the token's continued validity come from tokeninfo
// and userinfo, as FastMCP's GoogleTokenVerifier does. A client revoking its grant also revokes
// it at Google. Every Google endpoint can be overridden so tests run against a local upstream.
#include "fastmcp/oauth_proxy/opaque_token_upstream.hpp"
#include "fastmcp/oauth_proxy/proxy_settings.hpp"

namespace fastmcp::google {
namespace {

constexpr const char *kName = "GoogleProvider";
constexpr const char *kPrefix = "FASTMCP_SERVER_AUTH_GOOGLE_";

constexpr std::array kOwnFields = {
    plugin::field("TIMEOUT_SECONDS", FASTMCP_FIELD_DURATION, 0, "10",
                  "Timeout for each request to Google (FastMCP's name; overrides HTTP_TIMEOUT)",
                  "10"),
    plugin::field("AUTHORIZATION_ENDPOINT", FASTMCP_FIELD_URL, 0,
                  "https://accounts.google.com/o/oauth2/v2/auth",
                  "Google's authorization endpoint (override for tests)", nullptr),
    plugin::field("TOKEN_ENDPOINT", FASTMCP_FIELD_URL, 0, "https://oauth2.googleapis.com/token",
                  "Google's token endpoint", nullptr),
    plugin::field("TOKENINFO_ENDPOINT", FASTMCP_FIELD_URL, 0,
                  "https://www.googleapis.com/oauth2/v1/tokeninfo",
                  "Google's tokeninfo API: checks an access token is live and issued to CLIENT_ID",
                  nullptr),
    plugin::field("USERINFO_ENDPOINT", FASTMCP_FIELD_URL, 0,
                  "https://www.googleapis.com/oauth2/v2/userinfo",
                  "Google's userinfo API: the signed-in user's profile", nullptr),
    plugin::field("REVOCATION_ENDPOINT", FASTMCP_FIELD_URL, 0,
                  "https://oauth2.googleapis.com/revoke",
                  "Google's revocation endpoint, called when a client revokes its grant", nullptr),
    plugin::field("TOKEN_CHECK_TTL", FASTMCP_FIELD_DURATION, 0, "300",
                  "How long a Google token's tokeninfo check is trusted before it is asked again",
                  "5m"),
};
constexpr auto kFields = jwt::concat_fields(
    kOwnFields, oauth_proxy::proxy_common_fields("The Google OAuth client id", "openid,email"));

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
    // As FastMCP: Google needs at least one scope, and openid is the minimal one.
    if (p.settings.options.required_scopes.empty()) p.settings.options.required_scopes = {"openid"};
    auto &e = p.endpoints;
    e.kind = "google";
    e.authorization_endpoint =
        s.url("authorization_endpoint").value_or("https://accounts.google.com/o/oauth2/v2/auth");
    e.token_endpoint = s.url("token_endpoint").value_or("https://oauth2.googleapis.com/token");
    e.tokeninfo_endpoint =
        s.url("tokeninfo_endpoint").value_or("https://www.googleapis.com/oauth2/v1/tokeninfo");
    e.userinfo_endpoint =
        s.url("userinfo_endpoint").value_or("https://www.googleapis.com/oauth2/v2/userinfo");
    e.revocation_endpoint =
        s.url("revocation_endpoint").value_or("https://oauth2.googleapis.com/revoke");
    e.default_scopes = {"openid"};
    p.check_ttl_s = s.duration_ms("token_check_ttl", 300'000) / 1000;
    p.store = oauth_proxy::open_proxy_store(p.settings, kPrefix);
    return p;
}

class GoogleProvider final : public oauth_proxy::OAuthProxy {
  public:
    GoogleProvider(plugin::Host host, std::string_view json) : GoogleProvider(host, read(json)) {}

  private:
    GoogleProvider(plugin::Host host, Parts p)
        : OAuthProxy(host, p.settings.options, p.settings.client,
                     std::make_unique<oauth_proxy::OpaqueTokenUpstream>(
                         host, p.endpoints, p.settings.client, p.check_ttl_s),
                     std::move(p.store)) {}
};

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<GoogleProvider>(
    kName, kPrefix,
    "OAuth proxy in front of a Google OAuth client (opaque tokens checked at tokeninfo/userinfo)",
    kFields.data(), kFields.size());

} // namespace
} // namespace fastmcp::google

FASTMCP_AUTH_MODULE("google", "0.1.0", &fastmcp::google::kDesc);
