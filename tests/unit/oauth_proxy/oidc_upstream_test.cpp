// OidcUpstream: discovery (rate-limited retries while down), the id_token verified against the
// upstream JWKS (issuer, audience = our client id, signature), and the identity it yields.
#include "../jwks/fake_host.hpp"

#include "fastmcp/oauth_proxy/oidc_upstream.hpp"

#include <doctest/doctest.h>

using namespace fastmcp;
using namespace fastmcp::testing;
using nlohmann::json;

namespace {
const std::string kIdp = "https://idp.test";
const std::string kConfig = kIdp + "/.well-known/openid-configuration";

void serve_idp(FakeHost &fake) {
    fake.serve(kConfig, 200,
               json{{"issuer", kIdp},
                    {"authorization_endpoint", kIdp + "/authorize"},
                    {"token_endpoint", kIdp + "/token"},
                    {"jwks_uri", kIdp + "/jwks"}}
                   .dump());
    fake.serve(kIdp + "/jwks", 200, jwks_of({rsa_key(1).jwk()}));
}

json id_claims(const FakeHost &fake, const std::string &aud = "up-client") {
    return {{"iss", kIdp}, {"sub", "user-7"}, {"aud", aud}, {"email", "u@example.com"},
            {"iat", fake.now_s()}, {"exp", fake.now_s() + 300}, {"nonce", "n"}};
}
} // namespace

TEST_CASE("OIDC upstream: discovery, then the id_token names the user") {
    FakeHost fake;
    serve_idp(fake);
    oauth_proxy::OidcUpstream up(fake.host(), kConfig, {"up-client", "up-secret", 1000});
    auto e = up.endpoints();
    CHECK(e.authorization_endpoint == kIdp + "/authorize");
    CHECK(e.token_endpoint == kIdp + "/token");
    oauth_proxy::UpstreamGrant g;
    g.access_token = "at";
    g.id_token = rsa_key(1).sign(id_claims(fake));
    auto who = up.identify(g, fake.now_s());
    CHECK(who.subject == "user-7");
    CHECK(who.claims["email"] == "u@example.com");
    CHECK_FALSE(who.claims.contains("nonce"));
    CHECK(fake.hits(kConfig) == 1);
}

TEST_CASE("OIDC upstream: an id_token for another audience, issuer or key is refused") {
    FakeHost fake;
    serve_idp(fake);
    oauth_proxy::OidcUpstream up(fake.host(), kConfig, {"up-client", "up-secret", 1000});
    oauth_proxy::UpstreamGrant g;
    g.access_token = "at";
    g.id_token = rsa_key(1).sign(id_claims(fake, "someone-else"));
    CHECK_THROWS_AS(up.identify(g, fake.now_s()), oauth_proxy::UpstreamError);
    json wrong_iss = id_claims(fake);
    wrong_iss["iss"] = "https://evil.test";
    g.id_token = rsa_key(1).sign(wrong_iss);
    CHECK_THROWS_AS(up.identify(g, fake.now_s()), oauth_proxy::UpstreamError);
    g.id_token = rsa_key(2).sign(id_claims(fake)); // unknown kid: one refetch, still unknown
    CHECK_THROWS_AS(up.identify(g, fake.now_s()), oauth_proxy::UpstreamError);
}

TEST_CASE("OIDC upstream: discovery down is temporarily_unavailable, retried at most every 5 s") {
    FakeHost fake;
    fake.down(kConfig);
    oauth_proxy::OidcUpstream up(fake.host(), kConfig, {"up-client", "up-secret", 1000});
    CHECK_THROWS_AS(up.endpoints(), oauth_proxy::UpstreamError);
    CHECK_THROWS_AS(up.endpoints(), oauth_proxy::UpstreamError);
    CHECK(fake.hits(kConfig) == 1);
    serve_idp(fake);
    fake.advance_s(6);
    CHECK(up.endpoints().token_endpoint == kIdp + "/token");
    CHECK(fake.hits(kConfig) == 2);
}
