// The bearer fast path (verify_bearer: a single-pass parse that keeps only the registered claims)
// must reach exactly the verdict of the DOM path (verify: strict DOM, then check_claims), for
// good payloads and for every way a payload can be malformed or carry a mistyped claim.
#include <doctest/doctest.h>

#include "jose_fixture.hpp"

#include <openssl/evp.h>

using namespace fastmcp::jose;
using namespace fastmcp::jose::testing;
using nlohmann::json;

namespace {

const std::string kSecret = std::string(32, 's') + "-registered-claims";

const KeySet &secret_keys() {
    static const KeySet set = [] {
        KeySet s;
        s.keys.push_back(key_from_secret(kSecret));
        return s;
    }();
    return set;
}

// An HS256 token over exactly `payload` (raw text: it may be anything, valid JSON or not).
std::string token_over(const std::string &payload) {
    const std::string input = b64(std::string(R"({"alg":"HS256","typ":"JWT"})")) + "." + b64(payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, kSecret.data(), kSecret.size(),
                      reinterpret_cast<const unsigned char *>(input.data()), input.size(), mac, sizeof mac,
                      &mac_len));
    return input + "." + b64(std::string(reinterpret_cast<const char *>(mac), mac_len));
}

Policy hs_policy() { return good_policy({Alg::HS256}); }

// The members good_claims() has, as text, so a case can add to or replace them.
const std::string kIss = R"("iss":"https://issuer.example")";
const std::string kAud = R"("aud":"https://api.example/mcp")";
const std::string kSub = R"("sub":"user-1")";
const std::string kExp = R"("exp":1700000600)";
const std::string kIat = R"("iat":1699999990)";
const std::string kScope = R"("scope":"read write")";

std::string object(std::initializer_list<std::string> members) {
    std::string out = "{";
    for (const auto &m : members) {
        if (out.size() > 1) out += ",";
        out += m;
    }
    return out + "}";
}

// The registered claims minus the good ones, replaced or added by `extra`.
std::string claims_with(const std::string &extra, bool exp = true) {
    return exp ? object({kIss, kAud, kSub, kExp, kIat, extra}) : object({kIss, kAud, kSub, kIat, extra});
}

std::string nested_arrays(int depth) { return std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']'); }

bool same_value(const ClaimValue &a, const ClaimValue &b) {
    return a.kind == b.kind && a.number == b.number && a.text == b.text && a.strings == b.strings &&
           a.only_strings == b.only_strings;
}

void check_same_claims(const RegisteredClaims &a, const RegisteredClaims &b) {
    CHECK(same_value(a.exp, b.exp));
    CHECK(same_value(a.nbf, b.nbf));
    CHECK(same_value(a.iat, b.iat));
    CHECK(same_value(a.iss, b.iss));
    CHECK(same_value(a.sub, b.sub));
    CHECK(same_value(a.aud, b.aud));
    CHECK(same_value(a.scope, b.scope));
    CHECK(same_value(a.scp, b.scp));
    CHECK(same_value(a.client_id, b.client_id));
    CHECK(same_value(a.azp, b.azp));
}

struct Case {
    const char *name;
    std::string payload;
    fastmcp_reason expected;
};

// Both paths, same token: same reason, scopes, missing scopes, and the same extracted claims
// (the fast path's parse against the DOM's conversion).
void check_agreement(const Case &c, const Policy &policy) {
    CAPTURE(c.name);
    CAPTURE(c.payload);
    const std::string token = token_over(c.payload);
    const Result dom = verify(token, secret_keys(), policy, kNow);
    const Result fast = verify_bearer(token, secret_keys(), policy, kNow);
    CHECK(dom.reason == c.expected);
    CHECK(fast.reason == dom.reason);
    CHECK(fast.scopes == dom.scopes);
    CHECK(fast.missing_scopes == dom.missing_scopes);
    CHECK(fast.claims.is_null());
    CHECK((fast.key != nullptr) == (dom.key != nullptr));
    CHECK(fast.registered.has_value() == dom.registered.has_value());
    if (fast.registered && dom.registered) {
        check_same_claims(*fast.registered, *dom.registered);
        CHECK(fast.claims_text == c.payload);
        // And the public DOM check (used by tools) agrees with both.
        CHECK(check_claims(dom.claims, policy, kNow).reason == dom.reason);
    }
    // The parse alone: accepted exactly when the DOM parse accepts.
    RegisteredClaims parsed;
    const bool json_ok = dom.reason != FASTMCP_REASON_BAD_JSON;
    CHECK(parse_registered_claims(c.payload, parsed) == json_ok);
}

std::vector<Case> cases() {
    std::string many_names; // past the linear search: the ordered-set path
    for (int i = 0; i < 40; ++i) many_names += ",\"n" + std::to_string(i) + "\":" + std::to_string(i);
    return {
        {"good", claims_with(kScope), FASTMCP_REASON_OK},
        {"extra members of every type", claims_with(kScope + R"(,"o":{"a":[1,2.5,true,null,"x",{"b":{}}]},"e":[],"f":{})"),
         FASTMCP_REASON_OK},
        // Strict JSON: duplicates at any depth, nesting, top level, grammar.
        {"duplicate at top level", claims_with(kScope + "," + kSub), FASTMCP_REASON_BAD_JSON},
        {"duplicate exp", claims_with(kScope + R"(,"exp":9999999999)"), FASTMCP_REASON_BAD_JSON},
        {"duplicate nested", claims_with(kScope + R"(,"o":{"a":1,"a":2})"), FASTMCP_REASON_BAD_JSON},
        {"duplicate in an object in an array", claims_with(kScope + R"(,"o":[{"a":1},{"b":1,"b":2}])"),
         FASTMCP_REASON_BAD_JSON},
        {"duplicate deep", claims_with(kScope + R"(,"o":{"p":{"q":{"r":1,"r":1}}})"), FASTMCP_REASON_BAD_JSON},
        {"same names in sibling objects", claims_with(kScope + R"(,"o":{"sub":1,"a":1},"p":{"sub":2,"a":2})"),
         FASTMCP_REASON_OK},
        {"a parent's name repeated after a nested object", claims_with(kScope + R"(,"o":{"a":1},"o":2)"),
         FASTMCP_REASON_BAD_JSON},
        {"a nested name reused by the parent", claims_with(kScope + R"(,"o":{"x":1},"x":2)"), FASTMCP_REASON_OK},
        {"escaped duplicate (\\u0065xp is exp)", claims_with(kScope + R"(,"\u0065xp":1700000600)"),
         FASTMCP_REASON_BAD_JSON},
        {"many names", claims_with(kScope + many_names), FASTMCP_REASON_OK},
        {"many names, one repeated late", claims_with(kScope + many_names + R"(,"n7":0)"), FASTMCP_REASON_BAD_JSON},
        {"many names nested, repeated", claims_with(kScope + ",\"o\":{\"z\":0" + many_names + ",\"z\":1}"),
         FASTMCP_REASON_BAD_JSON},
        {"nesting 32 (top object + 31 arrays)", claims_with(kScope + ",\"d\":" + nested_arrays(31)),
         FASTMCP_REASON_OK},
        {"nesting 33", claims_with(kScope + ",\"d\":" + nested_arrays(32)), FASTMCP_REASON_BAD_JSON},
        {"nesting 33 in a registered claim", claims_with(kScope + ",\"aud\":" + nested_arrays(32)),
         FASTMCP_REASON_BAD_JSON},
        {"top-level array", "[" + claims_with(kScope) + "]", FASTMCP_REASON_BAD_JSON},
        {"top-level string", R"("exp")", FASTMCP_REASON_BAD_JSON},
        {"top-level number", "1700000600", FASTMCP_REASON_BAD_JSON},
        {"top-level null", "null", FASTMCP_REASON_BAD_JSON},
        {"empty", "", FASTMCP_REASON_BAD_JSON},
        {"trailing data", claims_with(kScope) + " {}", FASTMCP_REASON_BAD_JSON},
        {"trailing comma", claims_with(kScope + ","), FASTMCP_REASON_BAD_JSON},
        {"comment", claims_with(kScope) + "/* x */", FASTMCP_REASON_BAD_JSON},
        {"single quotes", claims_with("'a':1"), FASTMCP_REASON_BAD_JSON},
        {"leading zero", claims_with(kScope + R"(,"n":01)"), FASTMCP_REASON_BAD_JSON},
        {"NaN", claims_with(kScope + R"(,"n":NaN)"), FASTMCP_REASON_BAD_JSON},
        {"1e400 (overflows a double)", claims_with(kScope + R"(,"n":1e400)"), FASTMCP_REASON_BAD_JSON},
        {"-1e400 as exp", object({kIss, kAud, kScope, R"("exp":-1e400)"}), FASTMCP_REASON_BAD_JSON},
        {"1e-400 (underflows to 0)", claims_with(kScope + R"(,"nbf":1e-400)"), FASTMCP_REASON_OK},
        {"nbf 2^64 (past uint64)", claims_with(kScope + R"(,"nbf":18446744073709551616)"),
         FASTMCP_REASON_NOT_YET_VALID},
        {"exp 2^64 - 1", object({kIss, kAud, kScope, R"("exp":18446744073709551615)"}), FASTMCP_REASON_OK},
        {"exp -2^63", object({kIss, kAud, kScope, R"("exp":-9223372036854775808)"}), FASTMCP_REASON_EXPIRED},
        {"invalid UTF-8 in a value", claims_with(kScope + ",\"x\":\"a\xff" "b\""), FASTMCP_REASON_BAD_JSON},
        {"invalid UTF-8 in a name", claims_with(kScope + ",\"\xc3\":1"), FASTMCP_REASON_BAD_JSON},
        {"overlong UTF-8", claims_with(kScope + ",\"x\":\"\xc0\xaf\""), FASTMCP_REASON_BAD_JSON},
        {"UTF-8 encoded surrogate", claims_with(kScope + ",\"x\":\"\xed\xa0\x80\""), FASTMCP_REASON_BAD_JSON},
        {"lone high surrogate escape", claims_with(kScope + R"(,"x":"\ud800")"), FASTMCP_REASON_BAD_JSON},
        {"lone low surrogate escape", claims_with(kScope + R"(,"x":"\udc00")"), FASTMCP_REASON_BAD_JSON},
        {"valid surrogate pair and UTF-8", claims_with(kScope + ",\"x\":\"\\ud83d\\ude00 \xc3\xa9\""),
         FASTMCP_REASON_OK},
        {"unescaped control character", claims_with(kScope + ",\"x\":\"a\x01" "b\""), FASTMCP_REASON_BAD_JSON},
        {"bad escape", claims_with(kScope + R"(,"x":"\q")"), FASTMCP_REASON_BAD_JSON},
        // Registered claims with the wrong JSON type.
        {"exp a string", claims_with(kScope + R"(,"exp":"1700000600")", false), FASTMCP_REASON_BAD_CLAIM},
        {"exp a boolean", claims_with(kScope + R"(,"exp":true)", false), FASTMCP_REASON_BAD_CLAIM},
        {"exp null", claims_with(kScope + R"(,"exp":null)", false), FASTMCP_REASON_BAD_CLAIM},
        {"exp an array", claims_with(kScope + R"(,"exp":[1700000600])", false), FASTMCP_REASON_BAD_CLAIM},
        {"exp fractional, in time", claims_with(kScope + R"(,"exp":1700000000.5)", false), FASTMCP_REASON_OK},
        {"exp fractional, expired", claims_with(kScope + R"(,"exp":1699999939.5)", false), FASTMCP_REASON_EXPIRED},
        {"exp with an exponent", claims_with(kScope + R"(,"exp":1.7000006E9)", false), FASTMCP_REASON_OK},
        {"escaped exp name, wrong type", claims_with(kScope + R"(,"\u0065xp":"soon")", false),
         FASTMCP_REASON_BAD_CLAIM},
        {"missing exp", claims_with(kScope, false), FASTMCP_REASON_MISSING_CLAIM},
        {"nbf a string", claims_with(kScope + R"(,"nbf":"0")"), FASTMCP_REASON_BAD_CLAIM},
        {"nbf in the future", claims_with(kScope + R"(,"nbf":1700000100)"), FASTMCP_REASON_NOT_YET_VALID},
        {"iat an object", object({kIss, kAud, kSub, kExp, kScope, R"("iat":{})"}), FASTMCP_REASON_BAD_CLAIM},
        {"iat in the future", object({kIss, kAud, kSub, kExp, kScope, R"("iat":1700000100)"}),
         FASTMCP_REASON_ISSUED_IN_FUTURE},
        {"iss missing", object({kAud, kSub, kExp, kScope}), FASTMCP_REASON_MISSING_CLAIM},
        {"iss a number", object({R"("iss":1)", kAud, kSub, kExp, kScope}), FASTMCP_REASON_BAD_CLAIM},
        {"iss an array", object({R"("iss":["https://issuer.example"])", kAud, kSub, kExp, kScope}),
         FASTMCP_REASON_BAD_CLAIM},
        {"iss other", object({R"("iss":"https://other.example")", kAud, kSub, kExp, kScope}),
         FASTMCP_REASON_WRONG_ISSUER},
        {"aud missing", object({kIss, kSub, kExp, kScope}), FASTMCP_REASON_MISSING_CLAIM},
        {"aud array, accepted one inside", object({kIss, R"("aud":["x","https://api.example/mcp"])", kExp, kScope}),
         FASTMCP_REASON_OK},
        {"aud array, none accepted", object({kIss, R"("aud":["x","y"])", kExp, kScope}),
         FASTMCP_REASON_WRONG_AUDIENCE},
        {"aud empty array", object({kIss, R"("aud":[])", kExp, kScope}), FASTMCP_REASON_WRONG_AUDIENCE},
        {"aud mixed array", object({kIss, R"("aud":["https://api.example/mcp",1])", kExp, kScope}),
         FASTMCP_REASON_BAD_CLAIM},
        {"aud array with a nested array", object({kIss, R"("aud":["https://api.example/mcp",["x"]])", kExp, kScope}),
         FASTMCP_REASON_BAD_CLAIM},
        {"aud array with an object", object({kIss, R"("aud":[{"a":"https://api.example/mcp"}])", kExp, kScope}),
         FASTMCP_REASON_BAD_CLAIM},
        {"aud a number", object({kIss, R"("aud":1)", kExp, kScope}), FASTMCP_REASON_BAD_CLAIM},
        {"aud null", object({kIss, R"("aud":null)", kExp, kScope}), FASTMCP_REASON_BAD_CLAIM},
        {"aud other string", object({kIss, R"("aud":"https://other/mcp")", kExp, kScope}),
         FASTMCP_REASON_WRONG_AUDIENCE},
        {"scope a number", claims_with(R"("scope":1)"), FASTMCP_REASON_BAD_CLAIM},
        {"scope an array", claims_with(R"("scope":["read"])"), FASTMCP_REASON_BAD_CLAIM},
        {"scope null", claims_with(R"("scope":null)"), FASTMCP_REASON_BAD_CLAIM},
        {"scope wins over scp", claims_with(R"("scope":"a b a","scp":1)"), FASTMCP_REASON_OK},
        {"scp a string", claims_with(R"("scp":"read  write")"), FASTMCP_REASON_OK},
        {"scp an array", claims_with(R"("scp":["read","write","read"])"), FASTMCP_REASON_OK},
        {"scp an array with a non-string", claims_with(R"("scp":["read",2])"), FASTMCP_REASON_BAD_CLAIM},
        {"scp an object", claims_with(R"("scp":{"read":true})"), FASTMCP_REASON_BAD_CLAIM},
        {"sub, client_id, azp of other types", claims_with(kScope + R"(,"client_id":5,"azp":[],"x":"y")"),
         FASTMCP_REASON_OK},
    };
}

} // namespace

TEST_CASE("verify_bearer and verify agree on every payload (reason, scopes, extracted claims)") {
    for (const Case &c : cases()) check_agreement(c, hs_policy());
}

TEST_CASE("they agree under other policies too: exp optional, scopes required, no issuer or audience") {
    Policy optional_exp = hs_policy();
    optional_exp.require_exp = false;
    check_agreement({"missing exp, not required", claims_with(kScope, false), FASTMCP_REASON_OK}, optional_exp);
    check_agreement({"exp a string, not required", claims_with(kScope + R"(,"exp":"x")", false),
                     FASTMCP_REASON_BAD_CLAIM},
                    optional_exp);

    Policy scoped = hs_policy();
    scoped.required_scopes = {"write", "admin"};
    check_agreement({"missing a scope", claims_with(kScope), FASTMCP_REASON_INSUFFICIENT_SCOPE}, scoped);
    check_agreement({"scp array has them", claims_with(R"("scp":["admin","write"])"), FASTMCP_REASON_OK}, scoped);
    check_agreement({"no scope claim", claims_with(R"("x":1)"), FASTMCP_REASON_INSUFFICIENT_SCOPE}, scoped);

    Policy open = hs_policy();
    open.issuers.clear();
    open.audiences.clear();
    check_agreement({"iss and aud unchecked", object({R"("iss":5)", R"("aud":[1])", kExp}), FASTMCP_REASON_OK}, open);
    open.check_audience = false;
    open.audiences = {"https://api.example/mcp"};
    check_agreement({"audience opt-out", object({kExp, R"("aud":7)"}), FASTMCP_REASON_OK}, open);
}

TEST_CASE("the fast path extracts the registered claims with their JSON types") {
    RegisteredClaims c;
    REQUIRE(parse_registered_claims(
        R"({"\u0065xp":1.5,"nbf":true,"iss":"i\u00e9","aud":["a",1,"b",[2]],"scp":[],"client_id":null,)"
        R"("azp":{"x":1},"sub":"s","o":{"exp":"nested: not the claim"}})",
        c));
    CHECK(c.exp.kind == ClaimValue::Kind::Number);
    CHECK(c.exp.number == 1.5);
    CHECK(c.nbf.kind == ClaimValue::Kind::Boolean);
    CHECK(c.iat.kind == ClaimValue::Kind::Absent);
    CHECK(c.iss.text == "i\xc3\xa9");
    CHECK(c.aud.kind == ClaimValue::Kind::Array);
    CHECK(c.aud.strings == std::vector<std::string>{"a", "b"});
    CHECK_FALSE(c.aud.only_strings);
    CHECK(c.scp.is_string_array());
    CHECK(c.client_id.kind == ClaimValue::Kind::Null);
    CHECK(c.azp.kind == ClaimValue::Kind::Object);
    CHECK(c.sub.text == "s");
    CHECK(c.scope.kind == ClaimValue::Kind::Absent);
    // A failed parse leaves nothing behind.
    CHECK_FALSE(parse_registered_claims(R"({"sub":"s","sub":"t"})", c));
    CHECK(c.sub.kind == ClaimValue::Kind::Absent);
}

TEST_CASE("verify_bearer keeps no DOM, not even the header's") {
    const std::string token = token_over(claims_with(kScope));
    ParsedJws parsed;
    std::string detail;
    REQUIRE(parse_compact(token, 16 * 1024, parsed, detail, PayloadMode::Registered) == FASTMCP_REASON_OK);
    CHECK(parsed.header.is_null());
    CHECK(parsed.payload.is_null());
    REQUIRE(parsed.registered);
    CHECK(parsed.registered->sub.text == "user-1");
    CHECK(parsed.alg == Alg::HS256);
    // The DOM mode right after (the header memo is warm) still hands out the header.
    REQUIRE(parse_compact(token, 16 * 1024, parsed, detail, PayloadMode::Dom) == FASTMCP_REASON_OK);
    CHECK(parsed.header["alg"] == "HS256");
    CHECK(parsed.payload["sub"] == "user-1");
    CHECK_FALSE(parsed.registered);
}
