// The proxy core in front of a fake Google (opaque tokens, tokeninfo, userinfo, RFC 7009 revoke)
// and a fake WorkOS Connect (userinfo only): who the user is, how a token's continued validity is
// checked (cached), the upstream revocation when a client revokes its grant (best effort, the
// token never logged), and Client ID Metadata Document clients walking the whole flow.
#include "proxy_test_support.hpp"

#include "fastmcp/oauth_proxy/opaque_token_upstream.hpp"

#include <set>

using namespace fastmcp;
using namespace fastmcp::testing;
using nlohmann::json;
using oauth_proxy::Form;

namespace {

const std::string kDocUrl = "https://client.example.com/oauth/metadata.json";

std::string bearer_of(const plugin::HttpRequest &r) {
    for (const auto &[n, v] : r.headers)
        if (n == "Authorization" && v.rfind("Bearer ", 0) == 0) return v.substr(7);
    return "";
}

// Google-like: codes bound to the proxy's PKCE, opaque "ya29." access tokens with refresh tokens,
// tokeninfo (?access_token=), userinfo (v2: "id"), revoke. Also serves CIMD documents by URL.
struct FakeGoogle {
    std::mutex m;
    std::map<std::string, std::string> codes; // code -> challenge
    std::map<std::string, std::string> live;  // access token -> audience
    std::set<std::string> refresh_tokens;
    std::map<std::string, plugin::HttpResponse> documents; // CIMD URL -> answer
    std::vector<std::string> revoked;                      // tokens posted to /revoke
    std::string revoke_hint;
    int tokeninfo_calls = 0, userinfo_calls = 0, document_fetches = 0;
    int revoke_status = 200;
    std::string audience = "google-client";
    int n = 0;

    std::string authorize(const std::string &challenge) {
        std::lock_guard lock(m);
        std::string code = "g-code-" + std::to_string(++n);
        codes[code] = challenge;
        return code;
    }

    plugin::HttpResponse operator()(const plugin::HttpRequest &r) {
        std::lock_guard lock(m);
        plugin::HttpResponse a;
        a.content_type = "application/json";
        if (auto d = documents.find(r.url); d != documents.end()) {
            ++document_fetches;
            return d->second;
        }
        Poco::URI uri(r.url);
        const std::string endpoint = uri.getScheme() + "://" + uri.getHost() + uri.getPath();
        std::string err;
        if (r.method == "POST" && endpoint == "https://oauth2.google.test/token") {
            auto f = Form::parse(r.body, err);
            REQUIRE(f);
            auto it = codes.find(f->get("code"));
            if (f->get("client_id") != "google-client" ||
                f->get("client_secret") != "google-secret") {
                a.status = 401;
                a.body = R"({"error":"invalid_client"})";
            } else if (it == codes.end() ||
                       oauth_proxy::s256_challenge(f->get("code_verifier")) != it->second) {
                a.status = 400;
                a.body = R"({"error":"invalid_grant"})";
            } else {
                codes.erase(it);
                const std::string at = "ya29.access-" + std::to_string(++n),
                                  rt = "1//refresh-" + std::to_string(n);
                live[at] = audience;
                refresh_tokens.insert(rt);
                a.status = 200;
                a.body = json{{"access_token", at},
                              {"refresh_token", rt},
                              {"expires_in", 3599},
                              {"scope", "openid https://www.googleapis.com/auth/userinfo.email"},
                              {"token_type", "Bearer"}}
                             .dump();
            }
            return a;
        }
        if (r.method == "GET" && endpoint == "https://www.google.test/oauth2/v1/tokeninfo") {
            ++tokeninfo_calls;
            const std::string at = query_of(r.url)["access_token"];
            auto it = live.find(at);
            a.status = it == live.end() ? 400 : 200;
            a.body = it == live.end() ? R"({"error":"invalid_token"})"
                                      : json{{"issued_to", it->second},
                                             {"audience", it->second},
                                             {"user_id", "1234567890"},
                                             {"scope", "openid"},
                                             {"expires_in", 3000}}
                                            .dump();
            return a;
        }
        if (r.method == "GET" && endpoint == "https://www.google.test/oauth2/v2/userinfo") {
            ++userinfo_calls;
            const bool ok = live.count(bearer_of(r)) != 0;
            a.status = ok ? 200 : 401;
            a.body =
                ok ? R"({"id":"1234567890","email":"ada@example.com","name":"Ada","picture":"https://x/p.png"})"
                   : "{}";
            return a;
        }
        if (r.method == "POST" && endpoint == "https://oauth2.google.test/revoke") {
            auto f = Form::parse(r.body, err);
            REQUIRE(f);
            revoked.push_back(f->get("token"));
            revoke_hint = f->get("token_type_hint");
            if (refresh_tokens.erase(f->get("token"))) live.clear(); // the whole grant ends
            a.status = revoke_status;
            a.body = "{}";
            return a;
        }
        a.status = 404;
        return a;
    }
};

oauth_proxy::OpaqueTokenEndpoints google_endpoints() {
    oauth_proxy::OpaqueTokenEndpoints e;
    e.kind = "google";
    e.authorization_endpoint = "https://accounts.google.test/o/oauth2/v2/auth";
    e.token_endpoint = "https://oauth2.google.test/token";
    e.tokeninfo_endpoint = "https://www.google.test/oauth2/v1/tokeninfo";
    e.userinfo_endpoint = "https://www.google.test/oauth2/v2/userinfo";
    e.revocation_endpoint = "https://oauth2.google.test/revoke";
    e.default_scopes = {"openid"};
    return e;
}

struct GoogleFixture {
    ProxyHost host;
    FakeGoogle google;
    std::shared_ptr<CountingStore> store;
    std::unique_ptr<oauth_proxy::OAuthProxy> proxy;

    explicit GoogleFixture(bool allow_http_loopback = false) {
        host.handler = [this](const plugin::HttpRequest &r) { return google(r); };
        store = std::make_shared<CountingStore>(
            oauth_proxy::make_memory_store([this] { return host.now_ms.load(); }));
        oauth_proxy::ProxyOptions o;
        o.provider_name = "GoogleProvider";
        o.base_url = kBase;
        o.required_scopes = {"openid"};
        o.jwt_signing_key = "test-signing-key";
        o.cimd.allow_http_loopback = allow_http_loopback;
        oauth_proxy::UpstreamClient c{"google-client", "google-secret", 1000};
        proxy = std::make_unique<oauth_proxy::OAuthProxy>(
            host.host(), o, c,
            std::make_unique<oauth_proxy::OpaqueTokenUpstream>(host.host(), google_endpoints(), c),
            store);
    }

    plugin::RouteResponse post_form(const std::string &path,
                                    const std::vector<std::pair<std::string, std::string>> &f,
                                    std::vector<std::pair<std::string, std::string>> headers = {}) {
        headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        return call(*proxy, {"POST", path, "", oauth_proxy::encode_form(f), headers});
    }
    std::string register_client() {
        auto r =
            call(*proxy,
                 {"POST",
                  "/register",
                  "",
                  json{{"redirect_uris", {kClientRedirect}}, {"token_endpoint_auth_method", "none"}}
                      .dump(),
                  {{"Content-Type", "application/json"}}});
        REQUIRE(r.status == 201);
        return json_of(r)["client_id"].get<std::string>();
    }
    plugin::RouteResponse authorize(const std::string &client_id,
                                    const std::string &redirect = kClientRedirect) {
        return call(*proxy, {"GET",
                             "/authorize",
                             oauth_proxy::encode_form(
                                 {{"response_type", "code"},
                                  {"client_id", client_id},
                                  {"redirect_uri", redirect},
                                  {"code_challenge", oauth_proxy::s256_challenge(kVerifier)},
                                  {"code_challenge_method", "S256"},
                                  {"state", "client-state"},
                                  {"scope", "openid"},
                                  {"resource", kResource}}),
                             "",
                             {}});
    }
    // Consent, Google's sign-in and the callback: the client's code.
    std::string sign_in(const std::string &client_id) {
        auto page = authorize(client_id);
        REQUIRE(page.status == 200);
        auto up = post_form("/consent",
                            {{"transaction", hidden_field(page.body, "transaction")},
                             {"csrf", hidden_field(page.body, "csrf")},
                             {"action", "approve"}},
                            {{"Cookie", cookie_pair(page, "fastmcp_txn_")}});
        REQUIRE(up.status == 302);
        auto q = query_of(header_of(up, "Location"));
        CHECK(
            header_of(up, "Location").rfind("https://accounts.google.test/o/oauth2/v2/auth?", 0) ==
            0);
        CHECK(q["scope"] == "openid");
        auto back =
            call(*proxy, {"GET",
                          "/auth/callback",
                          oauth_proxy::encode_form({{"code", google.authorize(q["code_challenge"])},
                                                    {"state", q["state"]}}),
                          "",
                          {}});
        REQUIRE(back.status == 302);
        auto cq = query_of(header_of(back, "Location"));
        REQUIRE(cq.count("code"));
        return cq["code"];
    }
    json redeem(const std::string &client_id, const std::string &code) {
        auto r = post_form("/token", {{"grant_type", "authorization_code"},
                                      {"client_id", client_id},
                                      {"code", code},
                                      {"redirect_uri", kClientRedirect},
                                      {"code_verifier", kVerifier}});
        REQUIRE(r.status == 200);
        return json_of(r);
    }
};

std::string cimd_document(const std::string &client_id,
                          std::vector<std::string> redirects = {kClientRedirect},
                          json extra = json::object()) {
    json d = {{"client_id", client_id},
              {"client_name", "Doc Client"},
              {"redirect_uris", redirects},
              {"grant_types", {"authorization_code", "refresh_token"}},
              {"token_endpoint_auth_method", "none"}};
    d.update(extra);
    return d.dump();
}

plugin::HttpResponse ok_json(std::string body) {
    plugin::HttpResponse r;
    r.status = 200;
    r.content_type = "application/json";
    r.body = std::move(body);
    return r;
}

} // namespace

TEST_CASE("GoogleProvider flow: tokeninfo + userinfo name the user; verify carries the Google "
          "token and profile") {
    GoogleFixture f;
    const std::string client = f.register_client();
    const json t = f.redeem(client, f.sign_in(client));
    CHECK(f.google.tokeninfo_calls == 1);
    CHECK(f.google.userinfo_calls == 1);
    const plugin::Verdict v = f.proxy->verify(t["access_token"].get<std::string>());
    REQUIRE(v.reason == FASTMCP_REASON_OK);
    CHECK(v.token->token.rfind("ya29.access-", 0) == 0);
    CHECK(v.token->subject == "1234567890"); // v2 userinfo's "id"
    const json claims = json::parse(v.token->claims_json);
    CHECK(claims["upstream_claims"]["email"] == "ada@example.com");
    CHECK(claims["upstream_claims"]["picture"] == "https://x/p.png");
    CHECK(f.google.tokeninfo_calls == 1); // confirmed at sign-in: no second tokeninfo call yet
    auto d = json::parse(f.proxy->describe_json());
    CHECK(d["upstream"]["kind"] == "google");
    CHECK(d["upstream"]["tokeninfo_endpoint"] == "https://www.google.test/oauth2/v1/tokeninfo");
}

TEST_CASE("Google upstream: a token issued to another client is refused at sign-in (token "
          "substitution)") {
    GoogleFixture f;
    f.google.audience = "someone-elses-client";
    const std::string client = f.register_client();
    auto page = f.authorize(client);
    auto up = f.post_form("/consent",
                          {{"transaction", hidden_field(page.body, "transaction")},
                           {"csrf", hidden_field(page.body, "csrf")},
                           {"action", "approve"}},
                          {{"Cookie", cookie_pair(page, "fastmcp_txn_")}});
    auto q = query_of(header_of(up, "Location"));
    auto back =
        call(*f.proxy, {"GET",
                        "/auth/callback",
                        oauth_proxy::encode_form({{"code", f.google.authorize(q["code_challenge"])},
                                                  {"state", q["state"]}}),
                        "",
                        {}});
    REQUIRE(back.status == 302);
    auto cq = query_of(header_of(back, "Location"));
    CHECK(cq["error"] == "server_error");
    CHECK(cq.count("code") == 0);
    CHECK(f.google.userinfo_calls == 0);
}

TEST_CASE("Google upstream: still_valid asks tokeninfo at most once per TTL; a token Google "
          "dropped goes inactive") {
    ProxyHost host;
    FakeGoogle google;
    host.handler = [&](const plugin::HttpRequest &r) { return google(r); };
    oauth_proxy::UpstreamClient c{"google-client", "google-secret", 1000};
    oauth_proxy::OpaqueTokenUpstream up(host.host(), google_endpoints(), c, 60);
    google.live["ya29.a"] = "google-client";
    CHECK(up.still_valid("ya29.a", 1000) == std::optional<bool>(true));
    CHECK(up.still_valid("ya29.a", 1030) == std::optional<bool>(true));
    CHECK(google.tokeninfo_calls == 1);
    google.live.clear();
    CHECK(up.still_valid("ya29.a", 1059) ==
          std::optional<bool>(true)); // still trusted within the TTL
    CHECK(up.still_valid("ya29.a", 1061) == std::optional<bool>(false));
    CHECK(google.tokeninfo_calls == 2);
    // Google down: cannot tell (the proxy fails closed on nullopt).
    host.handler = [](const plugin::HttpRequest &) {
        return plugin::HttpResponse{503, "", "", ""};
    };
    CHECK_FALSE(up.still_valid("ya29.b", 1000).has_value());
}

TEST_CASE(
    "WorkOS Connect upstream: the user from /oauth2/userinfo, checked there again after the TTL") {
    ProxyHost host;
    int calls = 0;
    bool valid = true;
    host.handler = [&](const plugin::HttpRequest &r) {
        plugin::HttpResponse a;
        if (r.url != "https://auth.workos.test/oauth2/userinfo") return a.status = 404, a;
        ++calls;
        a.status = valid && bearer_of(r) == "wos-token" ? 200 : 401;
        a.body = R"({"sub":"user_01ABC","email":"w@example.com","email_verified":true,"name":"W"})";
        return a;
    };
    oauth_proxy::OpaqueTokenEndpoints e;
    e.kind = "workos";
    e.authorization_endpoint = "https://auth.workos.test/oauth2/authorize";
    e.token_endpoint = "https://auth.workos.test/oauth2/token";
    e.userinfo_endpoint = "https://auth.workos.test/oauth2/userinfo";
    oauth_proxy::OpaqueTokenUpstream up(host.host(), e, {"wos-client", "wos-secret", 1000}, 300);
    oauth_proxy::UpstreamGrant g;
    g.access_token = "wos-token";
    const auto id = up.identify(g, 1000);
    CHECK(id.subject == "user_01ABC");
    CHECK(id.claims["email_verified"] == true);
    CHECK(up.endpoints().revocation_endpoint.empty());
    CHECK(up.still_valid("wos-token", 1200) == std::optional<bool>(true));
    CHECK(calls == 1);
    valid = false;
    CHECK(up.still_valid("wos-token", 1301) == std::optional<bool>(false));
    g.access_token = "other";
    CHECK_THROWS_AS(up.identify(g, 1000), oauth_proxy::UpstreamError);
}

TEST_CASE("upstream revocation: revoking the refresh token revokes the Google grant, once, never "
          "logging the token") {
    GoogleFixture f;
    const std::string client = f.register_client();
    const json t = f.redeem(client, f.sign_in(client));
    const std::string access = t["access_token"];
    REQUIRE(f.proxy->verify(access).reason == FASTMCP_REASON_OK);
    REQUIRE(f.google.refresh_tokens.size() == 1);
    const std::string google_refresh = *f.google.refresh_tokens.begin();
    const std::string google_access = f.google.live.begin()->first;
    f.google.revoke_status = 503; // best effort: a failing upstream does not undo our revocation
    auto rv = f.post_form("/revoke", {{"client_id", client}, {"token", t["refresh_token"]}});
    CHECK(rv.status == 200);
    REQUIRE(f.google.revoked.size() == 1);
    CHECK(f.google.revoked[0] == google_refresh); // the refresh token ends the whole Google grant
    CHECK(f.google.revoke_hint == "refresh_token");
    CHECK(f.proxy->verify(access).reason == FASTMCP_REASON_INACTIVE);
    // A second revocation of the same token finds nothing and calls Google no more.
    CHECK(f.post_form("/revoke", {{"client_id", client}, {"token", t["refresh_token"]}}).status ==
          200);
    CHECK(f.google.revoked.size() == 1);
    // Revoking only an access token of ours leaves the Google grant alone.
    const json t2 = f.redeem(client, f.sign_in(client));
    CHECK(f.post_form("/revoke", {{"client_id", client}, {"token", t2["access_token"]}}).status ==
          200);
    CHECK(f.google.revoked.size() == 1);
    const std::string logs = f.host.logs();
    CHECK(logs.find("503") != std::string::npos);          // the failure was logged...
    CHECK(logs.find(google_refresh) == std::string::npos); // ...without any token
    CHECK(logs.find(google_access) == std::string::npos);
    CHECK(json::parse(f.proxy->describe_json())["upstream_revocations"] == 1);
}

TEST_CASE("upstream revocation: an unreachable revocation endpoint still ends the grant here") {
    GoogleFixture f;
    const std::string client = f.register_client();
    const json t = f.redeem(client, f.sign_in(client));
    auto inner = f.host.handler;
    f.host.handler = [&](const plugin::HttpRequest &r) {
        if (r.url.find("/revoke") != std::string::npos)
            return plugin::HttpResponse{0, "", "", "connection refused"};
        return inner(r);
    };
    CHECK(f.post_form("/revoke", {{"client_id", client}, {"token", t["refresh_token"]}}).status ==
          200);
    CHECK(json_of(f.post_form("/token", {{"grant_type", "refresh_token"},
                                         {"client_id", client},
                                         {"refresh_token", t["refresh_token"]}}))["error"] ==
          "invalid_grant");
}

TEST_CASE("CIMD: metadata advertises it; a document client walks the whole flow with consent and "
          "refresh") {
    GoogleFixture f;
    auto as =
        json_of(call(*f.proxy, {"GET", "/.well-known/oauth-authorization-server", "", "", {}}));
    CHECK(as["client_id_metadata_document_supported"] == true);
    f.google.documents[kDocUrl] = ok_json(cimd_document(kDocUrl));
    auto page = f.authorize(kDocUrl);
    REQUIRE(page.status == 200);
    CHECK(page.body.find("Doc Client") != std::string::npos);
    const json t = f.redeem(kDocUrl, f.sign_in(kDocUrl));
    const plugin::Verdict v = f.proxy->verify(t["access_token"].get<std::string>());
    REQUIRE(v.reason == FASTMCP_REASON_OK);
    CHECK(v.token->client_id == kDocUrl);
    auto r = f.post_form("/token", {{"grant_type", "refresh_token"},
                                    {"client_id", kDocUrl},
                                    {"refresh_token", t["refresh_token"]}});
    CHECK(r.status == 200);
    CHECK(f.google.document_fetches == 1); // cached across /authorize, /token and refresh
    // After the cache TTL the document is fetched again.
    f.host.now_ms += 301'000;
    CHECK(f.authorize(kDocUrl).status == 200);
    CHECK(f.google.document_fetches == 2);
}

TEST_CASE("hostile CIMD: each bad document is invalid_client with its reason code, nothing stored, "
          "nothing redirected") {
    struct Case {
        const char *name;
        std::string url;
        plugin::HttpResponse answer;
        const char *reason;
    };
    const std::string other = "https://client.example.com/other.json";
    plugin::HttpResponse too_big =
        ok_json(cimd_document(kDocUrl, {kClientRedirect}, {{"padding", std::string(6000, 'x')}}));
    plugin::HttpResponse redirected;
    redirected.status = 302;
    plugin::HttpResponse down;
    down.error = "connection refused";
    const std::vector<Case> cases = {
        {"client_id mismatch", kDocUrl, ok_json(cimd_document(other)), "cimd_client_id_mismatch"},
        {"not JSON", kDocUrl, ok_json("<html>"), "cimd_invalid_document"},
        {"a secret in it", kDocUrl,
         ok_json(cimd_document(kDocUrl, {kClientRedirect}, {{"client_secret", "s"}})),
         "cimd_invalid_document"},
        {"secret auth method", kDocUrl,
         ok_json(cimd_document(kDocUrl, {kClientRedirect},
                               {{"token_endpoint_auth_method", "client_secret_basic"}})),
         "cimd_invalid_document"},
        {"no redirect_uris", kDocUrl, ok_json(json{{"client_id", kDocUrl}}.dump()),
         "cimd_invalid_document"},
        {"too large", kDocUrl, too_big, "cimd_document_too_large"},
        {"a redirect", kDocUrl, redirected, "cimd_fetch_failed"},
        {"unreachable", kDocUrl, down, "cimd_fetch_failed"},
        {"plain http", "http://client.example.com/doc.json",
         ok_json(cimd_document("http://client.example.com/doc.json")), "cimd_url_invalid"},
        {"http loopback without the setting", "http://127.0.0.1:9/doc.json",
         ok_json(cimd_document("http://127.0.0.1:9/doc.json")), "cimd_url_invalid"},
        {"no path", "https://client.example.com",
         ok_json(cimd_document("https://client.example.com")), "cimd_url_invalid"},
        {"user-info", "https://a@client.example.com/doc.json",
         ok_json(cimd_document("https://a@client.example.com/doc.json")), "cimd_url_invalid"},
        {"dot segments", "https://client.example.com/x/../doc.json",
         ok_json(cimd_document("https://client.example.com/x/../doc.json")), "cimd_url_invalid"},
    };
    for (const auto &c : cases) {
        CAPTURE(c.name);
        GoogleFixture f;
        f.google.documents[c.url] = c.answer;
        const int before = f.store->writes;
        auto r = f.authorize(c.url);
        CHECK(r.status == 400);
        CHECK(header_of(r, "Location").empty());
        CHECK(r.body.find("invalid_client") != std::string::npos);
        CHECK(r.body.find(c.reason) != std::string::npos);
        CHECK(f.store->writes == before);
        // The token endpoint refuses the same client id as unauthenticated.
        auto t = f.post_form("/token", {{"grant_type", "authorization_code"},
                                        {"client_id", c.url},
                                        {"code", "x"},
                                        {"code_verifier", kVerifier}});
        CHECK(t.status == 401);
        CHECK(json_of(t)["error"] == "invalid_client");
        CHECK(f.host.logs().find(c.reason) != std::string::npos);
    }
}

TEST_CASE("hostile CIMD: a redirect URI outside the document or outside "
          "ALLOWED_CLIENT_REDIRECT_URIS is refused") {
    GoogleFixture f;
    f.google.documents[kDocUrl] =
        ok_json(cimd_document(kDocUrl, {kClientRedirect, "https://evil.example/cb"}));
    const int before = f.store->writes;
    auto r = f.authorize(kDocUrl, "http://127.0.0.1:9999/not-in-doc");
    CHECK(r.status == 400);
    CHECK(header_of(r, "Location").empty());
    r = f.authorize(
        kDocUrl,
        "https://evil.example/cb"); // in the document, but not loopback (the default policy)
    CHECK(r.status == 400);
    CHECK(header_of(r, "Location").empty());
    CHECK(f.store->writes == before);
    CHECK(f.authorize(kDocUrl).status == 200);
}

TEST_CASE("CIMD: http on a loopback host only with CIMD_ALLOW_HTTP_LOOPBACK; a failure is cached "
          "briefly") {
    GoogleFixture f(true);
    const std::string url = "http://127.0.0.1:4455/client.json";
    f.google.documents[url] = ok_json(cimd_document(url));
    CHECK(f.authorize(url).status == 200);
    const std::string remote =
        "http://client.example.com/doc.json"; // never plain http off loopback
    f.google.documents[remote] = ok_json(cimd_document(remote));
    CHECK(f.authorize(remote).status == 400);
    CHECK(f.google.document_fetches == 1);
    // A failing document is not fetched again for failure_ttl_s (30 s), then it is.
    const std::string broken = "https://client.example.com/broken.json";
    f.google.documents[broken] = ok_json(cimd_document(kDocUrl));
    CHECK(f.authorize(broken).status == 400);
    CHECK(f.authorize(broken).status == 400);
    CHECK(f.google.document_fetches == 2);
    f.google.documents[broken] = ok_json(cimd_document(broken));
    f.host.now_ms += 31'000;
    CHECK(f.authorize(broken).status == 200);
    CHECK(f.google.document_fetches == 3);
}
