// The bearer-JWT core through JWTVerifier: every verdict path, the verified token's fields,
// key rotation through verify(), key-source configuration rules (JWKS / PEM / HS secret), the
// audience rules, and describe()/the protected-resource document.
#include "../jwks/fake_host.hpp"

#include "fastmcp/jwt/jwt_verifier.hpp"

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

using namespace fastmcp;
using fastmcp::testing::FakeHost;
using fastmcp::testing::jwks_of;
using fastmcp::testing::make_key;
using fastmcp::testing::rsa_key;
using nlohmann::json;

namespace {

const std::string kUri = "https://issuer.test/jwks";
const std::string kIssuer = "https://issuer.test";
const std::string kAudience = "https://api.test/mcp";

json base_settings() {
    return {{"jwks_uri", kUri}, {"issuer", {kIssuer}}, {"audience", {kAudience}}, {"algorithm", {"RS256"}},
            {"leeway", 60}, {"jwks_cache_ttl", 600}, {"jwks_refetch_min_interval", 10}, {"http_timeout", 5}};
}

std::unique_ptr<jwt::JWTVerifier> make(FakeHost &fake, const json &settings) {
    return std::make_unique<jwt::JWTVerifier>(fake.host(), settings.dump(), jwt::JwtBuildOptions{false});
}

json claims(const FakeHost &fake) {
    const int64_t now = fake.now_s();
    return {{"iss", kIssuer}, {"sub", "user_1"}, {"aud", kAudience}, {"iat", now}, {"exp", now + 300},
            {"scope", "read write"}, {"sid", "session_9"}, {"org_id", "org_7"}};
}

std::string config_error(FakeHost &fake, const json &settings) {
    try {
        make(fake, settings);
    } catch (const plugin::ConfigError &e) {
        return e.message;
    }
    return "";
}

std::string pem_of(EVP_PKEY *key) {
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char *data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
}

struct Fixture {
    FakeHost fake;
    std::unique_ptr<jwt::JWTVerifier> verifier;
    Fixture(json settings = base_settings()) {
        fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
        verifier = make(fake, settings);
    }
    plugin::Verdict verify(const std::string &token) { return verifier->verify(token); }
};

} // namespace

TEST_CASE("a valid token: the verified token carries every field, the raw token byte for byte") {
    Fixture f;
    json c = claims(f.fake);
    c["client_id"] = "client_abc";
    c["azp"] = "azp_xyz";
    const std::string token = rsa_key(1).sign(c);
    auto v = f.verify(token);
    REQUIRE(v.reason == FASTMCP_REASON_OK);
    REQUIRE(v.token);
    CHECK(v.token->token == token);
    CHECK(v.token->subject == "user_1");
    CHECK(v.token->client_id == "client_abc");
    CHECK(v.token->issuer == kIssuer);
    CHECK(v.token->scopes == std::vector<std::string>{"read", "write"});
    CHECK(v.token->expires_at == f.fake.now_s() + 300);
    auto all = json::parse(v.token->claims_json);
    CHECK(all["sid"] == "session_9");
    CHECK(all["org_id"] == "org_7");
    CHECK(v.description.empty());
}

TEST_CASE("client_id falls back to azp, then to sub") {
    Fixture f;
    json c = claims(f.fake);
    c["azp"] = "azp_xyz";
    CHECK(f.verify(rsa_key(1).sign(c)).token->client_id == "azp_xyz");
    c.erase("azp");
    CHECK(f.verify(rsa_key(1).sign(c)).token->client_id == "user_1");
}

TEST_CASE("insufficient scope: a 403 verdict listing the missing scopes, token still attached") {
    json s = base_settings();
    s["required_scopes"] = {"read", "admin", "billing"};
    Fixture f(s);
    auto v = f.verify(rsa_key(1).sign(claims(f.fake)));
    CHECK(v.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
    CHECK(v.required_scope == "admin billing");
    REQUIRE(v.token);
    CHECK(v.token->subject == "user_1");
}

TEST_CASE("each rejection has its reason, and the description never holds the token") {
    Fixture f;
    const auto &key = rsa_key(1);
    const int64_t now = f.fake.now_s();
    auto with = [&](const char *name, json value) {
        json c = claims(f.fake);
        if (value.is_null()) c.erase(name);
        else c[name] = value;
        return key.sign(c);
    };
    const std::string good = key.sign(claims(f.fake));
    std::string forged = good.substr(0, good.rfind('.') + 1) + rsa_key(2).sign(claims(f.fake)).substr(good.rfind('.') + 1);
    auto other_kid = make_key("ec-1", jose::Alg::ES256);

    struct Case {
        const char *name;
        std::string token;
        fastmcp_reason reason;
    };
    const std::vector<Case> cases = {
        {"empty", "", FASTMCP_REASON_MISSING_TOKEN},
        {"two parts", "abc.def", FASTMCP_REASON_MALFORMED},
        {"too large", std::string(20000, 'a'), FASTMCP_REASON_TOKEN_TOO_LARGE},
        {"bad signature", forged, FASTMCP_REASON_BAD_SIGNATURE},
        {"expired", with("exp", now - 61), FASTMCP_REASON_EXPIRED},
        {"not yet valid", with("nbf", now + 61), FASTMCP_REASON_NOT_YET_VALID},
        {"issued in future", with("iat", now + 61), FASTMCP_REASON_ISSUED_IN_FUTURE},
        {"no exp", with("exp", nullptr), FASTMCP_REASON_MISSING_CLAIM},
        {"string exp", with("exp", "soon"), FASTMCP_REASON_BAD_CLAIM},
        {"wrong issuer", with("iss", "https://evil.test"), FASTMCP_REASON_WRONG_ISSUER},
        {"wrong audience", with("aud", "https://other.test/mcp"), FASTMCP_REASON_WRONG_AUDIENCE},
        {"alg not allowed", other_kid.sign(claims(f.fake)), FASTMCP_REASON_ALG_NOT_ALLOWED},
        {"unknown kid", key.sign(claims(f.fake), {{"kid", "nope"}}), FASTMCP_REASON_UNKNOWN_KID},
    };
    for (const auto &c : cases) {
        CAPTURE(c.name);
        auto v = f.verify(c.token);
        CHECK(fastmcp_reason_name(v.reason) == std::string(fastmcp_reason_name(c.reason)));
        CHECK_FALSE(v.description.empty());
        CHECK(v.description.size() < 200);
        CHECK(v.token == nullptr);
        if (c.token.size() > 8) {
            CHECK(v.description.find(c.token) == std::string::npos);
            CHECK(v.description.find(c.token.substr(c.token.rfind('.') + 1)) == std::string::npos);
        }
    }
}

TEST_CASE("leeway edges: valid exactly at exp + leeway, expired one second later") {
    Fixture f;
    json c = claims(f.fake);
    c["exp"] = f.fake.now_s() - 60;
    const std::string token = rsa_key(1).sign(c);
    CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    f.fake.advance_s(1);
    CHECK(f.verify(token).reason == FASTMCP_REASON_EXPIRED);
}

TEST_CASE("key rotation: a token signed by a new key triggers exactly one refetch") {
    Fixture f;
    CHECK(f.verify(rsa_key(1).sign(claims(f.fake))).reason == FASTMCP_REASON_OK);
    CHECK(f.fake.hits(kUri) == 1);
    f.fake.serve(kUri, 200, jwks_of({rsa_key(2).jwk()})); // key 1 retired, key 2 published
    const std::string token = rsa_key(2).sign(claims(f.fake));
    CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    CHECK(f.fake.hits(kUri) == 2);
    CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    CHECK(f.verify(rsa_key(1).sign(claims(f.fake))).reason == FASTMCP_REASON_UNKNOWN_KID);
    CHECK(f.fake.hits(kUri) == 2); // the retired key's kid is rate-limited, not refetched
}

TEST_CASE("no keys yet: jwks_unavailable, then recovery without a restart") {
    FakeHost fake;
    fake.down(kUri);
    auto v = make(fake, base_settings());
    const std::string token = rsa_key(1).sign(claims(fake));
    CHECK(v->verify(token).reason == FASTMCP_REASON_JWKS_UNAVAILABLE);
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    CHECK(v->verify(token).reason == FASTMCP_REASON_JWKS_UNAVAILABLE); // within the back-off
    fake.advance_s(10);
    CHECK(v->verify(token).reason == FASTMCP_REASON_OK);
}

TEST_CASE("PUBLIC_KEY: a PEM key verifies; an HS256 token signed with its bytes is refused") {
    FakeHost fake;
    const std::string pem = pem_of(rsa_key(1).pkey.get());
    json s = base_settings();
    s.erase("jwks_uri");
    s["public_key"] = pem;
    auto v = make(fake, s);
    CHECK(v->verify(rsa_key(1).sign(claims(fake))).reason == FASTMCP_REASON_OK);
    CHECK(fake.total_hits() == 0);
    const std::string confused = jose::sign_compact_hmac({{"kid", "rsa-1"}}, claims(fake), jose::Alg::HS256, pem);
    CHECK(v->verify(confused).reason == FASTMCP_REASON_ALG_NOT_ALLOWED);
    // \n escapes, as a one-line environment variable would carry them
    std::string escaped;
    for (char ch : pem) escaped += ch == '\n' ? std::string("\\n") : std::string(1, ch);
    s["public_key"] = escaped;
    CHECK(make(fake, s)->verify(rsa_key(1).sign(claims(fake))).reason == FASTMCP_REASON_OK);
}

TEST_CASE("HS_SECRET is the only way HS* works") {
    FakeHost fake;
    const std::string secret(40, 'k');
    json s = base_settings();
    s.erase("jwks_uri");
    s["hs_secret"] = secret;
    s["algorithm"] = {"HS256"};
    auto v = make(fake, s);
    CHECK(v->verify(jose::sign_compact_hmac({}, claims(fake), jose::Alg::HS256, secret)).reason == FASTMCP_REASON_OK);
    CHECK(v->verify(jose::sign_compact_hmac({}, claims(fake), jose::Alg::HS256, std::string(40, 'x'))).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);

    SUBCASE("HS256 without a secret is a config error") {
        json t = base_settings();
        t["algorithm"] = {"HS256"};
        CHECK(config_error(fake, t).find("FASTMCP_SERVER_AUTH_JWT_HS_SECRET") != std::string::npos);
        t.erase("jwks_uri");
        t["public_key"] = pem_of(rsa_key(1).pkey.get());
        CHECK(config_error(fake, t).find("FASTMCP_SERVER_AUTH_JWT_HS_SECRET") != std::string::npos);
    }
    SUBCASE("a secret with a public algorithm is a config error") {
        json t = s;
        t["algorithm"] = {"HS256", "RS256"};
        CHECK(config_error(fake, t).find("FASTMCP_SERVER_AUTH_JWT_ALGORITHM") != std::string::npos);
    }
    SUBCASE("a short secret is a config error") {
        json t = s;
        t["hs_secret"] = "short";
        CHECK(config_error(fake, t).find("at least 32 bytes") != std::string::npos);
    }
}

TEST_CASE("key source: exactly one of JWKS_URI, PUBLIC_KEY, HS_SECRET") {
    FakeHost fake;
    json none = base_settings();
    none.erase("jwks_uri");
    const std::string e1 = config_error(fake, none);
    CHECK(e1.find("FASTMCP_SERVER_AUTH_JWT_JWKS_URI") != std::string::npos);
    CHECK(e1.find("FASTMCP_SERVER_AUTH_JWT_PUBLIC_KEY") != std::string::npos);
    json both = base_settings();
    both["public_key"] = pem_of(rsa_key(1).pkey.get());
    const std::string e2 = config_error(fake, both);
    CHECK(e2.find("FASTMCP_SERVER_AUTH_JWT_JWKS_URI") != std::string::npos);
    CHECK(e2.find("FASTMCP_SERVER_AUTH_JWT_PUBLIC_KEY") != std::string::npos);
    json bad_alg = base_settings();
    bad_alg["algorithm"] = {"none"};
    CHECK(config_error(fake, bad_alg).find("FASTMCP_SERVER_AUTH_JWT_ALGORITHM") != std::string::npos);
    json ec_pem = base_settings();
    ec_pem.erase("jwks_uri");
    ec_pem["public_key"] = pem_of(make_key("e", jose::Alg::ES256).pkey.get());
    CHECK(config_error(fake, ec_pem).find("none of the configured algorithms") != std::string::npos);
    json garbage = base_settings();
    garbage.erase("jwks_uri");
    garbage["public_key"] = "not a pem";
    CHECK(config_error(fake, garbage).find("FASTMCP_SERVER_AUTH_JWT_PUBLIC_KEY") != std::string::npos);
}

TEST_CASE("audience: explicit list, BASE_URL default, '*' opt-out, and neither is an error") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    json c = claims(fake);

    json none = base_settings();
    none.erase("audience");
    CHECK(config_error(fake, none).find("FASTMCP_SERVER_AUTH_JWT_AUDIENCE") != std::string::npos);

    json base = none;
    base["base_url"] = "http://localhost:8000";
    auto v = make(fake, base);
    c["aud"] = "http://localhost:8000/mcp";
    CHECK(v->verify(rsa_key(1).sign(c)).reason == FASTMCP_REASON_OK);
    c["aud"] = kAudience;
    CHECK(v->verify(rsa_key(1).sign(c)).reason == FASTMCP_REASON_WRONG_AUDIENCE);

    json star = base_settings();
    star["audience"] = {"*"};
    auto open = make(fake, star);
    c["aud"] = "https://anything.test";
    CHECK(open->verify(rsa_key(1).sign(c)).reason == FASTMCP_REASON_OK);
    auto d = json::parse(open->describe_json());
    REQUIRE(d["warnings"].size() == 1);
    CHECK(d["warnings"][0].get<std::string>().find("audience check is disabled") != std::string::npos);
    CHECK(d["audience_check"] == false);

    json mixed = base_settings();
    mixed["audience"] = {"*", kAudience};
    CHECK(config_error(fake, mixed).find("FASTMCP_SERVER_AUTH_JWT_AUDIENCE") != std::string::npos);
}

TEST_CASE("describe and the protected-resource document") {
    json s = base_settings();
    s["base_url"] = "https://api.test";
    s["required_scopes"] = {"read"};
    s["resource_name"] = "Test API";
    Fixture f(s);
    f.verify(rsa_key(1).sign(claims(f.fake)));
    auto d = json::parse(f.verifier->describe_json());
    CHECK(d["resource"] == "https://api.test/mcp");
    CHECK(d["resource_metadata_url"] == "https://api.test/.well-known/oauth-protected-resource/mcp");
    CHECK(d["issuer"] == kIssuer);
    CHECK(d["authorization_servers"] == json::array({kIssuer}));
    CHECK(d["required_scopes"] == json::array({"read"}));
    CHECK(d["routes"] == json::array({"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"}));
    CHECK(d["health"]["ready"] == true);
    CHECK(d["health"]["keys"] == 1);
    CHECK(d["health"]["jwks_uri"] == kUri);
    CHECK(d["health"]["last_error"].is_null());

    plugin::RouteRequest req;
    req.method = "GET";
    req.path = "/.well-known/oauth-protected-resource/mcp";
    plugin::RouteResponse res;
    REQUIRE(f.verifier->handle_route(req, res));
    CHECK(res.status == 200);
    auto doc = json::parse(res.body);
    CHECK(doc == json{{"resource", "https://api.test/mcp"},
                      {"authorization_servers", {kIssuer}},
                      {"scopes_supported", {"read"}},
                      {"bearer_methods_supported", {"header"}},
                      {"resource_name", "Test API"}});
    req.path = "/.well-known/other";
    plugin::RouteResponse none;
    CHECK_FALSE(f.verifier->handle_route(req, none));
}

TEST_CASE("to_verdict: a verify_bearer result (no DOM) and a verify result (DOM) give the same verdict") {
    FakeHost fake;
    std::string error;
    const auto keys = jose::parse_jwks(jwks_of({rsa_key(1).jwk()}), jose::KeySetOptions{}, error);
    REQUIRE(keys);
    jose::Policy policy;
    policy.issuers = {kIssuer};
    policy.audiences = {kAudience};
    json base = claims(fake);
    base["exp"] = static_cast<double>(fake.now_s()) + 300.75; // fractional: expires_at is its floor
    json with_azp = base;
    with_azp["azp"] = "azp_1";
    json with_client = with_azp;
    with_client["client_id"] = "client_1";
    json scp_only = base;
    scp_only.erase("scope");
    scp_only["scp"] = {"b", "a", "b"};
    json mistyped = base;
    mistyped["client_id"] = 7; // not a string: falls back to azp, then sub
    struct Case {
        json claims;
        std::vector<std::string> required;
    };
    for (const Case &c : {Case{base, {}}, Case{with_azp, {}}, Case{with_client, {}}, Case{scp_only, {}},
                          Case{mistyped, {}}, Case{base, {"read", "admin"}}, Case{scp_only, {"c"}}}) {
        CAPTURE(c.claims.dump());
        jose::Policy p = policy;
        p.required_scopes = c.required;
        const std::string token = rsa_key(1).sign(c.claims);
        const auto dom = jwt::to_verdict(jose::verify(token, *keys, p, fake.now_s()), token, p.required_scopes);
        const auto fast = jwt::to_verdict(jose::verify_bearer(token, *keys, p, fake.now_s()), token, p.required_scopes);
        CHECK(dom.reason == (c.required.empty() ? FASTMCP_REASON_OK : FASTMCP_REASON_INSUFFICIENT_SCOPE));
        CHECK(fast.reason == dom.reason);
        CHECK(fast.description == dom.description);
        CHECK(fast.required_scope == dom.required_scope);
        REQUIRE(dom.token);
        REQUIRE(fast.token);
        CHECK(fast.token->token == token);
        CHECK(fast.token->subject == dom.token->subject);
        CHECK(fast.token->client_id == dom.token->client_id);
        CHECK(fast.token->issuer == dom.token->issuer);
        CHECK(fast.token->scopes == dom.token->scopes);
        CHECK(fast.token->expires_at == fake.now_s() + 300);
        CHECK(fast.token->expires_at == dom.token->expires_at);
        CHECK(fast.token->claims_json == dom.token->claims_json);
        CHECK(json::parse(fast.token->claims_json) == c.claims);
    }
    // A DOM-only result (as a test or tool builds it) still maps: the DOM is read.
    jose::Result by_hand;
    by_hand.reason = FASTMCP_REASON_OK;
    by_hand.claims = with_client;
    const auto v = jwt::to_verdict(by_hand, "t", {});
    REQUIRE(v.token);
    CHECK(v.token->client_id == "client_1");
    CHECK(v.token->scopes == std::vector<std::string>{"read", "write"});
    CHECK(json::parse(v.token->claims_json) == with_client);
}
