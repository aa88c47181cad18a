// SupabaseProvider: endpoint derivation from PROJECT_URL, ES256 (default) and RS256 tokens from
// the project's JWKS, the "authenticated" audience, HS256 refusal, every verdict path through the
// bearer core, the protected-resource document naming {project_url}/auth/v1, and describe().
#include "../jwks/fake_host.hpp"

#include "fastmcp/supabase/settings_schema.hpp"
#include "fastmcp/supabase/supabase_provider.hpp"

#include <doctest/doctest.h>

using namespace fastmcp;
using fastmcp::testing::FakeHost;
using fastmcp::testing::jwks_of;
using fastmcp::testing::make_key;
using fastmcp::testing::rsa_key;
using fastmcp::testing::TestKey;
using nlohmann::json;

namespace {

const std::string kProject = "https://abcdefghijklm.supabase.co";
const std::string kIssuer = kProject + "/auth/v1";
const std::string kJwks = kProject + "/auth/v1/.well-known/jwks.json";
const std::string kBase = "http://localhost:8000";

const TestKey &es_key() {
    static const TestKey k = make_key("sb-es-1", jose::Alg::ES256);
    return k;
}

json settings() {
    // As the loader builds them: defaults applied, values typed.
    return {{"project_url", kProject}, {"base_url", kBase}, {"auth_route", "/auth/v1"},
            {"algorithm", "ES256"}, {"audience", {"authenticated"}}, {"leeway", 60},
            {"jwks_cache_ttl", 600}, {"jwks_refetch_min_interval", 10}, {"http_timeout", 5}};
}

std::unique_ptr<supabase::SupabaseProvider> make(FakeHost &fake, const json &s = settings()) {
    return std::make_unique<supabase::SupabaseProvider>(fake.host(), s.dump(),
                                                        supabase::BuildOptions{false});
}

std::string config_error(FakeHost &fake, const json &s) {
    try {
        make(fake, s);
    } catch (const plugin::ConfigError &e) {
        return e.message;
    }
    return "";
}

json claims(const FakeHost &fake) {
    const int64_t now = fake.now_s();
    return {{"iss", kIssuer}, {"sub", "8d3c1f0e-user"}, {"aud", "authenticated"},
            {"role", "authenticated"}, {"iat", now}, {"exp", now + 3600},
            {"email", "ada@example.com"}, {"session_id", "sess-1"}};
}

struct Fixture {
    FakeHost fake;
    std::unique_ptr<supabase::SupabaseProvider> provider;
    explicit Fixture(json s = settings(), std::vector<json> keys = {es_key().jwk()}) {
        fake.serve(kJwks, 200, jwks_of(keys));
        provider = make(fake, s);
    }
    plugin::Verdict verify(const std::string &t) { return provider->verify(t); }
};

} // namespace

TEST_CASE("issuer and JWKS URI derive from PROJECT_URL (trailing slash or not)") {
    auto e = supabase::derive_endpoints(kProject);
    CHECK(e.issuer == kIssuer);
    CHECK(e.jwks_uri == kJwks);
    CHECK(supabase::derive_endpoints(kProject + "/").issuer == kIssuer);
    CHECK(supabase::derive_endpoints(kProject, "/custom/auth").jwks_uri ==
          kProject + "/custom/auth/.well-known/jwks.json");

    FakeHost fake;
    json s = settings();
    s["project_url"] = kProject + "/";
    auto p = make(fake, s);
    CHECK(p->endpoints().issuer == kIssuer);
    CHECK(p->endpoints().jwks_uri == kJwks);
}

TEST_CASE("an ES256 token from the project's JWKS is accepted with every field") {
    Fixture f;
    const std::string token = es_key().sign(claims(f.fake));
    auto v = f.verify(token);
    REQUIRE(v.reason == FASTMCP_REASON_OK);
    REQUIRE(v.token);
    CHECK(v.token->token == token);
    CHECK(v.token->subject == "8d3c1f0e-user");
    CHECK(v.token->issuer == kIssuer);
    CHECK(json::parse(v.token->claims_json)["role"] == "authenticated");
    CHECK(f.fake.hits(kJwks) == 1); // keys came from the derived URI
}

TEST_CASE("RS256 when configured; the default ES256 refuses RS256 tokens and vice versa") {
    {
        Fixture f(settings(), {es_key().jwk(), rsa_key(1).jwk()});
        CHECK(f.verify(rsa_key(1).sign(claims(f.fake))).reason == FASTMCP_REASON_ALG_NOT_ALLOWED);
    }
    json s = settings();
    s["algorithm"] = "rs256"; // case does not matter
    Fixture f(s, {es_key().jwk(), rsa_key(1).jwk()});
    CHECK(f.verify(rsa_key(1).sign(claims(f.fake))).reason == FASTMCP_REASON_OK);
    CHECK(f.verify(es_key().sign(claims(f.fake))).reason == FASTMCP_REASON_ALG_NOT_ALLOWED);
}

TEST_CASE("HS256 is refused at start-up with an explanation") {
    FakeHost fake;
    json s = settings();
    for (const char *alg : {"HS256", "hs256", "HS512"}) {
        s["algorithm"] = alg;
        const std::string err = config_error(fake, s);
        CHECK(err.find("FASTMCP_SERVER_AUTH_SUPABASE_ALGORITHM") == 0);
        CHECK(err.find("symmetric keys are never published in a JWKS") != std::string::npos);
        CHECK(err.find("ES256 or RS256") != std::string::npos);
    }
    s["algorithm"] = "PS256";
    CHECK(config_error(fake, s).find("use ES256 (default) or RS256") != std::string::npos);
    s["algorithm"] = "none";
    CHECK(!config_error(fake, s).empty());
}

TEST_CASE("an HS256 token signed with anything is rejected by the ES256 verifier") {
    Fixture f;
    const std::string secret(32, 'k');
    const std::string token =
        jose::sign_compact_hmac({{"kid", "sb-es-1"}}, claims(f.fake), jose::Alg::HS256, secret);
    CHECK(f.verify(token).reason == FASTMCP_REASON_ALG_NOT_ALLOWED);
}

TEST_CASE("required settings name the variable") {
    FakeHost fake;
    json s = settings();
    s.erase("project_url");
    CHECK(config_error(fake, s).find("FASTMCP_SERVER_AUTH_SUPABASE_PROJECT_URL: is required") == 0);
    s = settings();
    s.erase("base_url");
    CHECK(config_error(fake, s).find("FASTMCP_SERVER_AUTH_SUPABASE_BASE_URL: is required") == 0);
    s = settings();
    s["project_url"] = "abcdefghijklm.supabase.co";
    CHECK(config_error(fake, s).find("not an absolute http(s) URL") != std::string::npos);
    s = settings();
    s["auth_route"] = "/auth/v1?x=1";
    CHECK(config_error(fake, s).find("FASTMCP_SERVER_AUTH_SUPABASE_AUTH_ROUTE") == 0);
    s = settings();
    s["audience"] = {"*", "authenticated"};
    CHECK(config_error(fake, s).find("cannot be combined") != std::string::npos);
}

TEST_CASE("the audience defaults to 'authenticated'; AUDIENCE overrides; '*' opts out with a warning") {
    {
        json s = settings();
        s.erase("audience"); // even without the schema default applied
        Fixture f(s);
        json c = claims(f.fake);
        CHECK(f.verify(es_key().sign(c)).reason == FASTMCP_REASON_OK);
        c["aud"] = "anon";
        CHECK(f.verify(es_key().sign(c)).reason == FASTMCP_REASON_WRONG_AUDIENCE);
    }
    {
        json s = settings();
        s["audience"] = {"http://localhost:8000/mcp"};
        Fixture f(s);
        json c = claims(f.fake);
        CHECK(f.verify(es_key().sign(c)).reason == FASTMCP_REASON_WRONG_AUDIENCE);
        c["aud"] = {"http://localhost:8000/mcp", "x"};
        CHECK(f.verify(es_key().sign(c)).reason == FASTMCP_REASON_OK);
    }
    json s = settings();
    s["audience"] = {"*"};
    Fixture f(s);
    json c = claims(f.fake);
    c["aud"] = "anything";
    CHECK(f.verify(es_key().sign(c)).reason == FASTMCP_REASON_OK);
    CHECK(f.fake.count_logs(FASTMCP_LOG_WARNING, "audience check is disabled") == 1);
    CHECK(json::parse(f.provider->describe_json())["warnings"].size() == 1);
}

TEST_CASE("every rejection path keeps its reason and never echoes the token") {
    json s = settings();
    s["required_scopes"] = {"notes:read"};
    Fixture f(s);
    const int64_t now = f.fake.now_s();
    auto with = [&](const char *name, json value) {
        json c = claims(f.fake);
        c["scope"] = "notes:read";
        if (value.is_null()) c.erase(name);
        else c[name] = value;
        return es_key().sign(c);
    };
    const TestKey other = make_key("sb-es-1", jose::Alg::ES256); // same kid, different key
    const TestKey unknown = make_key("sb-es-unknown", jose::Alg::ES256);
    json ok = claims(f.fake);
    ok["scope"] = "notes:read";
    const std::string good = es_key().sign(ok);
    std::string bad_sig = good;
    bad_sig[bad_sig.size() - 5] = bad_sig[bad_sig.size() - 5] == 'A' ? 'B' : 'A';

    const std::vector<std::pair<std::string, fastmcp_reason>> cases = {
        {good, FASTMCP_REASON_OK},
        {"", FASTMCP_REASON_MISSING_TOKEN},
        {"not-a-jwt", FASTMCP_REASON_MALFORMED},
        {std::string(20000, 'a'), FASTMCP_REASON_TOKEN_TOO_LARGE},
        {bad_sig, FASTMCP_REASON_BAD_SIGNATURE},
        {other.sign(ok), FASTMCP_REASON_BAD_SIGNATURE},
        {unknown.sign(ok), FASTMCP_REASON_UNKNOWN_KID},
        {with("exp", now - 61), FASTMCP_REASON_EXPIRED},
        {with("exp", nullptr), FASTMCP_REASON_MISSING_CLAIM},
        {with("nbf", now + 3600), FASTMCP_REASON_NOT_YET_VALID},
        {with("iss", kProject), FASTMCP_REASON_WRONG_ISSUER},
        {with("iss", kIssuer + "/"), FASTMCP_REASON_WRONG_ISSUER},
        {with("aud", "anon"), FASTMCP_REASON_WRONG_AUDIENCE},
        {with("scope", "notes:write"), FASTMCP_REASON_INSUFFICIENT_SCOPE},
    };
    for (const auto &c : cases) {
        const std::string token = c.first;
        const fastmcp_reason reason = c.second;
        auto v = f.verify(token);
        INFO("expected " << fastmcp_reason_name(reason) << ", got " << fastmcp_reason_name(v.reason));
        CHECK(v.reason == reason);
        if (!token.empty() && reason != FASTMCP_REASON_OK)
            CHECK(v.description.find(token) == std::string::npos);
    }
    auto v = f.verify(with("scope", "notes:write"));
    CHECK(v.required_scope == "notes:read");
    for (const auto &log : f.fake.logs())
        CHECK(log.second.find(good) == std::string::npos);
}

TEST_CASE("JWKS unreachable: jwks_unavailable, then accepted once the project's keys appear") {
    FakeHost fake;
    fake.down(kJwks);
    auto p = make(fake);
    const std::string token = es_key().sign(claims(fake));
    CHECK(p->verify(token).reason == FASTMCP_REASON_JWKS_UNAVAILABLE);
    CHECK(json::parse(p->describe_json())["health"]["ready"] == false);
    fake.serve(kJwks, 200, jwks_of({es_key().jwk()}));
    fake.advance_s(11);
    p->core().key_source()->tick();
    CHECK(p->verify(token).reason == FASTMCP_REASON_OK);
    CHECK(json::parse(p->describe_json())["health"]["ready"] == true);
}

TEST_CASE("the protected-resource document names {project_url}/auth/v1 as the authorization server") {
    json s = settings();
    s["required_scopes"] = {"notes:read"};
    s["resource_name"] = "Notes";
    Fixture f(s);
    for (const char *path : {"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"}) {
        plugin::RouteRequest req;
        req.method = "GET";
        req.path = path;
        plugin::RouteResponse res;
        REQUIRE(f.provider->handle_route(req, res));
        CHECK(res.status == 200);
        json doc = json::parse(res.body);
        CHECK(doc["resource"] == "http://localhost:8000/mcp");
        CHECK(doc["authorization_servers"] == json::array({kIssuer}));
        CHECK(doc["scopes_supported"] == json::array({"notes:read"}));
        CHECK(doc["bearer_methods_supported"] == json::array({"header"}));
        CHECK(doc["resource_name"] == "Notes");
    }
    plugin::RouteRequest other;
    other.method = "GET";
    other.path = "/.well-known/oauth-authorization-server";
    plugin::RouteResponse res;
    CHECK_FALSE(f.provider->handle_route(other, res));
}

TEST_CASE("describe(): the AuthKit shape plus project_url and jwks_uri") {
    Fixture f;
    f.provider->core().key_source()->tick();
    json d = json::parse(f.provider->describe_json());
    CHECK(d["provider"] == "SupabaseProvider");
    CHECK(d["resource"] == "http://localhost:8000/mcp");
    CHECK(d["resource_metadata_url"] == "http://localhost:8000/.well-known/oauth-protected-resource/mcp");
    CHECK(d["issuer"] == kIssuer);
    CHECK(d["authorization_servers"] == json::array({kIssuer}));
    CHECK(d["audiences"] == json::array({"authenticated"}));
    CHECK(d["algorithms"] == json::array({"ES256"}));
    CHECK(d["routes"].size() == 2);
    CHECK(d["project_url"] == kProject);
    CHECK(d["jwks_uri"] == kJwks);
    CHECK(d["health"]["ready"] == true);
    CHECK(d["health"]["keys"] == 1);
}

TEST_CASE("the schema: prefix, required fields and defaults as FastMCP names them") {
    CHECK(std::string(supabase::kEnvPrefix) == "FASTMCP_SERVER_AUTH_SUPABASE_");
    auto find = [](const std::string &name) -> const fastmcp_setting_field * {
        for (const auto &f : supabase::kFields)
            if (name == f.name) return &f;
        return nullptr;
    };
    REQUIRE(find("PROJECT_URL"));
    CHECK((find("PROJECT_URL")->flags & FASTMCP_FIELD_REQUIRED) != 0);
    CHECK((find("BASE_URL")->flags & FASTMCP_FIELD_REQUIRED) != 0);
    CHECK(std::string(find("ALGORITHM")->default_value) == "ES256");
    CHECK(std::string(find("AUDIENCE")->default_value) == "authenticated");
    REQUIRE(find("REQUIRED_SCOPES"));
    REQUIRE(find("LEEWAY"));
}
