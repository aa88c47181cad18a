// The OAuth proxy core against a fake GitHub-like upstream (fixed client, opaque tokens, /user):
// the whole flow (DCR, consent with CSRF + cookie, upstream PKCE, callback, code + PKCE, refresh
// rotation, revocation), the proxy's own JWTs through verify(), and every hostile input of issue
// 15 answered with its OAuth error while the store sees no write.
#include "proxy_test_support.hpp"

#include "fastmcp/oauth_proxy/github_upstream.hpp"

#include <thread>

using namespace fastmcp;
using namespace fastmcp::testing;
using nlohmann::json;
using oauth_proxy::Form;

namespace {

const std::string kUpstreamToken = "gho_user_token_1";

// GitHub-like: the proxy's fixed client, codes bound to the proxy's PKCE challenge.
struct FakeGitHub {
    std::mutex m;
    std::map<std::string, std::string> codes; // upstream code -> challenge it was issued for
    int exchanges = 0, user_calls = 0;
    bool token_valid = true;

    std::string authorize(const std::string &challenge) {
        std::lock_guard lock(m);
        std::string code = "gh-code-" + std::to_string(codes.size() + 1);
        codes[code] = challenge;
        return code;
    }

    plugin::HttpResponse operator()(const plugin::HttpRequest &r) {
        std::lock_guard lock(m);
        plugin::HttpResponse a;
        a.content_type = "application/json";
        if (r.method == "POST" && r.url == "https://gh.test/login/oauth/access_token") {
            ++exchanges;
            std::string err;
            auto f = Form::parse(r.body, err);
            REQUIRE(f);
            a.status = 200; // GitHub answers errors with 200 and an "error" member
            auto it = codes.find(f->get("code"));
            if (f->get("client_id") != "up-client" || f->get("client_secret") != "up-secret")
                a.body = R"({"error":"incorrect_client_credentials"})";
            else if (it == codes.end() || oauth_proxy::s256_challenge(f->get("code_verifier")) != it->second ||
                     f->get("redirect_uri") != kBase + "/auth/callback")
                a.body = R"({"error":"bad_verification_code"})";
            else {
                codes.erase(it);
                a.body = json{{"access_token", kUpstreamToken}, {"token_type", "bearer"}, {"scope", "user"}}.dump();
            }
            return a;
        }
        if (r.method == "GET" && r.url == "https://api.gh.test/user") {
            ++user_calls;
            bool authed = false;
            for (const auto &[n, v] : r.headers) authed = authed || (n == "Authorization" && v == "Bearer " + kUpstreamToken);
            a.status = authed && token_valid ? 200 : 401;
            a.body = a.status == 200 ? R"({"id":42,"login":"octo","name":"Octo Cat"})" : R"({"message":"Bad credentials"})";
            return a;
        }
        a.status = 404;
        return a;
    }
};

struct Fixture {
    ProxyHost host;
    FakeGitHub gh;
    std::shared_ptr<CountingStore> store;
    std::unique_ptr<oauth_proxy::OAuthProxy> proxy;

    explicit Fixture(bool consent = true, std::vector<std::string> patterns = {}) {
        host.handler = [this](const plugin::HttpRequest &r) { return gh(r); };
        store = std::make_shared<CountingStore>(oauth_proxy::make_memory_store([this] { return host.now_ms.load(); }));
        oauth_proxy::ProxyOptions o;
        o.provider_name = "GitHubProvider";
        o.base_url = kBase;
        o.required_scopes = {"user"};
        o.jwt_signing_key = "test-signing-key";
        o.require_consent = consent;
        o.allowed_client_redirect_uris = std::move(patterns);
        oauth_proxy::UpstreamClient c{"up-client", "up-secret", 1000};
        oauth_proxy::GitHubEndpoints e;
        e.authorization_endpoint = "https://gh.test/login/oauth/authorize";
        e.token_endpoint = "https://gh.test/login/oauth/access_token";
        e.api_base_url = "https://api.gh.test";
        proxy = std::make_unique<oauth_proxy::OAuthProxy>(host.host(), o, c,
                                                          std::make_unique<oauth_proxy::GitHubUpstream>(host.host(), e, c),
                                                          store);
    }

    plugin::RouteResponse post_json(const std::string &path, const json &body) {
        return call(*proxy, {"POST", path, "", body.dump(), {{"Content-Type", "application/json"}}});
    }
    plugin::RouteResponse post_form(const std::string &path, const std::vector<std::pair<std::string, std::string>> &f,
                                    std::vector<std::pair<std::string, std::string>> headers = {}) {
        headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        return call(*proxy, {"POST", path, "", oauth_proxy::encode_form(f), headers});
    }

    std::string register_client(const std::string &redirect = kClientRedirect) {
        auto r = post_json("/register", {{"redirect_uris", {redirect}}, {"client_name", "Test Client"},
                                         {"token_endpoint_auth_method", "none"}});
        REQUIRE(r.status == 201);
        return json_of(r)["client_id"].get<std::string>();
    }

    std::string authorize_query(const std::string &client_id, const std::string &verifier,
                                const std::string &resource = kResource, const std::string &redirect = kClientRedirect) {
        return oauth_proxy::encode_form({{"response_type", "code"},
                                         {"client_id", client_id},
                                         {"redirect_uri", redirect},
                                         {"code_challenge", oauth_proxy::s256_challenge(verifier)},
                                         {"code_challenge_method", "S256"},
                                         {"state", "client-state"},
                                         {"scope", "user"},
                                         {"resource", resource}});
    }

    // GET /authorize; returns the consent page (or the upstream redirect when consent is off).
    plugin::RouteResponse authorize(const std::string &client_id, const std::string &verifier,
                                    std::vector<std::pair<std::string, std::string>> headers = {}) {
        return call(*proxy, {"GET", "/authorize", authorize_query(client_id, verifier), "", headers});
    }

    plugin::RouteResponse approve(const plugin::RouteResponse &page, const std::string &action = "approve") {
        return post_form("/consent",
                         {{"transaction", hidden_field(page.body, "transaction")},
                          {"csrf", hidden_field(page.body, "csrf")},
                          {"action", action}},
                         {{"Cookie", cookie_pair(page, "fastmcp_txn_")}});
    }

    // The upstream signs the user in and redirects to our callback.
    plugin::RouteResponse upstream_callback(const plugin::RouteResponse &to_upstream) {
        REQUIRE(to_upstream.status == 302);
        auto q = query_of(header_of(to_upstream, "Location"));
        CHECK(q["client_id"] == "up-client");
        CHECK(q["code_challenge_method"] == "S256");
        CHECK(q["redirect_uri"] == kBase + "/auth/callback");
        const std::string code = gh.authorize(q["code_challenge"]);
        return call(*proxy, {"GET", "/auth/callback",
                             oauth_proxy::encode_form({{"code", code}, {"state", q["state"]}}), "", {}});
    }

    // Everything up to the client's code.
    std::string sign_in(const std::string &client_id, const std::string &verifier) {
        auto page = authorize(client_id, verifier);
        REQUIRE(page.status == 200);
        auto back = upstream_callback(approve(page));
        REQUIRE(back.status == 302);
        auto q = query_of(header_of(back, "Location"));
        REQUIRE(q.count("code"));
        CHECK(q["state"] == "client-state");
        CHECK(q["iss"] == kBase);
        CHECK(header_of(back, "Location").rfind(kClientRedirect + "?", 0) == 0);
        return q["code"];
    }

    plugin::RouteResponse redeem(const std::string &client_id, const std::string &code, const std::string &verifier) {
        return post_form("/token", {{"grant_type", "authorization_code"}, {"client_id", client_id}, {"code", code},
                                    {"redirect_uri", kClientRedirect}, {"code_verifier", verifier},
                                    {"resource", kResource}});
    }
    plugin::RouteResponse refresh(const std::string &client_id, const std::string &rt) {
        return post_form("/token", {{"grant_type", "refresh_token"}, {"client_id", client_id}, {"refresh_token", rt}});
    }
};

} // namespace

TEST_CASE("the whole flow: DCR, consent, upstream PKCE, code + PKCE, a proxy JWT that carries the upstream token") {
    Fixture f;
    const std::string client = f.register_client();
    const std::string code = f.sign_in(client, kVerifier);
    CHECK(f.gh.exchanges == 1);
    auto tok = f.redeem(client, code, kVerifier);
    REQUIRE(tok.status == 200);
    CHECK(header_of(tok, "Cache-Control") == "no-store");
    const json t = json_of(tok);
    CHECK(t["token_type"] == "Bearer");
    CHECK(t["scope"] == "user");
    CHECK(t["expires_in"].get<int64_t>() == 3600);
    const std::string access = t["access_token"];
    CHECK(access.find(kUpstreamToken) == std::string::npos); // the client never sees the upstream token

    plugin::Verdict v = f.proxy->verify(access);
    REQUIRE(v.reason == FASTMCP_REASON_OK);
    CHECK(v.token->token == kUpstreamToken); // what get_access_token().token gives a tool
    CHECK(v.token->subject == "42");
    CHECK(v.token->client_id == client);
    CHECK(v.token->issuer == kBase);
    CHECK(v.token->scopes == std::vector<std::string>{"user"});
    const json claims = json::parse(v.token->claims_json);
    CHECK(claims["aud"] == kResource);
    CHECK(claims["upstream_claims"]["login"] == "octo");
    CHECK_FALSE(claims["jti"].get<std::string>().empty());
    // A second presentation is answered from the cache, without the store or /user.
    const int user_calls = f.gh.user_calls;
    auto cached = f.proxy->verify_cached(access);
    REQUIRE(cached);
    CHECK(cached->reason == FASTMCP_REASON_OK);
    CHECK(f.gh.user_calls == user_calls);
}

TEST_CASE("metadata: RFC 8414 and RFC 9728 documents point at the proxy") {
    Fixture f;
    auto as = json_of(call(*f.proxy, {"GET", "/.well-known/oauth-authorization-server", "", "", {}}));
    CHECK(as["issuer"] == kBase);
    CHECK(as["authorization_endpoint"] == kBase + "/authorize");
    CHECK(as["token_endpoint"] == kBase + "/token");
    CHECK(as["registration_endpoint"] == kBase + "/register");
    CHECK(as["revocation_endpoint"] == kBase + "/revoke");
    CHECK(as["code_challenge_methods_supported"] == json{"S256"});
    auto pr = json_of(call(*f.proxy, {"GET", "/.well-known/oauth-protected-resource/mcp", "", "", {}}));
    CHECK(pr["resource"] == kResource);
    CHECK(pr["authorization_servers"] == json{kBase});
    CHECK(pr["scopes_supported"] == json{"user"});
    CHECK(call(*f.proxy, {"POST", "/.well-known/oauth-authorization-server", "", "", {}}).status == 405);
    auto d = json::parse(f.proxy->describe_json());
    CHECK(d["resource_metadata_url"] == kBase + "/.well-known/oauth-protected-resource/mcp");
    CHECK(d["provider"] == "GitHubProvider");
    CHECK(d["upstream"]["kind"] == "github");
}

TEST_CASE("hostile: a redirect URI outside the allowed list is refused at /register and /authorize, nothing stored") {
    Fixture f;
    int before = f.store->writes;
    for (const char *uri : {"https://evil.example/cb", "http://localhost:1@evil.example/cb", "http://localhost:8080/cb#x",
                            "javascript:alert(1)"}) {
        auto r = f.post_json("/register", {{"redirect_uris", {uri}}});
        CHECK(r.status == 400);
        CHECK(json_of(r)["error"] == "invalid_redirect_uri");
    }
    CHECK(f.store->writes == before);
    // A registered client asking for another redirect URI gets an error page, never a redirect.
    const std::string client = f.register_client();
    before = f.store->writes;
    auto r = call(*f.proxy, {"GET", "/authorize",
                             f.authorize_query(client, kVerifier, kResource, "http://127.0.0.1:9999/other"), "", {}});
    CHECK(r.status == 400);
    CHECK(header_of(r, "Location").empty());
    CHECK(f.store->writes == before);
}

TEST_CASE("ALLOWED_CLIENT_REDIRECT_URIS patterns replace the loopback default") {
    Fixture f(true, {"https://claude.ai/api/mcp/auth_callback", "https://*.example.com/cb"});
    CHECK(f.post_json("/register", {{"redirect_uris", {"https://claude.ai/api/mcp/auth_callback"}}}).status == 201);
    CHECK(f.post_json("/register", {{"redirect_uris", {"https://app.example.com/cb"}}}).status == 201);
    CHECK(f.post_json("/register", {{"redirect_uris", {kClientRedirect}}}).status == 400);
    CHECK(f.post_json("/register", {{"redirect_uris", {"https://x@app.example.com/cb"}}}).status == 400);
}

TEST_CASE("hostile: a reused code is invalid_grant and issues nothing") {
    Fixture f;
    const std::string client = f.register_client();
    const std::string code = f.sign_in(client, kVerifier);
    REQUIRE(f.redeem(client, code, kVerifier).status == 200);
    const int before = f.store->writes;
    auto again = f.redeem(client, code, kVerifier);
    CHECK(again.status == 400);
    CHECK(json_of(again)["error"] == "invalid_grant");
    CHECK(f.store->writes == before);
}

TEST_CASE("hostile: a wrong PKCE verifier is invalid_grant and leaves the code for its owner") {
    Fixture f;
    const std::string client = f.register_client();
    const std::string code = f.sign_in(client, kVerifier);
    const int before = f.store->writes;
    auto r = f.redeem(client, code, "another-verifier-0123456789-0123456789-0123456789");
    CHECK(r.status == 400);
    CHECK(json_of(r)["error"] == "invalid_grant");
    CHECK(f.redeem(client, code, "short").status == 400);
    CHECK(f.store->writes == before);
    CHECK(f.redeem(client, code, kVerifier).status == 200);
}

TEST_CASE("hostile: another client's code is invalid_grant, nothing stored, the owner still redeems it") {
    Fixture f;
    const std::string alice = f.register_client();
    const std::string mallory = f.register_client();
    const std::string code = f.sign_in(alice, kVerifier);
    const int before = f.store->writes;
    auto r = f.redeem(mallory, code, kVerifier);
    CHECK(r.status == 400);
    CHECK(json_of(r)["error"] == "invalid_grant");
    CHECK(f.store->writes == before);
    CHECK(f.redeem(alice, code, kVerifier).status == 200);
    // An unknown client is invalid_client (401).
    auto unknown = f.redeem("no-such-client", code, kVerifier);
    CHECK(unknown.status == 401);
    CHECK(json_of(unknown)["error"] == "invalid_client");
}

TEST_CASE("hostile: a forged or replayed state at the callback is refused, nothing stored") {
    Fixture f;
    const std::string client = f.register_client();
    auto page = f.authorize(client, kVerifier);
    auto to_upstream = f.approve(page);
    const auto q = query_of(header_of(to_upstream, "Location"));
    const std::string code = f.gh.authorize(q.at("code_challenge"));
    int before = f.store->writes;
    auto forged = call(*f.proxy, {"GET", "/auth/callback", oauth_proxy::encode_form({{"code", code}, {"state", "forged"}}), "", {}});
    CHECK(forged.status == 400);
    CHECK(f.store->writes == before);
    CHECK(f.gh.exchanges == 0);
    auto ok = call(*f.proxy, {"GET", "/auth/callback", oauth_proxy::encode_form({{"code", code}, {"state", q.at("state")}}), "", {}});
    REQUIRE(ok.status == 302);
    before = f.store->writes;
    auto replay = call(*f.proxy, {"GET", "/auth/callback", oauth_proxy::encode_form({{"code", code}, {"state", q.at("state")}}), "", {}});
    CHECK(replay.status == 400);
    CHECK(f.store->writes == before);
    CHECK(f.gh.exchanges == 1);
}

TEST_CASE("hostile: a consent POST without its CSRF token, or from another browser, is refused, nothing stored") {
    Fixture f;
    const std::string client = f.register_client();
    auto page = f.authorize(client, kVerifier);
    REQUIRE(page.status == 200);
    CHECK(header_of(page, "X-Frame-Options") == "DENY");
    const std::string txn = hidden_field(page.body, "transaction");
    const std::string csrf = hidden_field(page.body, "csrf");
    const std::string cookie = cookie_pair(page, "fastmcp_txn_");
    REQUIRE_FALSE(cookie.empty());
    const int before = f.store->writes;
    auto no_csrf = f.post_form("/consent", {{"transaction", txn}, {"action", "approve"}}, {{"Cookie", cookie}});
    CHECK(no_csrf.status == 403);
    auto wrong_csrf = f.post_form("/consent", {{"transaction", txn}, {"csrf", "x" + csrf}, {"action", "approve"}}, {{"Cookie", cookie}});
    CHECK(wrong_csrf.status == 403);
    auto no_cookie = f.post_form("/consent", {{"transaction", txn}, {"csrf", csrf}, {"action", "approve"}});
    CHECK(no_cookie.status == 403);
    CHECK(f.store->writes == before);
    // The genuine form still works once, and only once.
    auto ok = f.approve(page);
    CHECK(ok.status == 302);
    CHECK(f.approve(page).status == 403);
}

TEST_CASE("hostile: a resource that is not this server is invalid_target, nothing stored") {
    Fixture f;
    const std::string client = f.register_client();
    const int before = f.store->writes;
    auto r = call(*f.proxy, {"GET", "/authorize", f.authorize_query(client, kVerifier, "https://other.example/mcp"), "", {}});
    REQUIRE(r.status == 302);
    CHECK(query_of(header_of(r, "Location"))["error"] == "invalid_target");
    CHECK(f.store->writes == before);
    const std::string code = f.sign_in(client, kVerifier);
    const int before_token = f.store->writes;
    auto t = f.post_form("/token", {{"grant_type", "authorization_code"}, {"client_id", client}, {"code", code},
                                    {"code_verifier", kVerifier}, {"resource", "https://other.example/mcp"}});
    CHECK(t.status == 400);
    CHECK(json_of(t)["error"] == "invalid_target");
    CHECK(f.store->writes == before_token);
}

TEST_CASE("denying consent sends the client access_denied; consent is remembered per browser") {
    Fixture f;
    const std::string client = f.register_client();
    auto page = f.authorize(client, kVerifier);
    auto denied = f.approve(page, "deny");
    REQUIRE(denied.status == 302);
    CHECK(query_of(header_of(denied, "Location"))["error"] == "access_denied");
    // Approve once: the next authorization from this browser goes straight upstream.
    auto page2 = f.authorize(client, kVerifier);
    auto approved = f.approve(page2);
    const std::string consent = cookie_pair(approved, "fastmcp_consent=");
    REQUIRE_FALSE(consent.empty());
    auto direct = f.authorize(client, kVerifier, {{"Cookie", consent}});
    CHECK(direct.status == 302);
    CHECK(header_of(direct, "Location").rfind("https://gh.test/login/oauth/authorize?", 0) == 0);
    // Another browser still sees the page.
    CHECK(f.authorize(client, kVerifier).status == 200);
}

TEST_CASE("REQUIRE_AUTHORIZATION_CONSENT=false goes straight upstream") {
    Fixture f(false);
    const std::string client = f.register_client();
    auto r = f.authorize(client, kVerifier);
    REQUIRE(r.status == 302);
    auto back = f.upstream_callback(r);
    REQUIRE(back.status == 302);
    CHECK(query_of(header_of(back, "Location")).count("code") == 1);
}

TEST_CASE("refresh: rotation, the old refresh token dies, and of 16 concurrent refreshes exactly one wins") {
    Fixture f;
    const std::string client = f.register_client();
    json t = json_of(f.redeem(client, f.sign_in(client, kVerifier), kVerifier));
    const std::string rt1 = t["refresh_token"];
    auto r2 = f.refresh(client, rt1);
    REQUIRE(r2.status == 200);
    const std::string rt2 = json_of(r2)["refresh_token"];
    CHECK(rt2 != rt1);
    CHECK(f.proxy->verify(json_of(r2)["access_token"].get<std::string>()).reason == FASTMCP_REASON_OK);
    CHECK(json_of(f.refresh(client, rt1))["error"] == "invalid_grant");
    // Another client cannot use it.
    const std::string other = f.register_client();
    CHECK(json_of(f.refresh(other, rt2))["error"] == "invalid_grant");

    std::atomic<int> wins{0}, grants_refused{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i)
        threads.emplace_back([&] {
            auto r = f.refresh(client, rt2);
            if (r.status == 200) ++wins;
            else if (json_of(r)["error"] == "invalid_grant") ++grants_refused;
        });
    for (auto &th : threads) th.join();
    CHECK(wins == 1);
    CHECK(grants_refused == 15);
}

TEST_CASE("revocation: revoking the refresh token ends the grant; revoking an access token ends that token") {
    Fixture f;
    const std::string client = f.register_client();
    json t = json_of(f.redeem(client, f.sign_in(client, kVerifier), kVerifier));
    const std::string access = t["access_token"];
    REQUIRE(f.proxy->verify(access).reason == FASTMCP_REASON_OK);
    auto rv = f.post_form("/revoke", {{"client_id", client}, {"token", t["refresh_token"]}});
    CHECK(rv.status == 200);
    CHECK(f.proxy->verify(access).reason == FASTMCP_REASON_INACTIVE); // the cache was dropped too
    CHECK(json_of(f.refresh(client, t["refresh_token"]))["error"] == "invalid_grant");

    json t2 = json_of(f.redeem(client, f.sign_in(client, kVerifier), kVerifier));
    const std::string access2 = t2["access_token"];
    REQUIRE(f.proxy->verify(access2).reason == FASTMCP_REASON_OK);
    CHECK(f.post_form("/revoke", {{"client_id", client}, {"token", access2}}).status == 200);
    CHECK(f.proxy->verify(access2).reason == FASTMCP_REASON_INACTIVE);
    CHECK(f.post_form("/revoke", {{"client_id", client}, {"token", "unknown"}}).status == 200);
}

TEST_CASE("verify: expiry, a foreign audience, a tampered token, a revoked GitHub token") {
    Fixture f;
    const std::string client = f.register_client();
    const std::string access = json_of(f.redeem(client, f.sign_in(client, kVerifier), kVerifier))["access_token"];
    std::string tampered = access;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    CHECK(f.proxy->verify(tampered).reason == FASTMCP_REASON_BAD_SIGNATURE);
    // Same key, other audience: the JOSE core's audience check.
    oauth_proxy::ProxyTokens other(oauth_proxy::derive_signing_key("test-signing-key"), kBase, "http://elsewhere/mcp", {});
    oauth_proxy::ProxyTokenClaims c;
    c.subject = "42";
    c.jti = "j";
    c.issued_at = f.host.now_s();
    c.expires_at = f.host.now_s() + 60;
    CHECK(f.proxy->verify(other.mint(c)).reason == FASTMCP_REASON_WRONG_AUDIENCE);
    // GitHub revoked the token: once the /user check is due, the proxy token stops working.
    f.gh.token_valid = false;
    f.host.now_ms += 301'000;
    CHECK(f.proxy->verify(access).reason == FASTMCP_REASON_INACTIVE);
    f.host.now_ms += 3600'000;
    CHECK(f.proxy->verify(access).reason == FASTMCP_REASON_EXPIRED);
}

TEST_CASE("a confidential client registers with a secret and must present it") {
    Fixture f;
    auto r = f.post_json("/register", {{"redirect_uris", {kClientRedirect}}, {"token_endpoint_auth_method", "client_secret_post"}});
    REQUIRE(r.status == 201);
    const std::string id = json_of(r)["client_id"], secret = json_of(r)["client_secret"];
    const std::string code = f.sign_in(id, kVerifier);
    auto no_secret = f.redeem(id, code, kVerifier);
    CHECK(no_secret.status == 401);
    auto ok = f.post_form("/token", {{"grant_type", "authorization_code"}, {"client_id", id}, {"client_secret", secret},
                                     {"code", code}, {"code_verifier", kVerifier}});
    CHECK(ok.status == 200);
}
