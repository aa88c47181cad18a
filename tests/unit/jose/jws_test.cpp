// Compact JWS structure, algorithm policy and key selection: one test per reason code.
#include <doctest/doctest.h>

#include "jose_fixture.hpp"

using namespace fastmcp::jose;
using namespace fastmcp::jose::testing;
using nlohmann::json;

namespace {

Result verify_default(const std::string &token, Policy p = good_policy()) {
    return verify(token, jwks(), p, kNow);
}

} // namespace

TEST_CASE("a good token verifies and exposes claims, scopes and the key") {
    const std::string token = mint(Alg::RS256, keys().rsa.get(), "rsa-1");
    const Result r = verify_default(token);
    REQUIRE_MESSAGE(r.ok(), reason(r) << " " << r.detail);
    CHECK(r.claims["sub"] == "user-1");
    CHECK(r.scopes == std::vector<std::string>{"read", "write"});
    REQUIRE(r.key);
    CHECK(r.key->kid == "rsa-1");
    struct Case {
        Alg alg;
        EVP_PKEY *key;
        const char *kid;
    };
    for (const Case &c :
         {Case{Alg::PS256, keys().rsa.get(), "rsa-1"}, Case{Alg::RS512, keys().rsa.get(), "rsa-1"},
          Case{Alg::ES256, keys().ec256.get(), "ec-256"},
          Case{Alg::ES384, keys().ec384.get(), "ec-384"},
          Case{Alg::ES512, keys().ec521.get(), "ec-521"},
          Case{Alg::EdDSA, keys().ed.get(), "ed-1"}}) {
        CAPTURE(std::string(alg_name(c.alg)));
        CHECK(verify_default(mint(c.alg, c.key, c.kid), good_policy({c.alg})).ok());
    }
}

TEST_CASE("MISSING_TOKEN and MALFORMED: structure") {
    CHECK(verify_default("").reason == FASTMCP_REASON_MISSING_TOKEN);
    const Parts p = split(mint(Alg::RS256, keys().rsa.get(), "rsa-1"));
    for (const std::string &bad :
         {p.header + "." + p.payload, p.header + "." + p.payload + "." + p.signature + ".",
          p.header + "." + p.payload + "." + p.signature + ".x", std::string("abc"),
          "." + p.payload + "." + p.signature, std::string(".."), std::string("...")}) {
        CAPTURE(bad);
        CHECK(verify_default(bad).reason == FASTMCP_REASON_MALFORMED);
    }
    // Header without alg, with a non-string alg, with a non-string kid.
    CHECK(
        verify_default(b64(json{{"kid", "rsa-1"}}) + "." + p.payload + "." + p.signature).reason ==
        FASTMCP_REASON_MALFORMED);
    CHECK(verify_default(b64(json{{"alg", 1}}) + "." + p.payload + "." + p.signature).reason ==
          FASTMCP_REASON_MALFORMED);
    CHECK(verify_default(b64(json{{"alg", "RS256"}, {"kid", 5}}) + "." + p.payload + "." +
                         p.signature)
              .reason == FASTMCP_REASON_MALFORMED);
}

TEST_CASE("BAD_BASE64: any part that is not strict base64url") {
    const Parts p = split(mint(Alg::RS256, keys().rsa.get(), "rsa-1"));
    CHECK(verify_default(p.header + "=." + p.payload + "." + p.signature).reason ==
          FASTMCP_REASON_BAD_BASE64);
    CHECK(verify_default(p.header + "." + p.payload + "+." + p.signature).reason ==
          FASTMCP_REASON_BAD_BASE64);
    CHECK(verify_default(p.header + "." + p.payload + "." + p.signature + "=").reason ==
          FASTMCP_REASON_BAD_BASE64);
    CHECK(verify_default(p.header + "." + p.payload + " ." + p.signature).reason ==
          FASTMCP_REASON_BAD_BASE64);
    // Non-canonical trailing bits in the signature: same bytes to a lenient decoder, rejected here.
    std::string sig = p.signature;
    REQUIRE(sig.size() % 4 == 2); // 256 bytes -> 342 characters
    sig.back() = sig.back() == 'A' ? 'B' : static_cast<char>(sig.back() + 1);
    CHECK(verify_default(p.header + "." + p.payload + "." + sig).reason ==
          FASTMCP_REASON_BAD_BASE64);
}

TEST_CASE("BAD_JSON: header and payload must be JSON objects without repeated names") {
    const Parts p = split(mint(Alg::RS256, keys().rsa.get(), "rsa-1"));
    CHECK(
        verify_default(b64(std::string("not json")) + "." + p.payload + "." + p.signature).reason ==
        FASTMCP_REASON_BAD_JSON);
    CHECK(verify_default(b64(std::string("[\"RS256\"]")) + "." + p.payload + "." + p.signature)
              .reason == FASTMCP_REASON_BAD_JSON);
    CHECK(verify_default(b64(std::string(R"({"alg":"RS256","alg":"none"})")) + "." + p.payload +
                         "." + p.signature)
              .reason == FASTMCP_REASON_BAD_JSON);
    CHECK(verify_default(p.header + "." + b64(std::string("\"a string\"")) + "." + p.signature)
              .reason == FASTMCP_REASON_BAD_JSON);
    CHECK(verify_default(p.header + "." + b64(std::string(R"({"exp":1,"exp":9999999999})")) + "." +
                         p.signature)
              .reason == FASTMCP_REASON_BAD_JSON);
    CHECK(verify_default(p.header + "." + b64(std::string(R"({"a":{"b":1,"b":2}})")) + "." +
                         p.signature)
              .reason == FASTMCP_REASON_BAD_JSON);
    CHECK(
        verify_default(p.header + "." + b64(std::string(R"({"a":1} trailing)")) + "." + p.signature)
            .reason == FASTMCP_REASON_BAD_JSON);
    // Deep nesting is refused rather than recursed into.
    CHECK(verify_default(p.header + "." + b64(std::string(200, '[') + std::string(200, ']')) + "." +
                         p.signature)
              .reason == FASTMCP_REASON_BAD_JSON);
}

TEST_CASE("TOKEN_TOO_LARGE: the size limit is checked before anything else") {
    Policy p = good_policy();
    p.max_token_bytes = 100;
    CHECK(verify_default(std::string(101, '.'), p).reason == FASTMCP_REASON_TOKEN_TOO_LARGE);
    CHECK(verify_default(mint(Alg::RS256, keys().rsa.get(), "rsa-1"), p).reason ==
          FASTMCP_REASON_TOKEN_TOO_LARGE);
    json big = good_claims();
    big["pad"] = std::string(20000, 'x');
    CHECK(verify_default(mint(Alg::RS256, keys().rsa.get(), "rsa-1", big)).reason ==
          FASTMCP_REASON_TOKEN_TOO_LARGE);
    Policy exact = good_policy();
    const std::string token = mint(Alg::RS256, keys().rsa.get(), "rsa-1");
    exact.max_token_bytes = token.size();
    CHECK(verify_default(token, exact).ok());
}

TEST_CASE("UNSUPPORTED_CRIT: any crit header is refused, even naming a present header") {
    for (const json &crit :
         {json::array({"exp"}), json::array({"b64"}), json::array(), json("x")}) {
        json header = {{"crit", crit}, {"b64", true}, {"exp", 1}};
        const std::string token =
            mint(Alg::RS256, keys().rsa.get(), "rsa-1", good_claims(), header);
        CAPTURE(crit.dump());
        CHECK(verify_default(token).reason == FASTMCP_REASON_UNSUPPORTED_CRIT);
    }
}

TEST_CASE("ALG_NOT_ALLOWED: none, unknown names, and algorithms outside the configuration") {
    const Parts p = split(mint(Alg::RS256, keys().rsa.get(), "rsa-1"));
    for (const char *alg : {"none", "None", "NONE", "rs256", "RS1", "HS1", ""}) {
        CAPTURE(alg);
        CHECK(verify_default(b64(json{{"alg", alg}, {"kid", "rsa-1"}}) + "." + p.payload + ".")
                  .reason == FASTMCP_REASON_ALG_NOT_ALLOWED);
        CHECK(verify_default(b64(json{{"alg", alg}, {"kid", "rsa-1"}}) + "." + p.payload + "." +
                             p.signature)
                  .reason == FASTMCP_REASON_ALG_NOT_ALLOWED);
    }
    // A correctly signed ES256 token when only RS256 is configured.
    CHECK(verify_default(mint(Alg::ES256, keys().ec256.get(), "ec-256")).reason ==
          FASTMCP_REASON_ALG_NOT_ALLOWED);
    // An empty allow-list allows nothing.
    Policy none;
    none.allowed_algs.clear();
    CHECK(verify_default(mint(Alg::RS256, keys().rsa.get(), "rsa-1"), none).reason ==
          FASTMCP_REASON_ALG_NOT_ALLOWED);
}

TEST_CASE("ALG_KEY_MISMATCH, UNKNOWN_KID, NO_MATCHING_KEY: key selection") {
    const Policy both = good_policy({Alg::RS256, Alg::ES256, Alg::ES384});
    // kid names an EC key, token says RS256.
    CHECK(verify_default(mint(Alg::RS256, keys().rsa.get(), "ec-256"), both).reason ==
          FASTMCP_REASON_ALG_KEY_MISMATCH);
    // kid names a P-256 key, token says ES384.
    CHECK(verify_default(mint(Alg::ES384, keys().ec384.get(), "ec-256"), both).reason ==
          FASTMCP_REASON_ALG_KEY_MISMATCH);
    CHECK(verify_default(mint(Alg::RS256, keys().rsa.get(), "rotated-away")).reason ==
          FASTMCP_REASON_UNKNOWN_KID);
    // No kid: fine when exactly one key fits the algorithm...
    CHECK(verify_default(mint(Alg::RS256, keys().rsa.get(), "")).ok());
    CHECK(verify_default(mint(Alg::ES384, keys().ec384.get(), ""), both).ok());
    // ...refused when several do.
    json two_rsa = keys().jwks();
    two_rsa["keys"].push_back(keys().jwk(keys().rsa2.get(), "rsa-2"));
    std::string error;
    const KeySet set = *parse_jwks(two_rsa.dump(), {}, error);
    CHECK(verify(mint(Alg::RS256, keys().rsa.get(), ""), set, good_policy(), kNow).reason ==
          FASTMCP_REASON_NO_MATCHING_KEY);
    CHECK(verify(mint(Alg::RS256, keys().rsa2.get(), "rsa-2"), set, good_policy(), kNow).ok());
    // ...and when none does.
    const KeySet empty;
    CHECK(verify(mint(Alg::RS256, keys().rsa.get(), ""), empty, good_policy(), kNow).reason ==
          FASTMCP_REASON_NO_MATCHING_KEY);
    CHECK(verify(mint(Alg::RS256, keys().rsa.get(), "rsa-1"), empty, good_policy(), kNow).reason ==
          FASTMCP_REASON_UNKNOWN_KID);
    // A hand-built set with two fitting keys under one kid is ambiguous.
    KeySet twins = keys().keyset();
    std::string why;
    twins.keys.push_back(parse_jwk(keys().jwk(keys().rsa2.get(), "rsa-1"), {}, why));
    CHECK(verify(mint(Alg::RS256, keys().rsa.get(), "rsa-1"), twins, good_policy(), kNow).reason ==
          FASTMCP_REASON_NO_MATCHING_KEY);
}

TEST_CASE("BAD_SIGNATURE: tampered payload, header, signature, or another key") {
    const std::string token = mint(Alg::RS256, keys().rsa.get(), "rsa-1");
    Parts p = split(token);
    json claims = good_claims();
    claims["sub"] = "admin";
    CHECK(verify_default(p.header + "." + b64(claims) + "." + p.signature).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify_default(b64(json{{"alg", "RS256"}, {"kid", "rsa-1"}, {"typ", "at+jwt"}}) + "." +
                         p.payload + "." + p.signature)
              .reason == FASTMCP_REASON_BAD_SIGNATURE);
    std::string sig = *base64url_decode(p.signature);
    sig[10] = static_cast<char>(sig[10] ^ 0x01);
    CHECK(verify_default(p.header + "." + p.payload + "." + b64(sig)).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify_default(p.header + "." + p.payload + ".").reason == FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(verify_default(mint(Alg::RS256, keys().rsa2.get(), "rsa-1")).reason ==
          FASTMCP_REASON_BAD_SIGNATURE);
    // RS256 signature relabelled PS256 (same key type): the primitive differs, so it fails.
    const Policy both = good_policy({Alg::RS256, Alg::PS256});
    CHECK(verify_default(b64(json{{"alg", "PS256"}, {"kid", "rsa-1"}, {"typ", "JWT"}}) + "." +
                             p.payload + "." + p.signature,
                         both)
              .reason == FASTMCP_REASON_BAD_SIGNATURE);
}

TEST_CASE("verify_jws checks signatures over any payload; verify insists on JSON claims") {
    const std::string token = mint(Alg::RS256, keys().rsa.get(), "rsa-1");
    CHECK(verify_jws(token, jwks(), good_policy()).ok());
    CHECK(verify_jws(token, jwks(), good_policy()).claims.is_null());
    ParsedJws parsed;
    std::string detail;
    REQUIRE(parse_compact(token, 16384, parsed, detail, false) == FASTMCP_REASON_OK);
    CHECK(nlohmann::json::parse(parsed.payload_bytes)["sub"] == "user-1");
    REQUIRE(parse_compact(token, 16384, parsed, detail) == FASTMCP_REASON_OK);
    CHECK(parsed.payload["sub"] == "user-1");
    CHECK(parsed.kid == "rsa-1");
    CHECK(parsed.alg == Alg::RS256);
    CHECK(parsed.signing_input == token.substr(0, token.rfind('.')));
    CHECK(parsed.signature.size() == 256);
}
