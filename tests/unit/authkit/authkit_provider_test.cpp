// AuthKitProvider: derived issuer/JWKS, discovery (metadata wins, background, retry), AuthKit
// down at start then up, audience default/override/opt-out, required scopes, the metadata
// documents field by field, describe(), and settings errors.
#include "../jwks/fake_host.hpp"

#include "fastmcp/authkit/authkit_provider.hpp"

#include <doctest/doctest.h>

using namespace fastmcp;
using fastmcp::testing::FakeHost;
using fastmcp::testing::jwks_of;
using fastmcp::testing::rsa_key;
using nlohmann::json;

namespace {

const std::string kDomain = "https://demo.authkit.test";
const std::string kJwks = kDomain + "/oauth2/jwks";
const std::string kMetaUrl = kDomain + "/.well-known/oauth-authorization-server";
const std::string kBase = "http://localhost:8000";
const std::string kResource = "http://localhost:8000/mcp";

json settings() {
    return {{"authkit_domain", kDomain}, {"base_url", kBase}, {"leeway", 60}, {"jwks_cache_ttl", 600},
            {"jwks_refetch_min_interval", 10}, {"http_timeout", 5}};
}

json metadata(const std::string &issuer = kDomain, const std::string &jwks = kJwks) {
    return {{"issuer", issuer},
            {"authorization_endpoint", issuer + "/oauth2/authorize"},
            {"token_endpoint", issuer + "/oauth2/token"},
            {"registration_endpoint", issuer + "/oauth2/register"},
            {"jwks_uri", jwks},
            {"code_challenge_methods_supported", {"S256"}}};
}

void serve_authkit(FakeHost &fake) {
    fake.serve(kMetaUrl, 200, metadata().dump());
    fake.serve(kJwks, 200, jwks_of({rsa_key(1).jwk()}));
}

std::unique_ptr<authkit::AuthKitProvider> make(FakeHost &fake, const json &s = settings()) {
    return std::make_unique<authkit::AuthKitProvider>(fake.host(), s.dump(), authkit::BuildOptions{false});
}

json claims(const FakeHost &fake, const std::string &aud = kResource) {
    const int64_t now = fake.now_s();
    return {{"iss", kDomain}, {"sub", "user_01"}, {"sid", "session_01"}, {"jti", "j1"}, {"org_id", "org_01"},
            {"aud", aud}, {"iat", now}, {"exp", now + 300}, {"scope", "openid profile email"}};
}

plugin::RouteResponse get(authkit::AuthKitProvider &p, std::string_view path, std::string_view method = "GET") {
    plugin::RouteRequest req;
    req.method = method;
    req.path = path;
    plugin::RouteResponse res;
    REQUIRE(p.handle_route(req, res));
    return res;
}

std::string header(const plugin::RouteResponse &r, const std::string &name) {
    for (const auto &[n, v] : r.headers)
        if (n == name) return v;
    return "";
}

std::string config_error(FakeHost &fake, const json &s) {
    try {
        make(fake, s);
    } catch (const plugin::ConfigError &e) {
        return e.message;
    }
    return "";
}

} // namespace

TEST_CASE("create does no I/O; the first verify discovers, fetches the JWKS and accepts") {
    FakeHost fake;
    serve_authkit(fake);
    auto p = make(fake);
    CHECK(fake.total_hits() == 0);
    const std::string token = rsa_key(1).sign(claims(fake));
    auto v = p->verify(token);
    REQUIRE(v.reason == FASTMCP_REASON_OK);
    CHECK(fake.hits(kMetaUrl) == 1);
    CHECK(fake.hits(kJwks) == 1);
    CHECK(v.token->token == token);
    CHECK(v.token->subject == "user_01");
    CHECK(v.token->client_id == "user_01");
    CHECK(v.token->issuer == kDomain);
    auto c = json::parse(v.token->claims_json);
    CHECK(c["sid"] == "session_01");
    CHECK(c["org_id"] == "org_01");
}

TEST_CASE("the background worker discovers and fetches keys without any request") {
    FakeHost fake;
    serve_authkit(fake);
    authkit::AuthKitProvider p(fake.host(), settings().dump()); // background on
    for (int i = 0; i < 5000 && !p.core().key_source()->current(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(fake.hits(kMetaUrl) == 1);
    CHECK(p.verify(rsa_key(1).sign(claims(fake))).reason == FASTMCP_REASON_OK);
}

TEST_CASE("AuthKit down at start, then up: jwks_unavailable, then recovery without a restart") {
    FakeHost fake;
    fake.down(kMetaUrl);
    fake.down(kJwks);
    auto p = make(fake);
    const std::string token = rsa_key(1).sign(claims(fake));
    auto v = p->verify(token);
    CHECK(v.reason == FASTMCP_REASON_JWKS_UNAVAILABLE);
    CHECK(v.description == "signing keys are not available yet");
    auto d = json::parse(p->describe_json());
    CHECK(d["health"]["ready"] == false);
    CHECK(d["health"]["last_error"].get<std::string>().find("connection refused") != std::string::npos);
    CHECK(d["health"]["discovery"]["ok"] == false);
    CHECK(get(*p, "/.well-known/oauth-authorization-server").status == 502);

    serve_authkit(fake);
    fake.advance_s(10);
    CHECK(p->verify(token).reason == FASTMCP_REASON_OK);
    d = json::parse(p->describe_json());
    CHECK(d["health"]["ready"] == true);
    CHECK(d["health"]["discovery"]["ok"] == true);
    CHECK(get(*p, "/.well-known/oauth-authorization-server").status == 200);
}

TEST_CASE("discovery metadata naming a different jwks_uri and issuer wins, with a log line") {
    FakeHost fake;
    const std::string issuer = "https://auth.demo.test";
    const std::string jwks = "https://keys.demo.test/jwks";
    fake.serve(kMetaUrl, 200, metadata(issuer, jwks).dump());
    fake.serve(jwks, 200, jwks_of({rsa_key(1).jwk()}));
    auto p = make(fake);
    json c = claims(fake);
    c["iss"] = issuer;
    CHECK(p->verify(rsa_key(1).sign(c)).reason == FASTMCP_REASON_OK);
    CHECK(fake.hits(jwks) == 1);
    CHECK(fake.hits(kJwks) == 0);
    CHECK(p->verify(rsa_key(1).sign(claims(fake))).reason == FASTMCP_REASON_WRONG_ISSUER);
    CHECK(fake.count_logs(FASTMCP_LOG_WARNING, "names issuer " + issuer) == 1);
    CHECK(fake.count_logs(FASTMCP_LOG_INFO, "names jwks_uri " + jwks) == 1);
    auto d = json::parse(p->describe_json());
    CHECK(d["issuer"] == issuer);
    CHECK(d["authorization_servers"] == json::array({issuer}));
    CHECK(d["health"]["jwks_uri"] == jwks);
    CHECK(json::parse(get(*p, "/.well-known/oauth-protected-resource/mcp").body)["authorization_servers"] ==
          json::array({issuer}));
}

TEST_CASE("an https domain's metadata cannot send key fetches to plain http") {
    FakeHost fake;
    fake.serve(kMetaUrl, 200, metadata(kDomain, "http://keys.demo.test/jwks").dump());
    fake.serve(kJwks, 200, jwks_of({rsa_key(1).jwk()}));
    auto p = make(fake);
    CHECK(p->verify(rsa_key(1).sign(claims(fake))).reason == FASTMCP_REASON_OK);
    CHECK(fake.hits(kJwks) == 1); // the default, not the downgraded one
    CHECK(p->discovery().last_error().find("unusable jwks_uri") != std::string::npos);
}

TEST_CASE("audience: default resource URL, custom MCP path, AUDIENCE override, '*' opt-out") {
    FakeHost fake;
    serve_authkit(fake);
    SUBCASE("default is BASE_URL + the host's MCP path") {
        auto p = make(fake);
        CHECK(p->verify(rsa_key(1).sign(claims(fake))).reason == FASTMCP_REASON_OK);
        CHECK(p->verify(rsa_key(1).sign(claims(fake, "http://localhost:8000"))).reason == FASTMCP_REASON_WRONG_AUDIENCE);
        json c = claims(fake);
        c.erase("aud");
        CHECK(p->verify(rsa_key(1).sign(c)).reason == FASTMCP_REASON_MISSING_CLAIM);
        c["aud"] = json::array({"https://other", kResource});
        CHECK(p->verify(rsa_key(1).sign(c)).reason == FASTMCP_REASON_OK);
    }
    SUBCASE("the MCP path comes from the host") {
        fake.set_mcp_path("/api/mcp");
        auto p = make(fake);
        CHECK(p->verify(rsa_key(1).sign(claims(fake, kBase + "/api/mcp"))).reason == FASTMCP_REASON_OK);
        CHECK(p->verify(rsa_key(1).sign(claims(fake))).reason == FASTMCP_REASON_WRONG_AUDIENCE);
        CHECK(json::parse(p->describe_json())["resource_metadata_url"] ==
              kBase + "/.well-known/oauth-protected-resource/api/mcp");
    }
    SUBCASE("AUDIENCE overrides") {
        json s = settings();
        s["audience"] = {"client_01ABC", "api://mcp"};
        auto p = make(fake, s);
        CHECK(p->verify(rsa_key(1).sign(claims(fake, "api://mcp"))).reason == FASTMCP_REASON_OK);
        CHECK(p->verify(rsa_key(1).sign(claims(fake))).reason == FASTMCP_REASON_WRONG_AUDIENCE);
    }
    SUBCASE("'*' disables the check, warns at start and in describe") {
        json s = settings();
        s["audience"] = {"*"};
        auto p = make(fake, s);
        CHECK(p->verify(rsa_key(1).sign(claims(fake, "https://whatever"))).reason == FASTMCP_REASON_OK);
        CHECK(fake.count_logs(FASTMCP_LOG_WARNING, "audience check is disabled") == 1);
        auto d = json::parse(p->describe_json());
        REQUIRE(d["warnings"].size() == 1);
        CHECK(d["warnings"][0].get<std::string>().find("FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUDIENCE") != std::string::npos);
        CHECK(d["audience_check"] == false);
    }
}

TEST_CASE("REQUIRED_SCOPES are enforced with insufficient_scope") {
    FakeHost fake;
    serve_authkit(fake);
    json s = settings();
    s["required_scopes"] = {"openid", "mcp:tools"};
    auto p = make(fake, s);
    auto v = p->verify(rsa_key(1).sign(claims(fake)));
    CHECK(v.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
    CHECK(v.required_scope == "mcp:tools");
    json c = claims(fake);
    c["scope"] = "openid mcp:tools";
    CHECK(p->verify(rsa_key(1).sign(c)).reason == FASTMCP_REASON_OK);
}

TEST_CASE("protected-resource metadata, both forms, field by field") {
    FakeHost fake;
    serve_authkit(fake);
    json s = settings();
    s["required_scopes"] = {"openid", "profile"};
    s["resource_name"] = "AuthKit Secured App";
    s["resource_documentation"] = "https://docs.example.com/mcp";
    auto p = make(fake, s);
    for (const char *path : {"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource",
                             "/.well-known/oauth-protected-resource/mcp/"}) {
        CAPTURE(path);
        auto r = get(*p, path);
        CHECK(r.status == 200);
        CHECK(r.content_type == "application/json");
        CHECK(header(r, "Access-Control-Allow-Origin") == "*");
        auto doc = json::parse(r.body);
        CHECK(doc.size() == 6);
        CHECK(doc["resource"] == kResource);
        CHECK(doc["authorization_servers"] == json::array({kDomain}));
        CHECK(doc["scopes_supported"] == json::array({"openid", "profile"}));
        CHECK(doc["bearer_methods_supported"] == json::array({"header"}));
        CHECK(doc["resource_name"] == "AuthKit Secured App");
        CHECK(doc["resource_documentation"] == "https://docs.example.com/mcp");
    }
    SUBCASE("scopes_supported is omitted when there are none; no trailing slash is added") {
        json t = settings();
        t["authkit_domain"] = kDomain + "/";
        auto q = make(fake, t);
        auto doc = json::parse(get(*q, "/.well-known/oauth-protected-resource/mcp").body);
        CHECK_FALSE(doc.contains("scopes_supported"));
        CHECK_FALSE(doc.contains("resource_name"));
        CHECK(doc["authorization_servers"] == json::array({kDomain}));
    }
    auto pre = get(*p, "/.well-known/oauth-protected-resource", "OPTIONS");
    CHECK(pre.status == 204);
    CHECK(header(pre, "Access-Control-Allow-Origin") == "*");
    auto post = get(*p, "/.well-known/oauth-protected-resource", "POST");
    CHECK(post.status == 405);
    CHECK(header(post, "Allow") == "GET, HEAD, OPTIONS");
    plugin::RouteRequest other;
    other.method = "GET";
    other.path = "/mcp";
    plugin::RouteResponse none;
    CHECK_FALSE(p->handle_route(other, none));
}

TEST_CASE("authorization-server metadata: the cached copy, or 502 JSON when unreachable") {
    FakeHost fake;
    serve_authkit(fake);
    auto p = make(fake);
    auto r = get(*p, "/.well-known/oauth-authorization-server");
    CHECK(r.status == 200);
    CHECK(json::parse(r.body) == metadata());
    CHECK(header(r, "Access-Control-Allow-Origin") == "*");
    fake.down(kMetaUrl); // the cached copy keeps being served
    fake.advance_s(30);
    CHECK(get(*p, "/.well-known/oauth-authorization-server").status == 200);

    FakeHost down;
    down.down(kMetaUrl);
    auto q = make(down);
    auto e = get(*q, "/.well-known/oauth-authorization-server");
    CHECK(e.status == 502);
    CHECK(json::parse(e.body)["error"] == "authorization_server_unavailable");
    CHECK(header(e, "Access-Control-Allow-Origin") == "*");
    get(*q, "/.well-known/oauth-authorization-server");
    CHECK(down.hits(kMetaUrl) == 1); // retries are rate-limited
}

TEST_CASE("describe lists what the host needs") {
    FakeHost fake;
    serve_authkit(fake);
    json s = settings();
    s["required_scopes"] = {"openid"};
    auto p = make(fake, s);
    json c = claims(fake);
    c["scope"] = "openid";
    REQUIRE(p->verify(rsa_key(1).sign(c)).reason == FASTMCP_REASON_OK);
    auto d = json::parse(p->describe_json());
    CHECK(d["resource"] == kResource);
    CHECK(d["resource_metadata_url"] == kBase + "/.well-known/oauth-protected-resource/mcp");
    CHECK(d["issuer"] == kDomain);
    CHECK(d["authorization_servers"] == json::array({kDomain}));
    CHECK(d["required_scopes"] == json::array({"openid"}));
    CHECK(d["audiences"] == json::array({kResource}));
    CHECK(d["algorithms"] == json::array({"RS256"}));
    CHECK(d["routes"] == json::array({"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource",
                                      "/.well-known/oauth-authorization-server"}));
    CHECK(d["warnings"].empty());
    CHECK(d["health"]["ready"] == true);
    CHECK(d["health"]["keys"] == 1);
    CHECK(d["health"]["jwks_uri"] == kJwks);
    CHECK(d["health"]["last_error"].is_null());
    CHECK(d["health"]["discovery"]["metadata_url"] == kMetaUrl);
}

TEST_CASE("settings errors name the variable") {
    FakeHost fake;
    json s = settings();
    s.erase("authkit_domain");
    CHECK(config_error(fake, s).find("FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN") == 0);
    s = settings();
    s.erase("base_url");
    CHECK(config_error(fake, s).find("FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL") == 0);
    s = settings();
    s["base_url"] = "localhost:8000";
    CHECK(config_error(fake, s).find("not an absolute http(s) URL") != std::string::npos);
    s = settings();
    s["audience"] = {"*", kResource};
    CHECK(config_error(fake, s).find("FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUDIENCE") == 0);
    CHECK(fake.total_hits() == 0);
}
