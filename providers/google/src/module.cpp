// google.so: GoogleProvider, the OAuth proxy in front of a Google OAuth client. Google's access
// tokens are opaque: the user and (cached) the token's continued validity come from tokeninfo
// and userinfo, as FastMCP's GoogleTokenVerifier does. A client revoking its grant also revokes
// it at Google. Every Google endpoint can be overridden so tests run against a local upstream.
#include "fastmcp/oauth_proxy/opaque_token_module.hpp"

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

oauth_proxy::OpaqueTokenEndpoints google_endpoints(const jwt::SettingsReader &s,
                                                   oauth_proxy::ProxySettings &settings) {
    // As FastMCP: Google needs at least one scope, and openid is the minimal one.
    if (settings.options.required_scopes.empty()) settings.options.required_scopes = {"openid"};
    oauth_proxy::OpaqueTokenEndpoints e;
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
    return e;
}

oauth_proxy::ProxyParts read(plugin::Host host, std::string_view json) {
    return oauth_proxy::read_opaque_token_module(host, json, kPrefix, kName, google_endpoints);
}

using GoogleProvider = oauth_proxy::ProxyProvider<read>;

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<GoogleProvider>(
    kName, kPrefix,
    "OAuth proxy in front of a Google OAuth client (opaque tokens checked at tokeninfo/userinfo)",
    kFields.data(), kFields.size());

} // namespace
} // namespace fastmcp::google

FASTMCP_AUTH_MODULE("google", "0.1.0", &fastmcp::google::kDesc);
