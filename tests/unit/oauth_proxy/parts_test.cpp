// The proxy's small parts: form coding, PKCE and randomness, the redirect-URI policy, the
// upstream token response parser, and the signing-key derivation.
#include "fastmcp/oauth_proxy/form.hpp"
#include "fastmcp/oauth_proxy/pkce.hpp"
#include "fastmcp/oauth_proxy/proxy_tokens.hpp"
#include "fastmcp/oauth_proxy/redirect_policy.hpp"
#include "fastmcp/oauth_proxy/upstream.hpp"

#include <doctest/doctest.h>

using namespace fastmcp;
using namespace fastmcp::oauth_proxy;

TEST_CASE("form: decoding, '+' as space, repeated parameters refused, encoding round-trips") {
    std::string err;
    auto f = Form::parse("a=1&b=x+y%26z&empty=&c", err);
    REQUIRE(f);
    CHECK(f->get("a") == "1");
    CHECK(f->get("b") == "x y&z");
    CHECK(f->has("empty"));
    CHECK(f->has("c"));
    CHECK(f->get("missing").empty());
    CHECK_FALSE(Form::parse("code=1&code=2", err));
    CHECK(err.find("code") != std::string::npos);
    const std::string enc = encode_form({{"redirect_uri", "http://l/cb?x=1&y=2"}, {"s", "a b+c"}, {"skip", ""}});
    auto back = Form::parse(enc, err);
    REQUIRE(back);
    CHECK(back->get("redirect_uri") == "http://l/cb?x=1&y=2");
    CHECK(back->get("s") == "a b+c");
    CHECK_FALSE(back->has("skip"));
    CHECK(append_query("http://h/cb", {{"a", "1"}}) == "http://h/cb?a=1");
    CHECK(append_query("http://h/cb?x=0", {{"a", "1"}}) == "http://h/cb?x=0&a=1");
}

TEST_CASE("pkce: the RFC 7636 appendix B vector, verifier and challenge shapes, fresh tokens") {
    CHECK(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    CHECK(valid_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    CHECK_FALSE(valid_verifier("short"));
    CHECK_FALSE(valid_verifier(std::string(43, 'a') + "/"));
    CHECK_FALSE(valid_verifier(std::string(129, 'a')));
    CHECK(valid_s256_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    CHECK_FALSE(valid_s256_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"));
    CHECK(random_token(32).size() == 43);
    CHECK(random_token() != random_token());
    CHECK(equal_constant_time("abc", "abc"));
    CHECK_FALSE(equal_constant_time("abc", "abd"));
    CHECK_FALSE(equal_constant_time("abc", "abcd"));
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("redirect policy: loopback by default, patterns when set, never user-info or fragments") {
    RedirectPolicy loopback;
    CHECK(loopback.allows("http://127.0.0.1:33418/callback"));
    CHECK(loopback.allows("http://localhost:8080/cb?x=1"));
    CHECK(loopback.allows("http://[::1]:9000/cb"));
    CHECK_FALSE(loopback.allows("https://evil.example/cb"));
    CHECK_FALSE(loopback.allows("http://localhost.evil.example/cb"));
    CHECK_FALSE(loopback.allows("http://localhost:1@evil.example/cb"));
    CHECK_FALSE(loopback.allows("http://127.0.0.1:1/cb#frag"));
    CHECK_FALSE(loopback.allows("javascript:alert(1)"));
    CHECK_FALSE(loopback.allows("/relative"));
    CHECK_FALSE(loopback.allows("http://127.0.0.1/a b"));
    RedirectPolicy patterns({"http://localhost:*", "https://*.example.com/cb"});
    CHECK(patterns.allows("http://localhost:3000/callback"));
    CHECK(patterns.allows("https://app.example.com/cb"));
    CHECK_FALSE(patterns.allows("https://app.example.com/cb2"));
    CHECK_FALSE(patterns.allows("http://localhost:80@evil.example/"));
    CHECK_FALSE(patterns.allows("http://127.0.0.1:3000/callback"));
    CHECK(glob_match("a*b*c", "aXXbYYc"));
    CHECK_FALSE(glob_match("a*b", "aXXc"));
    CHECK(glob_match("*", ""));
}

TEST_CASE("upstream token responses: JSON, GitHub's form encoding, errors mapped to OAuth errors") {
    plugin::HttpResponse r;
    r.status = 200;
    r.body = R"({"access_token":"at","refresh_token":"rt","expires_in":3600,"scope":"openid"})";
    auto g = parse_token_response(r, 1000);
    CHECK(g.access_token == "at");
    CHECK(g.refresh_token == "rt");
    CHECK(g.expires_at == 4600);
    r.body = "access_token=gho_x&scope=user&token_type=bearer";
    CHECK(parse_token_response(r, 0).access_token == "gho_x");
    auto oauth_error_of = [&](int status, const std::string &body) {
        plugin::HttpResponse e;
        e.status = status;
        e.body = body;
        try {
            parse_token_response(e, 0);
        } catch (const UpstreamError &ex) {
            return ex.oauth_error;
        }
        return std::string("none");
    };
    CHECK(oauth_error_of(200, R"({"error":"bad_verification_code"})") == "invalid_grant");
    CHECK(oauth_error_of(400, R"({"error":"invalid_grant"})") == "invalid_grant");
    CHECK(oauth_error_of(401, R"({"error":"invalid_client"})") == "server_error");
    CHECK(oauth_error_of(503, "down") == "temporarily_unavailable");
    CHECK(oauth_error_of(0, "") == "temporarily_unavailable");
    CHECK(oauth_error_of(200, R"({"token_type":"bearer"})") == "server_error");
}

TEST_CASE("the signing key is HKDF-derived, stable, 32 bytes, and secret-dependent") {
    const std::string a = derive_signing_key("one"), b = derive_signing_key("one"), c = derive_signing_key("two");
    CHECK(a.size() == 32);
    CHECK(a == b);
    CHECK(a != c);
    CHECK_THROWS(derive_signing_key(""));
    ProxyTokens t(a, "http://localhost:8000", "http://localhost:8000/mcp", {"read"});
    ProxyTokenClaims claims;
    claims.subject = "u";
    claims.jti = "j";
    claims.scopes = {"read"};
    claims.issued_at = 1000;
    claims.expires_at = 2000;
    const std::string tok = t.mint(claims);
    CHECK(t.verify(tok, 1500).ok());
    CHECK(t.verify(tok, 2100).reason == FASTMCP_REASON_EXPIRED);
    ProxyTokens other(c, "http://localhost:8000", "http://localhost:8000/mcp", {});
    CHECK(other.verify(tok, 1500).reason == FASTMCP_REASON_BAD_SIGNATURE);
    claims.scopes = {};
    CHECK(t.verify(t.mint(claims), 1500).reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
}
