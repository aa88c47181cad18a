// AuthorizationServer without sockets: registration, PKCE-only authorization, the token endpoint's
// client authentication and grants, claim shape, key rotation, userinfo. Fake clock throughout.
#include <doctest/doctest.h>

#include "authorization_server.hpp"
#include "random_ids.hpp"

#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/jose/jws.hpp"
#include "fastmcp/jose/signer.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>

#include <openssl/evp.h>

#include <map>
#include <sstream>

using namespace fastmcp::emulator;
using nlohmann::json;

namespace {

constexpr const char *kRedirect = "http://127.0.0.1:5555/callback";
constexpr const char *kResource = "http://localhost:8000/mcp";
const std::string kVerifier =
    "dBjftJeZ4CVP-mJ92K9qpXZIgvswu1dqvaFb9brrmXe"; // 43 chars (RFC 7636 App. B)

// RSA key generation is slow; tests share a pool of three keys (kids stay unique).
fastmcp::jose::PkeyPtr pooled_key() {
    static std::vector<fastmcp::jose::PkeyPtr> pool = [] {
        std::vector<fastmcp::jose::PkeyPtr> v;
        for (int i = 0; i < 3; ++i)
            v.push_back(fastmcp::jose::generate_key(fastmcp::jose::Alg::RS256));
        return v;
    }();
    static size_t next = 0;
    EVP_PKEY *k = pool[next++ % pool.size()].get();
    EVP_PKEY_up_ref(k);
    return fastmcp::jose::PkeyPtr(k);
}

struct Fixture {
    int64_t clock = 1'700'000'000;
    AuthorizationServer as{[this] {
                               EmulatorOptions o;
                               o.key_factory = pooled_key;
                               o.clock = [this] { return clock; };
                               o.token_lifetime_s = 300;
                               return o;
                           }(),
                           "http://127.0.0.1:9100"};

    json register_client(const std::string &method = "none",
                         json grants = {"authorization_code", "refresh_token"}) {
        Reply r = as.register_client(json{
            {"redirect_uris", {kRedirect}},
            {"token_endpoint_auth_method", method},
            {"grant_types", grants},
            {"client_name", "test"}}.dump());
        REQUIRE(r.status == 201);
        return json::parse(r.body);
    }

    // Runs /authorize and returns the redirect's query parameters.
    std::map<std::string, std::string> authorize(const Params &q) {
        Reply r = as.authorize(q);
        REQUIRE(r.status == 302);
        std::map<std::string, std::string> out;
        for (auto &[k, v] : Poco::URI(*r.header("Location")).getQueryParameters())
            out[k] = v;
        return out;
    }

    Params auth_params(const std::string &client_id) {
        return {{"response_type", "code"},         {"client_id", client_id},
                {"redirect_uri", kRedirect},       {"code_challenge", s256(kVerifier)},
                {"code_challenge_method", "S256"}, {"state", "st4te"},
                {"resource", kResource},           {"scope", "openid email bogus"}};
    }

    std::string code_for(const std::string &client_id) {
        return authorize(auth_params(client_id)).at("code");
    }

    Reply exchange(const std::string &client_id, const std::string &code,
                   std::string verifier = kVerifier, std::string authorization = "") {
        return as.token({{"grant_type", "authorization_code"},
                         {"code", code},
                         {"redirect_uri", kRedirect},
                         {"code_verifier", verifier},
                         {"client_id", client_id},
                         {"resource", kResource}},
                        authorization);
    }

    // The verification result, with the verifying key's kid (the key set is gone afterwards).
    fastmcp::jose::Result verify(const std::string &token, std::string *kid = nullptr) {
        std::string err;
        auto keys = fastmcp::jose::parse_jwks(as.jwks().body, {}, err);
        REQUIRE(keys);
        fastmcp::jose::Policy p;
        p.issuers = {"http://127.0.0.1:9100"};
        p.audiences = {kResource};
        auto r = fastmcp::jose::verify(token, *keys, p, clock);
        if (kid && r.key) *kid = r.key->kid;
        r.key = nullptr;
        return r;
    }
};

std::string basic(const std::string &id, const std::string &secret) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << id << ':' << secret;
    enc.close();
    return "Basic " + out.str();
}

} // namespace

TEST_CASE("metadata documents name the issuer exactly and advertise S256 only") {
    Fixture f;
    for (Reply r : {f.as.authorization_server_metadata(), f.as.openid_configuration()}) {
        const json m = json::parse(r.body);
        CHECK(m["issuer"] == "http://127.0.0.1:9100");
        CHECK(m["authorization_endpoint"] == "http://127.0.0.1:9100/oauth2/authorize");
        CHECK(m["token_endpoint"] == "http://127.0.0.1:9100/oauth2/token");
        CHECK(m["registration_endpoint"] == "http://127.0.0.1:9100/oauth2/register");
        CHECK(m["jwks_uri"] == "http://127.0.0.1:9100/oauth2/jwks");
        CHECK(m["userinfo_endpoint"] == "http://127.0.0.1:9100/oauth2/userinfo");
        CHECK(m["code_challenge_methods_supported"] == json{"S256"});
        CHECK(m["response_types_supported"] == json{"code"});
        CHECK(m["token_endpoint_auth_methods_supported"] ==
              json{"none", "client_secret_post", "client_secret_basic"});
        CHECK(m["grant_types_supported"] == json{"authorization_code", "refresh_token"});
    }
}

TEST_CASE("registration validates redirect URIs and auth methods, and issues secrets only to "
          "confidential clients") {
    Fixture f;
    CHECK(f.as.register_client("{}").status == 400);
    CHECK(json::parse(f.as.register_client("{}").body)["error"] == "invalid_redirect_uri");
    CHECK(f.as.register_client(R"({"redirect_uris":["not a uri"]})").status == 400);
    CHECK(f.as.register_client(R"({"redirect_uris":["http://127.0.0.1/cb#frag"]})").status == 400);
    CHECK(
        json::parse(
            f.as.register_client(
                    R"({"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"private_key_jwt"})")
                .body)["error"] == "invalid_client_metadata");
    CHECK(f.as.register_client("not json").status == 400);

    const json pub = f.register_client("none");
    CHECK(pub["client_id"].get<std::string>().rfind("client_", 0) == 0);
    CHECK_FALSE(pub.contains("client_secret"));
    CHECK(pub["client_name"] == "test");
    const json conf = f.register_client("client_secret_post");
    CHECK(conf["client_secret"].get<std::string>().size() >= 43);
    CHECK(conf["client_secret_expires_at"] == 0);
    // RFC 7591 default method.
    const json dflt =
        json::parse(f.as.register_client(R"({"redirect_uris":["http://127.0.0.1/cb"]})").body);
    CHECK(dflt["token_endpoint_auth_method"] == "client_secret_basic");
    CHECK(dflt["grant_types"] == json{"authorization_code"});
}

TEST_CASE("authorize: client and redirect errors are shown, other errors redirect with state") {
    Fixture f;
    const std::string id = f.register_client()["client_id"];
    auto p = f.auth_params(id);

    Params unknown = p;
    unknown[1].second = "client_nope";
    CHECK(f.as.authorize(unknown).status == 400);
    Params bad_redirect = p;
    bad_redirect[2].second = "http://127.0.0.1:5555/elsewhere";
    CHECK(f.as.authorize(bad_redirect).status == 400);
    CHECK(f.as.authorize(bad_redirect).header("Location") == nullptr);

    Params no_pkce;
    for (auto &kv : p)
        if (kv.first != "code_challenge") no_pkce.push_back(kv);
    auto q = f.authorize(no_pkce);
    CHECK(q["error"] == "invalid_request");
    CHECK(q["state"] == "st4te");
    CHECK_FALSE(q.count("code"));

    Params plain = p;
    plain[4].second = "plain";
    CHECK(f.authorize(plain)["error"] == "invalid_request");
    Params token_flow = p;
    token_flow[0].second = "token";
    CHECK(f.authorize(token_flow)["error"] == "unsupported_response_type");
    Params dup = p;
    dup.emplace_back("state", "again");
    CHECK(f.as.authorize(dup).status == 400);

    q = f.authorize(p);
    CHECK(q["state"] == "st4te");
    CHECK(q["iss"] == "http://127.0.0.1:9100");
    CHECK(q["code"].size() >= 43);
}

TEST_CASE("authorization_code: PKCE verified, code single-use, resource becomes aud, AuthKit claim "
          "shape") {
    Fixture f;
    const std::string id = f.register_client()["client_id"];

    CHECK(json::parse(f.exchange(id, f.code_for(id), std::string(43, 'x')).body)["error"] ==
          "invalid_grant");

    const std::string code = f.code_for(id);
    Reply r = f.exchange(id, code);
    REQUIRE(r.status == 200);
    CHECK(*r.header("Cache-Control") == "no-store");
    const json tok = json::parse(r.body);
    CHECK(tok["token_type"] == "Bearer");
    CHECK(tok["expires_in"] == 300);
    CHECK(tok["scope"] == "openid email"); // unknown scope dropped
    CHECK(tok.contains("refresh_token"));

    const auto v = f.verify(tok["access_token"]);
    REQUIRE(v.ok());
    const json &c = v.claims;
    CHECK(c["iss"] == "http://127.0.0.1:9100");
    CHECK(c["sub"] == "user_01EMULATORDEVUSER000000000");
    CHECK(c["aud"] == kResource);
    CHECK(c["scope"] == "openid email");
    CHECK(c["role"] == "authenticated");
    CHECK(c["org_id"] == "org_01EMULATORDEVORG0000000000");
    CHECK(c["iat"] == f.clock);
    CHECK(c["exp"] == f.clock + 300);
    CHECK(c["sid"].get<std::string>().rfind("session_", 0) == 0);
    CHECK(c["jti"].get<std::string>().size() == 32);

    // Replaying the code fails.
    CHECK(json::parse(f.exchange(id, code).body)["error"] == "invalid_grant");
}

TEST_CASE("token endpoint: client_secret_basic and client_secret_post authenticate; wrong secrets "
          "are invalid_client") {
    Fixture f;
    const json basic_client = f.register_client("client_secret_basic");
    const std::string id = basic_client["client_id"], secret = basic_client["client_secret"];
    auto form = [&](const std::string &code) {
        return Params{{"grant_type", "authorization_code"},
                      {"code", code},
                      {"redirect_uri", kRedirect},
                      {"code_verifier", kVerifier}};
    };
    Reply wrong = f.as.token(form(f.code_for(id)), basic(id, "nope"));
    CHECK(wrong.status == 401);
    CHECK(json::parse(wrong.body)["error"] == "invalid_client");
    REQUIRE(wrong.header("WWW-Authenticate"));
    CHECK(f.as.token(form(f.code_for(id)), "").status == 401);
    CHECK(f.as.token(form(f.code_for(id)), basic(id, secret)).status == 200);

    const json post_client = f.register_client("client_secret_post");
    const std::string pid = post_client["client_id"];
    Params p = form(f.code_for(pid));
    p.emplace_back("client_id", pid);
    p.emplace_back("client_secret", std::string(post_client["client_secret"]));
    CHECK(f.as.token(p, "").status == 200);
    // Basic plus a form secret is two methods at once.
    Params both = form(f.code_for(id));
    both.emplace_back("client_secret", secret);
    CHECK(f.as.token(both, basic(id, secret)).status == 400);

    CHECK(json::parse(f.as.token({{"grant_type", "password"},
                                  {"client_id", f.register_client()["client_id"]}},
                                 "")
                          .body)["error"] == "unsupported_grant_type");
}

TEST_CASE(
    "a code cannot be redeemed by another client, with another redirect, or after it expires") {
    Fixture f;
    const std::string a = f.register_client()["client_id"], b = f.register_client()["client_id"];
    CHECK(json::parse(f.exchange(b, f.code_for(a)).body)["error"] == "invalid_grant");
    Params other_redirect = {{"grant_type", "authorization_code"},
                             {"code", f.code_for(a)},
                             {"redirect_uri", "http://127.0.0.1:5555/x"},
                             {"code_verifier", kVerifier},
                             {"client_id", a}};
    CHECK(json::parse(f.as.token(other_redirect, "").body)["error"] == "invalid_grant");
    const std::string code = f.code_for(a);
    f.clock += 601;
    CHECK(json::parse(f.exchange(a, code).body)["error"] == "invalid_grant");
}

TEST_CASE("refresh_token: rotated on use, keeps aud and narrows scope, only for clients that "
          "registered it") {
    Fixture f;
    const std::string id = f.register_client()["client_id"];
    const json first = json::parse(f.exchange(id, f.code_for(id)).body);
    f.clock += 400; // the access token expired
    auto refresh = [&](const std::string &rt, std::string scope = "") {
        Params p{{"grant_type", "refresh_token"}, {"refresh_token", rt}, {"client_id", id}};
        if (!scope.empty()) p.emplace_back("scope", scope);
        return f.as.token(p, "");
    };
    Reply r = refresh(first["refresh_token"], "email");
    REQUIRE(r.status == 200);
    const json second = json::parse(r.body);
    CHECK(second["refresh_token"] != first["refresh_token"]);
    CHECK(second["scope"] == "email");
    const auto v = f.verify(second["access_token"]);
    REQUIRE(v.ok());
    CHECK(v.claims["aud"] == kResource);
    CHECK(json::parse(refresh(first["refresh_token"]).body)["error"] == "invalid_grant"); // used up
    CHECK(json::parse(refresh(second["refresh_token"], "openid profile").body)["error"] ==
          "invalid_scope");

    const std::string code_only = f.register_client("none", {"authorization_code"})["client_id"];
    CHECK_FALSE(
        json::parse(f.exchange(code_only, f.code_for(code_only)).body).contains("refresh_token"));
}

TEST_CASE("key rotation: old tokens verify while the retired key is in grace; keep_previous=false "
          "drops it") {
    Fixture f;
    const std::string id = f.register_client()["client_id"];
    const std::string old_token = json::parse(f.exchange(id, f.code_for(id)).body)["access_token"];
    const std::string new_kid = f.as.rotate_keys(true);
    CHECK(f.as.stats()["published_kids"].size() == 2);
    CHECK(f.as.stats()["current_kid"] == new_kid);
    CHECK(f.verify(old_token).ok());
    const std::string new_token = json::parse(f.exchange(id, f.code_for(id)).body)["access_token"];
    std::string kid;
    REQUIRE(f.verify(new_token, &kid).ok());
    CHECK(kid == new_kid);

    f.as.rotate_keys(false);
    CHECK(f.as.stats()["published_kids"].size() == 1);
    CHECK(f.verify(old_token).reason == FASTMCP_REASON_UNKNOWN_KID);
}

TEST_CASE("rotate-keys-every rotates on a timer and the grace period ends") {
    int64_t clock = 1000;
    EmulatorOptions o;
    o.clock = [&] { return clock; };
    o.rotate_keys_every_s = 60;
    o.previous_key_grace_s = 100;
    o.key_factory = pooled_key;
    AuthorizationServer as(o, "http://127.0.0.1:1");
    const std::string k1 = as.stats()["current_kid"];
    clock += 59;
    as.jwks();
    CHECK(as.stats()["current_kid"] == k1);
    clock += 1;
    as.jwks();
    CHECK(as.stats()["current_kid"] != k1);
    CHECK(as.stats()["published_kids"].size() == 2);
    clock += 59; // 59 s into the new key: the old one is still in grace
    as.jwks();
    CHECK(as.stats()["published_kids"].size() == 2);
    clock +=
        50; // 109 s after rotation #1, second rotation happened at +60; first key's grace ended
    as.jwks();
    const auto kids = as.stats()["published_kids"];
    CHECK(std::find(kids.begin(), kids.end(), k1) == kids.end());
}

TEST_CASE("userinfo answers for issued tokens only") {
    Fixture f;
    const std::string id = f.register_client()["client_id"];
    const std::string at = json::parse(f.exchange(id, f.code_for(id)).body)["access_token"];
    Reply ok = f.as.userinfo("Bearer " + at);
    REQUIRE(ok.status == 200);
    CHECK(json::parse(ok.body)["sub"] == "user_01EMULATORDEVUSER000000000");
    CHECK(json::parse(ok.body)["email"] == "dev@example.com");
    CHECK(f.as.userinfo("Bearer " + at + "x").status == 401);
    CHECK(f.as.userinfo("").status == 401);
    f.clock += 301;
    CHECK(f.as.userinfo("Bearer " + at).status == 401);
}

TEST_CASE("CIMD: a URL client_id is fetched and checked (client_id = URL, redirect URIs, no "
          "secret); loopback redirect on any port") {
    const std::string url = "https://client.example/meta.json";
    std::map<std::string, CimdFetchResult> docs;
    int fetches = 0;
    EmulatorOptions o;
    o.key_factory = pooled_key;
    o.clock = [] { return int64_t{1'700'000'000}; };
    o.cimd_fetcher = [&](const std::string &u) {
        ++fetches;
        auto it = docs.find(u);
        return it == docs.end() ? CimdFetchResult{404, "", ""} : it->second;
    };
    AuthorizationServer as(o, "http://127.0.0.1:9100");
    CHECK(json::parse(
              as.authorization_server_metadata().body)["client_id_metadata_document_supported"] ==
          true);

    auto params = [&](const std::string &id, const std::string &redirect) {
        return Params{{"response_type", "code"},
                      {"client_id", id},
                      {"redirect_uri", redirect},
                      {"code_challenge", s256(kVerifier)},
                      {"code_challenge_method", "S256"},
                      {"state", "s"},
                      {"resource", kResource}};
    };
    auto error_of = [](const Reply &r) {
        return json::parse(r.body).value("error_description", std::string());
    };

    // Not served: refused, shown (never redirected).
    Reply r = as.authorize(params(url, kRedirect));
    CHECK(r.status == 400);
    CHECK(error_of(r).find("HTTP 404") != std::string::npos);

    docs[url] = {200,
                 json{{"client_id", "https://other.example/meta.json"},
                      {"redirect_uris", {"http://127.0.0.1/callback"}}}
                     .dump(),
                 ""};
    CHECK(error_of(as.authorize(params(url, kRedirect))).find("client_id is not its URL") !=
          std::string::npos);
    docs[url].body = json{{"client_id", url},
                          {"client_secret", "x"},
                          {"redirect_uris", {"http://127.0.0.1/callback"}}}
                         .dump();
    CHECK(error_of(as.authorize(params(url, kRedirect))).find("client_secret") !=
          std::string::npos);
    docs[url].body = json{{"client_id", url}, {"redirect_uris", json::array()}}.dump();
    CHECK(error_of(as.authorize(params(url, kRedirect))).find("redirect_uris") !=
          std::string::npos);

    // A good document: a port-less loopback redirect URI matches any port (RFC 8252 §7.3), another
    // path does not.
    docs[url].body = json{
        {"client_id", url},
        {"client_name", "c"},
        {"redirect_uris", {"http://127.0.0.1/callback"}},
        {"grant_types", {"authorization_code", "refresh_token"}},
        {"token_endpoint_auth_method",
         "none"}}.dump();
    r = as.authorize(params(url, "http://127.0.0.1:5555/callback"));
    REQUIRE(r.status == 302);
    CHECK(as.authorize(params(url, "http://127.0.0.1:5555/other")).status == 400);
    CHECK(as.authorize(params(url, "http://evil.example/callback")).status == 400);
    std::string code;
    for (auto &[k, v] : Poco::URI(*r.header("Location")).getQueryParameters())
        if (k == "code") code = v;
    Reply tok = as.token({{"grant_type", "authorization_code"},
                          {"code", code},
                          {"redirect_uri", "http://127.0.0.1:5555/callback"},
                          {"code_verifier", kVerifier},
                          {"client_id", url},
                          {"resource", kResource}},
                         "");
    CHECK(tok.status == 200);
    // Fetched again on every authorization request (three with the good document).
    CHECK(json::parse(as.stats().dump())["metadata_documents"] == 3);

    // Only https or loopback http URLs are fetched at all.
    const int before = fetches;
    CHECK(as.authorize(params("http://client.example/meta.json", kRedirect)).status == 400);
    CHECK(fetches == before);
    CHECK(cimd_url_allowed("http://127.0.0.1:8080/meta.json"));
    CHECK(cimd_url_allowed("http://localhost/meta.json"));
    CHECK_FALSE(cimd_url_allowed("http://10.0.0.1/meta.json"));
    CHECK_FALSE(cimd_url_allowed("https://user@client.example/meta.json"));
    CHECK_FALSE(cimd_url_allowed("https://client.example/meta.json#x"));
    CHECK(std::holds_alternative<std::string>(
        validate_cimd(url, std::string(kMaxCimdBytes + 1, ' '))));
}

TEST_CASE("google mode: opaque tokens, tokeninfo for live tokens only, revoke ends a grant") {
    int64_t clock = 1'700'000'000;
    EmulatorOptions o;
    o.key_factory = pooled_key;
    o.clock = [&] { return clock; };
    o.token_lifetime_s = 300;
    o.mode = UpstreamMode::Google;
    o.fixed_clients = {{"g-client", "g-secret", {kRedirect}}};
    AuthorizationServer as(o, "http://127.0.0.1:9100");
    const json meta = json::parse(as.authorization_server_metadata().body);
    CHECK(meta["revocation_endpoint"] == "http://127.0.0.1:9100/oauth2/revoke");
    CHECK_FALSE(meta.contains("registration_endpoint"));
    auto sign_in = [&] {
        Reply r = as.authorize({{"response_type", "code"}, {"client_id", "g-client"}, {"redirect_uri", kRedirect},
                                {"code_challenge", s256(kVerifier)}, {"code_challenge_method", "S256"},
                                {"scope", "openid email"}});
        REQUIRE(r.status == 302);
        std::string code;
        for (auto &[k, v] : Poco::URI(*r.header("Location")).getQueryParameters())
            if (k == "code") code = v;
        Reply t = as.token({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect},
                            {"code_verifier", kVerifier}, {"client_id", "g-client"}, {"client_secret", "g-secret"}},
                           "");
        REQUIRE(t.status == 200);
        return json::parse(t.body);
    };
    const json t = sign_in();
    const std::string at = t["access_token"];
    CHECK(at.rfind("ya29.", 0) == 0);
    CHECK(t.contains("id_token")); // still OIDC
    Reply info = as.tokeninfo({{"access_token", at}});
    REQUIRE(info.status == 200);
    const json i = json::parse(info.body);
    CHECK(i["audience"] == "g-client");
    CHECK(i["scope"] == "openid email");
    CHECK(i["expires_in"] == 300);
    CHECK(as.tokeninfo({{"access_token", at + "x"}}).status == 400);
    CHECK(as.tokeninfo({}).status == 400);
    // Revoking the refresh token ends the grant's access token too; a second revoke is refused.
    CHECK(as.revoke({{"token", t["refresh_token"].get<std::string>()}}).status == 200);
    CHECK(as.tokeninfo({{"access_token", at}}).status == 400);
    CHECK(as.revoke({{"token", t["refresh_token"].get<std::string>()}}).status == 400);
    // Revoking an access token alone.
    const std::string at2 = sign_in()["access_token"];
    CHECK(as.revoke({{"token", at2}}).status == 200);
    CHECK(as.userinfo("Bearer " + at2).status == 401);
    CHECK(as.stats()["revocations"] == 2);
    clock += 301;
    CHECK(as.tokeninfo({{"access_token", sign_in()["access_token"].get<std::string>()}}).status == 200);
}
