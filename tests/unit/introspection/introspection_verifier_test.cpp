// IntrospectionTokenVerifier (RFC 7662): the request it sends, every verdict path, fail-closed
// handling of an unusable endpoint (never cached), the cache (TTL, capped at exp, bounded, LRU),
// configuration errors, and the client secret / tokens absent from describe, errors and logs.
#include "fake_idp_host.hpp"

#include "fastmcp/introspection/introspection_cache.hpp"
#include "fastmcp/introspection/introspection_request.hpp"
#include "fastmcp/introspection/introspection_verifier.hpp"
#include "fastmcp/introspection/settings_schema.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <map>

using namespace fastmcp;
using fastmcp::introspection::IntrospectionTokenVerifier;
using fastmcp::testing::FakeIdpHost;
using fastmcp::testing::RecordedRequest;
using nlohmann::json;

namespace {

const std::string kUrl = "https://idp.test/oauth2/introspect";
const std::string kSecret = "sup3r-s3cret:value/with+specials";
const std::string kToken = "opaque.tok+en/with=chars";

json settings() {
    return {{"introspection_url", kUrl}, {"client_id", "mcp server"}, {"client_secret", kSecret},
            {"timeout_seconds", 10}, {"cache_ttl_seconds", 60}, {"max_cache_size", 10000}};
}

plugin::HttpResponse json_answer(const json &body, int status = 200) {
    plugin::HttpResponse r;
    r.status = status;
    r.body = body.dump();
    r.content_type = "application/json";
    return r;
}

// An IdP whose answers are looked up by the exact form body the verifier sent.
struct Idp {
    std::map<std::string, plugin::HttpResponse> by_token;
    plugin::HttpResponse fallback = json_answer({{"active", false}});
    void set(const std::string &token, plugin::HttpResponse r) { by_token[token] = std::move(r); }
    void set(const std::string &token, const json &body) { set(token, json_answer(body)); }
    plugin::HttpResponse operator()(const RecordedRequest &r) const {
        for (const auto &entry : by_token)
            if (r.body == "token=" + introspection::form_encode(entry.first) + "&token_type_hint=access_token")
                return entry.second;
        return fallback;
    }
};

struct Fixture {
    FakeIdpHost fake;
    Idp idp;
    std::unique_ptr<IntrospectionTokenVerifier> verifier;
    explicit Fixture(const json &s = settings()) {
        fake.respond = [this](const RecordedRequest &r) { return idp(r); };
        verifier = std::make_unique<IntrospectionTokenVerifier>(fake.host(), s.dump());
    }
    json active(int64_t exp_in = 3600) const {
        return {{"active", true}, {"sub", "user_42"}, {"client_id", "app_7"}, {"scope", "read write"},
                {"iss", "https://idp.test"}, {"exp", fake.now_s() + exp_in}, {"tenant", "acme"}};
    }
    plugin::Verdict verify(const std::string &t) { return verifier->verify(t); }
};

std::string config_error(const json &s) {
    FakeIdpHost fake;
    try {
        IntrospectionTokenVerifier v(fake.host(), s.dump());
    } catch (const plugin::ConfigError &e) {
        return e.message;
    }
    return "";
}

std::string base64_decode(const std::string &in) {
    std::string out(in.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                            reinterpret_cast<const unsigned char *>(in.data()), static_cast<int>(in.size()));
    REQUIRE(n >= 0);
    out.resize(static_cast<size_t>(n));
    while (!in.empty() && in.back() == '=' && !out.empty() && out.back() == '\0') out.pop_back();
    return out;
}

} // namespace

TEST_CASE("the request: POST, form-encoded token and hint, HTTP Basic client auth, timeout") {
    Fixture f;
    f.idp.set(kToken, f.active());
    REQUIRE(f.verify(kToken).reason == FASTMCP_REASON_OK);
    auto reqs = f.fake.requests();
    REQUIRE(reqs.size() == 1);
    const RecordedRequest &r = reqs[0];
    CHECK(r.method == "POST");
    CHECK(r.url == kUrl);
    CHECK(r.body == "token=opaque.tok%2Ben%2Fwith%3Dchars&token_type_hint=access_token");
    CHECK(r.header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(r.header("Accept") == "application/json");
    const std::string auth = r.header("Authorization");
    REQUIRE(auth.rfind("Basic ", 0) == 0);
    // RFC 6749 §2.3.1: client_id and secret are each form-encoded before base64.
    CHECK(base64_decode(auth.substr(6)) == "mcp+server:sup3r-s3cret%3Avalue%2Fwith%2Bspecials");
    CHECK(r.timeout_ms == 10'000);
    CHECK(r.max_response_bytes > 0);
}

TEST_CASE("form_encode keeps unreserved bytes, turns space into '+', percent-encodes the rest") {
    CHECK(introspection::form_encode("aZ09-._~") == "aZ09-._~");
    CHECK(introspection::form_encode("a b&c=d") == "a+b%26c%3Dd");
    CHECK(introspection::form_encode(std::string("\xff\x00", 2)) == "%FF%00");
    CHECK(introspection::basic_authorization("a", "b") == "Basic YTpi");
}

TEST_CASE("an active answer: every field of the verified token, the raw token byte for byte") {
    Fixture f;
    f.idp.set(kToken, f.active());
    auto v = f.verify(kToken);
    REQUIRE(v.reason == FASTMCP_REASON_OK);
    REQUIRE(v.token);
    CHECK(v.token->token == kToken);
    CHECK(v.token->subject == "user_42");
    CHECK(v.token->client_id == "app_7");
    CHECK(v.token->issuer == "https://idp.test");
    CHECK(v.token->scopes == std::vector<std::string>{"read", "write"});
    CHECK(v.token->expires_at == f.fake.now_s() + 3600);
    CHECK(json::parse(v.token->claims_json)["tenant"] == "acme");
}

TEST_CASE("inactive: active false, missing, or not the boolean true") {
    Fixture f;
    const std::vector<json> answers = {
        {{"active", false}}, {{"sub", "x"}, {"exp", f.fake.now_s() + 60}}, {{"active", "true"}}, {{"active", 1}}};
    int i = 0;
    for (const auto &a : answers) {
        const std::string t = "tok-inactive-" + std::to_string(i++);
        f.idp.set(t, a);
        auto v = f.verify(t);
        CHECK(v.reason == FASTMCP_REASON_INACTIVE);
        CHECK_FALSE(v.token);
    }
}

TEST_CASE("exp, nbf and scope are checked; malformed claims are bad_claim") {
    json s = settings();
    s["required_scopes"] = {"read", "admin"};
    Fixture f(s);
    json a = f.active();
    a["scope"] = "read admin";
    f.idp.set("ok", a);
    CHECK(f.verify("ok").reason == FASTMCP_REASON_OK);

    a["exp"] = f.fake.now_s();
    f.idp.set("expired-now", a);
    CHECK(f.verify("expired-now").reason == FASTMCP_REASON_EXPIRED);
    a["exp"] = f.fake.now_s() + 1;
    f.idp.set("one-second-left", a);
    CHECK(f.verify("one-second-left").reason == FASTMCP_REASON_OK);

    json n = f.active();
    n["scope"] = "read admin";
    n["nbf"] = f.fake.now_s() + 30;
    f.idp.set("not-yet", n);
    CHECK(f.verify("not-yet").reason == FASTMCP_REASON_NOT_YET_VALID);

    json b = f.active();
    b["exp"] = "tomorrow";
    f.idp.set("bad-exp", b);
    auto bad = f.verify("bad-exp");
    CHECK(bad.reason == FASTMCP_REASON_BAD_CLAIM);
    CHECK(bad.description.find("'exp'") != std::string::npos);
    b = f.active();
    b["scope"] = 7;
    f.idp.set("bad-scope", b);
    CHECK(f.verify("bad-scope").reason == FASTMCP_REASON_BAD_CLAIM);

    f.idp.set("few-scopes", f.active()); // read write
    auto few = f.verify("few-scopes");
    CHECK(few.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
    CHECK(few.required_scope == "admin");
    REQUIRE(few.token);
    CHECK(few.token->subject == "user_42");

    json list = f.active();
    list["scope"] = {"read", "admin", "read"}; // a list is tolerated, duplicates dropped
    f.idp.set("list-scopes", list);
    auto l = f.verify("list-scopes");
    CHECK(l.reason == FASTMCP_REASON_OK);
    CHECK(l.token->scopes == std::vector<std::string>{"read", "admin"});
}

TEST_CASE("missing and oversized tokens never reach the endpoint") {
    Fixture f;
    CHECK(f.verify("").reason == FASTMCP_REASON_MISSING_TOKEN);
    CHECK(f.verify(std::string(17 * 1024, 'a')).reason == FASTMCP_REASON_TOKEN_TOO_LARGE);
    CHECK(f.fake.request_count() == 0);
}

TEST_CASE("an unusable endpoint fails closed with introspection_unavailable and is never cached") {
    Fixture f;
    plugin::HttpResponse refused;
    refused.error = "connection refused";
    plugin::HttpResponse not_json;
    not_json.status = 200;
    not_json.body = "<html>" + kToken + "</html>";
    const std::vector<plugin::HttpResponse> failures = {
        refused, json_answer({{"error", "invalid_client"}}, 401), json_answer({{"active", true}}, 500),
        not_json, json_answer(json::array({{{"active", true}}}))};
    for (const auto &failure : failures) {
        f.idp.set(kToken, failure);
        const size_t before = f.fake.request_count();
        CHECK(f.verify(kToken).reason == FASTMCP_REASON_INTROSPECTION_UNAVAILABLE);
        CHECK(f.verify(kToken).reason == FASTMCP_REASON_INTROSPECTION_UNAVAILABLE);
        CHECK(f.fake.request_count() == before + 2); // nothing cached
    }
    CHECK(f.verifier->cache_size() == 0);
    // Logged once for the whole outage, with the cause but never the body.
    CHECK(f.fake.count_logs(FASTMCP_LOG_WARNING, "introspection at " + kUrl + " failed") == 1);
    json d = json::parse(f.verifier->describe_json());
    CHECK(d["health"]["ready"] == false);
    CHECK(d["health"]["last_error"] == "the endpoint's answer is not a JSON object");
    CHECK(d["health"]["failures"] == 10);

    f.idp.set(kToken, f.active());
    CHECK(f.verify(kToken).reason == FASTMCP_REASON_OK);
    CHECK(f.fake.count_logs(FASTMCP_LOG_INFO, "answers again") == 1);
    CHECK(json::parse(f.verifier->describe_json())["health"]["ready"] == true);
}

TEST_CASE("results are cached for the TTL") {
    Fixture f;
    f.idp.set(kToken, f.active(24 * 3600));
    CHECK(f.verify(kToken).reason == FASTMCP_REASON_OK);
    f.idp.set(kToken, json{{"active", false}}); // revoked at the IdP
    f.fake.advance_s(59);
    CHECK(f.verify(kToken).reason == FASTMCP_REASON_OK); // served from the cache
    CHECK(f.fake.request_count() == 1);
    f.fake.advance_s(1);
    CHECK(f.verify(kToken).reason == FASTMCP_REASON_INACTIVE); // TTL over: asked again
    CHECK(f.fake.request_count() == 2);
    // Inactive answers are cached too (fail-closed), for the same TTL.
    CHECK(f.verify(kToken).reason == FASTMCP_REASON_INACTIVE);
    CHECK(f.fake.request_count() == 2);
    CHECK(json::parse(f.verifier->describe_json())["health"]["cache_hits"] == 2);
}

TEST_CASE("the cache never outlives the token's exp") {
    Fixture f;
    f.idp.set(kToken, f.active(5)); // exp = now + 5, TTL 60
    CHECK(f.verify(kToken).reason == FASTMCP_REASON_OK);
    f.idp.set(kToken, json{{"active", false}});
    f.fake.advance_s(4);
    CHECK(f.verify(kToken).reason == FASTMCP_REASON_OK);
    CHECK(f.fake.request_count() == 1);
    f.fake.advance_s(1); // exactly at exp: the entry is gone and the IdP is asked
    CHECK(f.verify(kToken).reason == FASTMCP_REASON_INACTIVE);
    CHECK(f.fake.request_count() == 2);

    // An answer whose exp has already passed is not cached at all.
    Fixture g;
    g.idp.set(kToken, g.active(-10));
    CHECK(g.verify(kToken).reason == FASTMCP_REASON_EXPIRED);
    CHECK(g.verifier->cache_size() == 0);
}

TEST_CASE("the cache is bounded (least recently used dropped) and can be disabled") {
    json s = settings();
    s["max_cache_size"] = 2;
    Fixture f(s);
    for (const char *t : {"t1", "t2", "t3"}) f.idp.set(t, f.active());
    f.verify("t1");
    f.verify("t2");
    f.verify("t1"); // t1 is now the most recently used
    f.verify("t3"); // evicts t2
    CHECK(f.verifier->cache_size() == 2);
    CHECK(f.fake.request_count() == 3);
    f.verify("t1");
    CHECK(f.fake.request_count() == 3);
    f.verify("t2");
    CHECK(f.fake.request_count() == 4);

    json off = settings();
    off["cache_ttl_seconds"] = 0;
    Fixture g(off);
    g.idp.set(kToken, g.active());
    g.verify(kToken);
    g.verify(kToken);
    CHECK(g.fake.request_count() == 2);
    CHECK(json::parse(g.verifier->describe_json())["cache"]["enabled"] == false);
}

TEST_CASE("the cache is keyed by the token's SHA-256") {
    introspection::IntrospectionCache cache(4);
    auto value = std::make_shared<const introspection::Introspected>();
    const auto key = introspection::token_digest("abc");
    CHECK(key[0] == 0xba); // SHA-256("abc") = ba7816bf...
    CHECK(key[31] == 0xad);
    cache.put(key, value, 2000, 1000);
    CHECK(cache.get(introspection::token_digest("abc"), 1500) == value);
    CHECK(cache.get(introspection::token_digest("abd"), 1500) == nullptr);
    CHECK(cache.get(key, 2000) == nullptr); // at the deadline it is gone
    CHECK(cache.size() == 0);
    cache.put(key, value, 1000, 1000); // a deadline not in the future is not stored
    CHECK(cache.size() == 0);
}

TEST_CASE("configuration errors name the variable and never show the secret") {
    auto without = [](const char *name) {
        json s = settings();
        s.erase(name);
        return s;
    };
    CHECK(config_error(without("introspection_url")).find("FASTMCP_SERVER_AUTH_INTROSPECTION_INTROSPECTION_URL: is required") == 0);
    CHECK(config_error(without("client_id")).find("FASTMCP_SERVER_AUTH_INTROSPECTION_CLIENT_ID: is required") == 0);
    CHECK(config_error(without("client_secret")).find("FASTMCP_SERVER_AUTH_INTROSPECTION_CLIENT_SECRET: is required") == 0);
    json s = settings();
    s["introspection_url"] = "http://idp.example.com/introspect";
    const std::string insecure = config_error(s);
    CHECK(insecure.find("must be https") != std::string::npos);
    for (const char *loopback : {"http://127.0.0.1:9000/introspect", "http://localhost:9000/i", "http://[::1]:9000/i"}) {
        s["introspection_url"] = loopback;
        CHECK(config_error(s).empty());
    }
    s = settings();
    s["timeout_seconds"] = 0;
    CHECK(config_error(s).find("_TIMEOUT_SECONDS") != std::string::npos);
    s = settings();
    s["max_cache_size"] = 0;
    CHECK(config_error(s).find("_MAX_CACHE_SIZE") != std::string::npos);
    s = settings();
    s["max_cache_size"] = "many";
    CHECK(config_error(s).find("_MAX_CACHE_SIZE: not an integer") != std::string::npos);
    s = settings();
    s["timeout_seconds"] = "2.5";
    FakeIdpHost fake;
    fake.respond = [](const RecordedRequest &) { return json_answer({{"active", false}}); };
    IntrospectionTokenVerifier v(fake.host(), s.dump());
    v.verify("x");
    CHECK(fake.requests().at(0).timeout_ms == 2500);
    for (const std::string &e : {insecure, config_error(without("client_id"))}) CHECK(e.find(kSecret) == std::string::npos);
}

TEST_CASE("the secret and tokens never reach describe(), verdicts or logs") {
    json s = settings();
    s["base_url"] = "http://localhost:8000";
    Fixture f(s);
    std::vector<std::string> texts;
    plugin::HttpResponse echo;
    echo.status = 500;
    echo.body = "{\"error\":\"" + kSecret + " " + kToken + "\"}"; // a careless IdP echoing both
    f.idp.set(kToken, echo);
    texts.push_back(f.verify(kToken).description);
    f.idp.set(kToken, f.active());
    texts.push_back(f.verify(kToken).description);
    f.idp.set("inactive-" + kToken, json{{"active", false}});
    texts.push_back(f.verify("inactive-" + kToken).description);
    const std::string describe = f.verifier->describe_json();
    texts.push_back(describe);
    for (const auto &l : f.fake.logs()) texts.push_back(l.second);
    CHECK(f.fake.logs().size() >= 3); // the warning, the outage and the recovery
    for (const auto &t : texts) {
        CHECK(t.find(kSecret) == std::string::npos);
        CHECK(t.find(kToken) == std::string::npos);
        CHECK(t.find(introspection::form_encode(kSecret)) == std::string::npos);
    }
    json d = json::parse(describe);
    CHECK(d["client_secret"] == "********");
    CHECK(d["client_id"] == "mcp server");
    CHECK(d["introspection_url"] == kUrl);
}

TEST_CASE("BASE_URL: protected-resource metadata and the describe() shape") {
    json s = settings();
    s["base_url"] = "http://localhost:8000";
    s["authorization_servers"] = {"https://idp.test"};
    s["required_scopes"] = {"read"};
    Fixture f(s);
    json d = json::parse(f.verifier->describe_json());
    CHECK(d["provider"] == "IntrospectionTokenVerifier");
    CHECK(d["resource"] == "http://localhost:8000/mcp");
    CHECK(d["resource_metadata_url"] == "http://localhost:8000/.well-known/oauth-protected-resource/mcp");
    CHECK(d["authorization_servers"] == json::array({"https://idp.test"}));
    CHECK(d["warnings"].empty());
    CHECK(d["routes"].size() == 2);
    CHECK(d["cache"]["ttl_seconds"] == 60.0);
    plugin::RouteRequest req;
    req.method = "GET";
    req.path = "/.well-known/oauth-protected-resource/mcp";
    plugin::RouteResponse res;
    REQUIRE(f.verifier->handle_route(req, res));
    json doc = json::parse(res.body);
    CHECK(doc["resource"] == "http://localhost:8000/mcp");
    CHECK(doc["authorization_servers"] == json::array({"https://idp.test"}));
    CHECK(doc["scopes_supported"] == json::array({"read"}));

    json no_as = settings();
    no_as["base_url"] = "http://localhost:8000";
    Fixture g(no_as);
    CHECK(json::parse(g.verifier->describe_json())["warnings"].size() == 1);
    CHECK(g.fake.count_logs(FASTMCP_LOG_WARNING, "names no authorization server") == 1);
}

TEST_CASE("the schema: FastMCP's names, CLIENT_SECRET is a required secret, TIMEOUT_SECONDS defaults to 10") {
    CHECK(std::string(introspection::kEnvPrefix) == "FASTMCP_SERVER_AUTH_INTROSPECTION_");
    std::map<std::string, const fastmcp_setting_field *> by_name;
    for (const auto &f : introspection::kFields) by_name[f.name] = &f;
    REQUIRE(by_name.count("CLIENT_SECRET"));
    CHECK(by_name["CLIENT_SECRET"]->flags == (FASTMCP_FIELD_REQUIRED | FASTMCP_FIELD_SECRET));
    CHECK((by_name["INTROSPECTION_URL"]->flags & FASTMCP_FIELD_REQUIRED) != 0);
    CHECK((by_name["CLIENT_ID"]->flags & FASTMCP_FIELD_REQUIRED) != 0);
    CHECK(std::string(by_name["TIMEOUT_SECONDS"]->default_value) == "10");
    REQUIRE(by_name.count("CACHE_TTL_SECONDS"));
    REQUIRE(by_name.count("REQUIRED_SCOPES"));
    REQUIRE(by_name.count("BASE_URL"));
}
