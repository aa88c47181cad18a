// StaticTokenVerifier: TOKENS / TOKENS_FILE parsing and its errors (which never quote a token),
// every verdict (ok, missing, unknown, expired, insufficient scope), the constant-time scan, the
// non-loopback refusal and its override, metadata routes, and tokens absent from every output.
#include "../jwks/fake_host.hpp"

#include "fastmcp/static_tokens/settings_schema.hpp"
#include "fastmcp/static_tokens/static_token_verifier.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

using namespace fastmcp;
using fastmcp::static_tokens::StaticTokenVerifier;
using fastmcp::testing::FakeHost;
using nlohmann::json;

namespace {

const std::string kAlice = "dev-alice-9f3c2b7e1a";
const std::string kBob = "dev-bob-77d1e0c4aa";
const std::string kOld = "dev-old-5e5e5e5e5e";

json tokens(const FakeHost &fake) {
    return {{kAlice, {{"client_id", "alice-cli"}, {"scopes", {"read", "write"}},
                      {"claims", {{"sub", "user_alice"}, {"iss", "https://dev.local"}, {"team", "blue"}}}}},
            {kBob, {{"client_id", "bob-cli"}, {"scopes", "read"}, {"expires_at", fake.now_s() + 100}}},
            {kOld, {{"client_id", "old-cli"}, {"scopes", {"read"}}, {"expires_at", fake.now_s() - 1}}}};
}

json settings(const FakeHost &fake) { return {{"tokens", tokens(fake)}, {"allow_non_loopback", false}}; }

std::unique_ptr<StaticTokenVerifier> make(const FakeHost &fake, const json &s) {
    return std::make_unique<StaticTokenVerifier>(fake.host(), s.dump());
}

std::string config_error(const plugin::Host &host, const json &s) {
    try {
        StaticTokenVerifier v(host, s.dump());
    } catch (const plugin::ConfigError &e) {
        return e.message;
    }
    return "";
}
std::string config_error(const FakeHost &fake, const json &s) { return config_error(fake.host(), s); }

// The same host, bound to a public address.
struct PublicBind {
    fastmcp_host_api api;
    std::string bind = "0.0.0.0";
    explicit PublicBind(const FakeHost &fake) : api(*fake.api()) {
        api.bind_is_loopback = 0;
        api.bind_host = plugin::str(bind);
    }
    plugin::Host host() const { return plugin::Host(&api); }
};

} // namespace

TEST_CASE("a configured token is accepted with its client_id, scopes, expiry and claims") {
    FakeHost fake;
    auto v = make(fake, settings(fake));
    auto a = v->verify(kAlice);
    REQUIRE(a.reason == FASTMCP_REASON_OK);
    REQUIRE(a.token);
    CHECK(a.token->token == kAlice);
    CHECK(a.token->client_id == "alice-cli");
    CHECK(a.token->subject == "user_alice");
    CHECK(a.token->issuer == "https://dev.local");
    CHECK(a.token->scopes == std::vector<std::string>{"read", "write"});
    CHECK(a.token->expires_at == 0);
    json c = json::parse(a.token->claims_json);
    CHECK(c["team"] == "blue");
    CHECK(c["client_id"] == "alice-cli");
    CHECK(c["scope"] == "read write");

    auto b = v->verify(kBob);
    REQUIRE(b.reason == FASTMCP_REASON_OK);
    CHECK(b.token->subject == "bob-cli"); // sub defaults to client_id
    CHECK(b.token->scopes == std::vector<std::string>{"read"});
    CHECK(b.token->expires_at == fake.now_s() + 100);
    CHECK(json::parse(b.token->claims_json)["exp"] == fake.now_s() + 100);
}

TEST_CASE("verdicts: missing, unknown (near misses included), expired at expires_at, too large") {
    FakeHost fake;
    auto v = make(fake, settings(fake));
    CHECK(v->verify("").reason == FASTMCP_REASON_MISSING_TOKEN);
    for (std::string near : {kAlice + "x", kAlice.substr(0, kAlice.size() - 1), std::string("DEV-alice-9f3c2b7e1a"),
                             std::string("dev-alice-9f3c2b7e1b"), std::string("x")}) {
        auto r = v->verify(near);
        CHECK(r.reason == FASTMCP_REASON_UNKNOWN_TOKEN);
        CHECK_FALSE(r.token);
    }
    CHECK(v->verify(kOld).reason == FASTMCP_REASON_EXPIRED);
    CHECK(v->verify(std::string(20000, 'a')).reason == FASTMCP_REASON_TOKEN_TOO_LARGE);

    // Bob expires at now+100: valid one second before, expired exactly at expires_at.
    fake.advance_s(99);
    CHECK(v->verify(kBob).reason == FASTMCP_REASON_OK);
    fake.advance_s(1);
    auto r = v->verify(kBob);
    CHECK(r.reason == FASTMCP_REASON_EXPIRED);
    CHECK_FALSE(r.token);
}

TEST_CASE("required scopes: a 403 verdict naming the missing scopes, token attached") {
    FakeHost fake;
    json s = settings(fake);
    s["required_scopes"] = {"read", "write"};
    auto v = make(fake, s);
    CHECK(v->verify(kAlice).reason == FASTMCP_REASON_OK);
    auto b = v->verify(kBob);
    CHECK(b.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
    CHECK(b.required_scope == "write");
    REQUIRE(b.token);
    CHECK(b.token->client_id == "bob-cli");
}

TEST_CASE("the lookup compares the digest with every entry, whichever matches, constant-time") {
    FakeHost fake;
    auto v = make(fake, settings(fake));
    const auto &table = v->table();
    REQUIRE(table.size() == 3);
    int compares = 0;
    auto counting = [&](const static_tokens::Digest &a, const static_tokens::Digest &b) {
        ++compares;
        return static_cast<int>(a == b);
    };
    for (const std::string &t : {kAlice, kBob, kOld, std::string("nope")}) {
        compares = 0;
        const auto *e = table.find_digest(static_tokens::sha256(t), counting);
        CHECK(compares == 3); // never stops early
        if (t == "nope") CHECK(e == nullptr);
        else REQUIRE(e != nullptr);
    }
    // Each token selects its own entry (the branch-free index selection).
    CHECK(table.find(kAlice)->client_id == "alice-cli");
    CHECK(table.find(kBob)->client_id == "bob-cli");
    CHECK(table.find(kOld)->client_id == "old-cli");
    CHECK(table.find("nope") == nullptr);
    // The digest is SHA-256 (known answer for "abc").
    const auto d = static_tokens::sha256("abc");
    CHECK(d[0] == 0xba);
    CHECK(d[1] == 0x78);
    CHECK(d[31] == 0xad);
}

TEST_CASE("many tokens: each one maps to its own entry") {
    FakeHost fake;
    json t = json::object();
    for (int i = 0; i < 200; ++i)
        t["tok-" + std::to_string(i)] = {{"client_id", "c" + std::to_string(i)}, {"scopes", json::array()}};
    auto v = make(fake, {{"tokens", t}});
    for (int i = 0; i < 200; i += 37) {
        auto r = v->verify("tok-" + std::to_string(i));
        REQUIRE(r.reason == FASTMCP_REASON_OK);
        CHECK(r.token->client_id == "c" + std::to_string(i));
    }
}

TEST_CASE("a non-loopback bind is refused unless ALLOW_NON_LOOPBACK=true") {
    FakeHost fake;
    PublicBind pub(fake);
    const std::string err = config_error(pub.host(), settings(fake));
    CHECK(err.find("FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_ALLOW_NON_LOOPBACK") == 0);
    CHECK(err.find("'0.0.0.0'") != std::string::npos);
    CHECK(err.find("development and tests") != std::string::npos);
    CHECK(err.find(kAlice) == std::string::npos);

    json s = settings(fake);
    s["allow_non_loopback"] = true;
    StaticTokenVerifier v(pub.host(), s.dump());
    CHECK(v.verify(kAlice).reason == FASTMCP_REASON_OK);
    CHECK(fake.count_logs(FASTMCP_LOG_WARNING, "non-loopback bind ('0.0.0.0')") == 1);
    json d = json::parse(v.describe_json());
    CHECK(d["warnings"].size() == 1);
    CHECK(d["bind_is_loopback"] == false);

    // On loopback the flag is irrelevant and there is no warning.
    FakeHost local;
    auto lv = make(local, s);
    CHECK(json::parse(lv->describe_json())["warnings"].empty());
}

TEST_CASE("TOKENS_FILE: read from disk; exactly one of TOKENS and TOKENS_FILE") {
    FakeHost fake;
    const std::string path = std::string(FASTMCP_BINARY_DIR) + "/tests/static_tokens_test.json";
    {
        std::ofstream out(path);
        out << tokens(fake).dump(2);
    }
    auto v = make(fake, {{"tokens_file", path}, {"required_scopes", {"read"}}});
    CHECK(v->verify(kAlice).reason == FASTMCP_REASON_OK);
    CHECK(v->verify(kOld).reason == FASTMCP_REASON_EXPIRED);
    CHECK(json::parse(v->describe_json())["tokens_source"] == path);

    CHECK(config_error(fake, {{"tokens_file", path}, {"tokens", tokens(fake)}}).find("both are set") != std::string::npos);
    CHECK(config_error(fake, json::object()).find("none is set") != std::string::npos);
    CHECK(config_error(fake, {{"tokens_file", path + ".missing"}}).find("_TOKENS_FILE: cannot read") != std::string::npos);
    {
        std::ofstream out(path);
        out << "{\"" << kAlice << "\": {";
    }
    const std::string err = config_error(fake, {{"tokens_file", path}});
    CHECK(err.find("is not valid JSON") != std::string::npos);
    CHECK(err.find(kAlice) == std::string::npos);
    std::remove(path.c_str());
}

TEST_CASE("configuration errors name the entry by client_id or position, never by token") {
    FakeHost fake;
    const std::string secret = "s3cr3t-token-value-123";
    auto err_for = [&](json entry) { return config_error(fake, {{"tokens", {{secret, entry}}}}); };
    const std::vector<std::pair<json, std::string>> cases = {
        {{{"scopes", {"read"}}}, "entry 1 of 1 (in key order): client_id is required"},
        {{{"client_id", ""}}, "client_id is required"},
        {{{"client_id", "c"}, {"scopes", {1}}}, "the entry for client_id 'c': scopes must be a list of strings"},
        {{{"client_id", "c"}, {"expires_at", "tomorrow"}}, "expires_at must be a Unix time in seconds"},
        {{{"client_id", "c"}, {"claims", "x"}}, "claims must be a JSON object"},
        {{{"client_id", "c"}, {"scope", "read"}}, "unknown field 'scope'"},
        {json("read"), "must be an object"},
    };
    for (const auto &c : cases) {
        const std::string expected = c.second;
        const std::string err = err_for(c.first);
        INFO(err);
        CHECK(err.find("FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_TOKENS: ") == 0);
        CHECK(err.find(expected) != std::string::npos);
        CHECK(err.find(secret) == std::string::npos);
    }
    CHECK(config_error(fake, {{"tokens", json::object()}}).find("defines no tokens") != std::string::npos);
    CHECK(config_error(fake, {{"tokens", json::array()}}).find("must be a JSON object") != std::string::npos);
    CHECK(config_error(fake, {{"tokens", {{"has space", {{"client_id", "c"}}}}}}).find("could never be sent") != std::string::npos);
    // JSON text is accepted too, and its parse errors never quote it.
    const std::string bad = config_error(fake, {{"tokens", "{\"" + secret + "\": nope}"}});
    CHECK(bad.find("not valid JSON") != std::string::npos);
    CHECK(bad.find(secret) == std::string::npos);
    auto v = make(fake, {{"tokens", tokens(fake).dump()}});
    CHECK(v->verify(kAlice).reason == FASTMCP_REASON_OK);
}

TEST_CASE("tokens never reach describe(), logs or verdict descriptions") {
    FakeHost fake;
    json s = settings(fake);
    s["required_scopes"] = {"write"};
    auto v = make(fake, s);
    std::vector<std::string> texts = {v->describe_json()};
    for (const std::string &t : {kAlice, kBob, kOld, std::string("guess-123")}) texts.push_back(v->verify(t).description);
    for (const auto &log : fake.logs()) texts.push_back(log.second);
    CHECK(fake.count_logs(FASTMCP_LOG_INFO, "3 static token(s) loaded") == 1);
    for (const auto &text : texts)
        for (const std::string &t : {kAlice, kBob, kOld, std::string("guess-123")}) CHECK(text.find(t) == std::string::npos);
}

TEST_CASE("BASE_URL enables the protected-resource document; describe() has the provider shape") {
    FakeHost fake;
    json s = settings(fake);
    {
        auto v = make(fake, s);
        json d = json::parse(v->describe_json());
        CHECK(d["resource"].is_null());
        CHECK(d["routes"].empty());
        plugin::RouteRequest req;
        req.method = "GET";
        req.path = "/.well-known/oauth-protected-resource";
        plugin::RouteResponse res;
        CHECK_FALSE(v->handle_route(req, res));
    }
    s["base_url"] = "http://127.0.0.1:8000/";
    s["required_scopes"] = {"read"};
    s["authorization_servers"] = {"https://auth.dev.local"};
    auto v = make(fake, s);
    json d = json::parse(v->describe_json());
    CHECK(d["provider"] == "StaticTokenVerifier");
    CHECK(d["resource"] == "http://127.0.0.1:8000/mcp");
    CHECK(d["resource_metadata_url"] == "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp");
    CHECK(d["required_scopes"] == json::array({"read"}));
    CHECK(d["health"]["ready"] == true);
    CHECK(d["health"]["tokens"] == 3);
    CHECK(d["health"]["expired"] == 1);
    for (const char *path : {"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource/"}) {
        plugin::RouteRequest req;
        req.method = "GET";
        req.path = path;
        plugin::RouteResponse res;
        REQUIRE(v->handle_route(req, res));
        json doc = json::parse(res.body);
        CHECK(doc["resource"] == "http://127.0.0.1:8000/mcp");
        CHECK(doc["authorization_servers"] == json::array({"https://auth.dev.local"}));
        CHECK(doc["scopes_supported"] == json::array({"read"}));
    }
    plugin::RouteRequest post;
    post.method = "POST";
    post.path = "/.well-known/oauth-protected-resource/mcp";
    plugin::RouteResponse res;
    REQUIRE(v->handle_route(post, res));
    CHECK(res.status == 405);
}

TEST_CASE("the schema marks TOKENS as a secret JSON field, ALLOW_NON_LOOPBACK defaults to false") {
    CHECK(std::string(static_tokens::kEnvPrefix) == "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_");
    const auto &t = static_tokens::kFields[0];
    CHECK(std::string(t.name) == "TOKENS");
    CHECK(t.type == FASTMCP_FIELD_JSON);
    CHECK((t.flags & FASTMCP_FIELD_SECRET) != 0);
    bool found = false;
    for (const auto &f : static_tokens::kFields)
        if (std::string(f.name) == "ALLOW_NON_LOOPBACK") {
            found = true;
            CHECK(f.type == FASTMCP_FIELD_BOOL);
            CHECK(std::string(f.default_value) == "false");
        }
    CHECK(found);
}
