// The claims policy against an injected "now": leeway edges, issuer, audience, scopes.
#include <doctest/doctest.h>

#include "jose_fixture.hpp"

using namespace fastmcp::jose;
using namespace fastmcp::jose::testing;
using nlohmann::json;

namespace {

fastmcp_reason check(const json &claims, int64_t now, Policy p = good_policy()) {
    return check_claims(claims, p, now).reason;
}

json with(json claims, const char *name, json value) {
    claims[name] = std::move(value);
    return claims;
}
json without(json claims, const char *name) {
    claims.erase(name);
    return claims;
}

} // namespace

TEST_CASE("exp: accepted exactly at exp + leeway, rejected one second later") {
    const json c = with(good_claims(), "exp", kNow);
    CHECK(check(c, kNow + 60) == FASTMCP_REASON_OK);
    CHECK(check(c, kNow + 61) == FASTMCP_REASON_EXPIRED);
    Policy strict = good_policy();
    strict.leeway_seconds = 0;
    CHECK(check(c, kNow, strict) == FASTMCP_REASON_OK);
    CHECK(check(c, kNow + 1, strict) == FASTMCP_REASON_EXPIRED);
    Policy wide = good_policy();
    wide.leeway_seconds = 300;
    CHECK(check(c, kNow + 300, wide) == FASTMCP_REASON_OK);
    CHECK(check(c, kNow + 301, wide) == FASTMCP_REASON_EXPIRED);
    // Fractional NumericDate.
    const json frac = with(good_claims(), "exp", static_cast<double>(kNow) + 0.5);
    CHECK(check(frac, kNow + 60) == FASTMCP_REASON_OK);
    CHECK(check(frac, kNow + 61) == FASTMCP_REASON_EXPIRED);
}

TEST_CASE("nbf: accepted exactly at nbf - leeway, rejected one second earlier") {
    const json c = with(good_claims(), "nbf", kNow + 100);
    CHECK(check(c, kNow + 40) == FASTMCP_REASON_OK);
    CHECK(check(c, kNow + 39) == FASTMCP_REASON_NOT_YET_VALID);
}

TEST_CASE("iat: accepted up to now + leeway, rejected one second further in the future") {
    const json c = with(good_claims(), "iat", kNow + 100);
    CHECK(check(c, kNow + 40) == FASTMCP_REASON_OK);
    CHECK(check(c, kNow + 39) == FASTMCP_REASON_ISSUED_IN_FUTURE);
}

TEST_CASE("exp is required by default and must be numeric; time claims must be numbers") {
    CHECK(check(without(good_claims(), "exp"), kNow) == FASTMCP_REASON_MISSING_CLAIM);
    Policy optional = good_policy();
    optional.require_exp = false;
    CHECK(check(without(good_claims(), "exp"), kNow, optional) == FASTMCP_REASON_OK);
    for (const json &bad : {json("1800000000"), json(true), json(nullptr), json::array({1}), json::object()}) {
        CAPTURE(bad.dump());
        CHECK(check(with(good_claims(), "exp", bad), kNow) == FASTMCP_REASON_BAD_CLAIM);
        CHECK(check(with(good_claims(), "nbf", bad), kNow) == FASTMCP_REASON_BAD_CLAIM);
        CHECK(check(with(good_claims(), "iat", bad), kNow) == FASTMCP_REASON_BAD_CLAIM);
    }
    // Huge values do not overflow into acceptance.
    CHECK(check(with(good_claims(), "exp", -1e300), kNow) == FASTMCP_REASON_EXPIRED);
    CHECK(check(with(good_claims(), "nbf", 1e300), kNow) == FASTMCP_REASON_NOT_YET_VALID);
    CHECK(check(with(good_claims(), "exp", 1e300), kNow) == FASTMCP_REASON_OK);
}

TEST_CASE("iss matches exactly one of the configured issuers") {
    CHECK(check(with(good_claims(), "iss", "https://issuer.example/"), kNow) == FASTMCP_REASON_WRONG_ISSUER);
    CHECK(check(with(good_claims(), "iss", "https://ISSUER.example"), kNow) == FASTMCP_REASON_WRONG_ISSUER);
    CHECK(check(without(good_claims(), "iss"), kNow) == FASTMCP_REASON_MISSING_CLAIM);
    CHECK(check(with(good_claims(), "iss", json::array({"https://issuer.example"})), kNow) ==
          FASTMCP_REASON_BAD_CLAIM);
    Policy two = good_policy();
    two.issuers = {"https://other.example", "https://issuer.example"};
    CHECK(check(good_claims(), kNow, two) == FASTMCP_REASON_OK);
    Policy any = good_policy();
    any.issuers.clear();
    CHECK(check(with(good_claims(), "iss", "https://whoever.example"), kNow, any) == FASTMCP_REASON_OK);
}

TEST_CASE("aud: a string or an array that contains an accepted audience") {
    CHECK(check(with(good_claims(), "aud", json::array({"x", "https://api.example/mcp"})), kNow) ==
          FASTMCP_REASON_OK);
    CHECK(check(with(good_claims(), "aud", "https://api.example/mcp/"), kNow) == FASTMCP_REASON_WRONG_AUDIENCE);
    CHECK(check(with(good_claims(), "aud", json::array({"x", "y"})), kNow) == FASTMCP_REASON_WRONG_AUDIENCE);
    CHECK(check(with(good_claims(), "aud", json::array()), kNow) == FASTMCP_REASON_WRONG_AUDIENCE);
    CHECK(check(without(good_claims(), "aud"), kNow) == FASTMCP_REASON_MISSING_CLAIM);
    CHECK(check(with(good_claims(), "aud", 5), kNow) == FASTMCP_REASON_BAD_CLAIM);
    CHECK(check(with(good_claims(), "aud", json::array({"https://api.example/mcp", 5})), kNow) ==
          FASTMCP_REASON_BAD_CLAIM);
    Policy opt_out = good_policy();
    opt_out.check_audience = false;
    CHECK(check(with(good_claims(), "aud", "https://elsewhere.example"), kNow, opt_out) == FASTMCP_REASON_OK);
    Policy two = good_policy();
    two.audiences = {"a", "https://api.example/mcp"};
    CHECK(check(good_claims(), kNow, two) == FASTMCP_REASON_OK);
}

TEST_CASE("scopes come from scope (space-delimited) or scp (string or array), deduplicated") {
    CHECK(scopes_of(json{{"scope", "a b  a c "}}) == std::vector<std::string>{"a", "b", "c"});
    CHECK(scopes_of(json{{"scp", json::array({"x", "y", "x"})}}) == std::vector<std::string>{"x", "y"});
    CHECK(scopes_of(json{{"scp", "x y"}}) == std::vector<std::string>{"x", "y"});
    CHECK(scopes_of(json{{"scope", "a"}, {"scp", json::array({"b"})}}) == std::vector<std::string>{"a"});
    CHECK(scopes_of(json::object()).empty());
    CHECK(check(with(good_claims(), "scope", json::array({"read"})), kNow) == FASTMCP_REASON_BAD_CLAIM);
    CHECK(check(with(without(good_claims(), "scope"), "scp", 7), kNow) == FASTMCP_REASON_BAD_CLAIM);
}

TEST_CASE("INSUFFICIENT_SCOPE names the missing scopes and keeps the claims") {
    Policy p = good_policy();
    p.required_scopes = {"read", "admin", "delete"};
    const Result r = check_claims(good_claims(), p, kNow);
    CHECK(r.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
    CHECK(r.missing_scopes == std::vector<std::string>{"admin", "delete"});
    CHECK(r.scopes == std::vector<std::string>{"read", "write"});
    CHECK(r.claims["sub"] == "user-1");
    p.required_scopes = {"write", "read"};
    CHECK(check_claims(good_claims(), p, kNow).ok());
    // Through verify: the token verified, so the claims are there for the 403 response.
    p.required_scopes = {"admin"};
    const Result v = verify(mint(Alg::RS256, keys().rsa.get(), "rsa-1"), keys().keyset(), p, kNow);
    CHECK(v.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
    CHECK(v.missing_scopes == std::vector<std::string>{"admin"});
    CHECK(v.claims["sub"] == "user-1");
    // Scope problems never hide an expired token.
    CHECK(check_claims(with(good_claims(), "exp", kNow - 1000), p, kNow).reason == FASTMCP_REASON_EXPIRED);
}

TEST_CASE("verify reports claim failures only after the signature verified") {
    const KeySet set = keys().keyset();
    const std::string expired = mint(Alg::RS256, keys().rsa.get(), "rsa-1", with(good_claims(), "exp", kNow - 61));
    const Result r = verify(expired, set, good_policy(), kNow);
    CHECK(r.reason == FASTMCP_REASON_EXPIRED);
    CHECK(r.claims["sub"] == "user-1"); // for `fastmcp auth check`
    Parts p = split(expired);
    p.signature = p.signature.substr(0, 10) + (p.signature[10] == 'A' ? "B" : "A") + p.signature.substr(11);
    CHECK(verify(join(p), set, good_policy(), kNow).reason == FASTMCP_REASON_BAD_SIGNATURE);
}
