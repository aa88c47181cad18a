// The verified-token cache, through JWTVerifier (the path every bearer provider shares) and on
// its own: a hit gives the same verdict without a full verification; exp, nbf and the TTL are
// honoured to the second; key rotation drops exactly the entries of removed keys; a policy change
// drops everything; size 0 disables; the bound holds; concurrent hits are safe. Plus the shared
// bearer settings (TOKEN_CACHE_SIZE / TOKEN_CACHE_TTL) in all three schemas.
#include "../jwks/fake_host.hpp"

#include "fastmcp/authkit/settings_schema.hpp"
#include "fastmcp/jwt/jwt_verifier.hpp"
#include "fastmcp/jwt/token_cache.hpp"
#include "fastmcp/supabase/settings_schema.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

using namespace fastmcp;
using fastmcp::testing::FakeHost;
using fastmcp::testing::jwks_of;
using fastmcp::testing::rsa_key;
using nlohmann::json;

namespace {

const std::string kUri = "https://issuer.test/jwks";
const std::string kIssuer = "https://issuer.test";
const std::string kAudience = "https://api.test/mcp";

json settings(json extra = json::object()) {
    json s = {{"jwks_uri", kUri},    {"issuer", {kIssuer}}, {"audience", {kAudience}},
              {"algorithm", {"RS256"}}, {"leeway", 0},       {"jwks_refetch_min_interval", 10}};
    for (auto &[k, v] : extra.items()) s[k] = v;
    return s;
}

struct Fixture {
    FakeHost fake;
    std::unique_ptr<jwt::JWTVerifier> verifier;
    explicit Fixture(json extra = json::object(), std::vector<json> keys = {rsa_key(1).jwk()}) {
        fake.serve(kUri, 200, jwks_of(keys));
        verifier = std::make_unique<jwt::JWTVerifier>(fake.host(), settings(std::move(extra)).dump(),
                                                      jwt::JwtBuildOptions{false});
    }
    plugin::Verdict verify(const std::string &token) { return verifier->verify(token); }
    uint64_t verifications() { return verifier->core().full_verifications(); }
    json claims(int64_t exp_in = 300) const {
        const int64_t now = fake.now_s();
        return {{"iss", kIssuer}, {"sub", "user_1"}, {"aud", kAudience},
                {"iat", now},     {"exp", now + exp_in}, {"scope", "read write"}};
    }
    void rotate(std::vector<json> keys) {
        fake.serve(kUri, 200, jwks_of(keys));
        verifier->core().key_source()->refresh_now();
    }
};

jwt::TokenDigest digest_of(int i) {
    jwt::TokenDigest d{};
    for (size_t b = 0; b < d.size(); ++b) d[b] = static_cast<unsigned char>((i * 131 + b * 7) ^ (i >> 3));
    std::memcpy(d.data(), &i, sizeof i);
    std::memcpy(d.data() + 8, &i, sizeof i);
    return d;
}

} // namespace

TEST_CASE("a hit returns the same verdict, sharing the verified token, without a verification") {
    Fixture f;
    const std::string token = rsa_key(1).sign(f.claims());
    auto first = f.verify(token);
    REQUIRE(first.reason == FASTMCP_REASON_OK);
    CHECK(f.verifications() == 1);
    auto second = f.verify(token);
    CHECK(second.reason == FASTMCP_REASON_OK);
    CHECK(second.token == first.token); // the same immutable object, not a copy
    CHECK(second.token->token == token);
    CHECK(f.verifications() == 1);
    CHECK(f.verifier->core().token_cache().size() == 1);
}

TEST_CASE("a cached token stops being accepted exactly when exp + leeway passes") {
    for (int leeway : {0, 60}) {
        CAPTURE(leeway);
        Fixture cached(json{{"leeway", leeway}});
        Fixture uncached(json{{"leeway", leeway}, {"token_cache_size", 0}});
        const std::string token = rsa_key(1).sign(cached.claims(100));
        const int64_t exp = cached.fake.now_s() + 100;
        REQUIRE(cached.verify(token).reason == FASTMCP_REASON_OK);
        // The last accepted millisecond: now (in whole seconds) == exp + leeway.
        const int64_t last_ok_ms = (exp + leeway) * 1000 + 999;
        cached.fake.now_ms = last_ok_ms;
        uncached.fake.now_ms = last_ok_ms;
        CHECK(cached.verify(token).reason == FASTMCP_REASON_OK);
        CHECK(uncached.verify(token).reason == FASTMCP_REASON_OK);
        CHECK(cached.verifications() == 1); // still a hit
        cached.fake.now_ms = last_ok_ms + 1;
        uncached.fake.now_ms = last_ok_ms + 1;
        CHECK(cached.verify(token).reason == FASTMCP_REASON_EXPIRED);
        CHECK(uncached.verify(token).reason == FASTMCP_REASON_EXPIRED);
        CHECK(cached.verify(token).reason == FASTMCP_REASON_EXPIRED); // not cached either
    }
}

TEST_CASE("the TTL: a token is verified again exactly TOKEN_CACHE_TTL after it was cached") {
    Fixture f(json{{"token_cache_ttl", 2}});
    const std::string token = rsa_key(1).sign(f.claims());
    REQUIRE(f.verify(token).reason == FASTMCP_REASON_OK);
    f.fake.advance_ms(1999);
    CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    CHECK(f.verifications() == 1);
    f.fake.advance_ms(1);
    CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    CHECK(f.verifications() == 2); // re-verified, and cached again
    CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    CHECK(f.verifications() == 2);
}

TEST_CASE("nbf is rechecked on every hit (the clock stepped back)") {
    Fixture f;
    json c = f.claims();
    c["nbf"] = f.fake.now_s();
    c["iat"] = f.fake.now_s() - 10;
    const std::string token = rsa_key(1).sign(c);
    REQUIRE(f.verify(token).reason == FASTMCP_REASON_OK);
    f.fake.advance_s(-1);
    CHECK(f.verify(token).reason == FASTMCP_REASON_NOT_YET_VALID);
    CHECK(f.verifications() == 2);
}

TEST_CASE("rotation: a removed key's tokens are re-verified and rejected with unknown kid") {
    Fixture f;
    const std::string token = rsa_key(1).sign(f.claims());
    REQUIRE(f.verify(token).reason == FASTMCP_REASON_OK);
    f.rotate({rsa_key(2).jwk()});
    CHECK(f.verify(token).reason == FASTMCP_REASON_UNKNOWN_KID);
    CHECK(f.verifications() == 2);
    CHECK(f.verifier->core().token_cache().size() == 0);
}

TEST_CASE("rotation: a key that stays keeps its entries (its object survives the refresh)") {
    Fixture f;
    const std::string token = rsa_key(1).sign(f.claims());
    REQUIRE(f.verify(token).reason == FASTMCP_REASON_OK);
    const auto before = f.verifier->core().key_source()->current();
    f.rotate({rsa_key(2).jwk(), rsa_key(1).jwk()});
    const auto after = f.verifier->core().key_source()->current();
    REQUIRE(after != before);
    CHECK(after->find("rsa-1") == before->find("rsa-1"));
    CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    CHECK(f.verifications() == 1);
    // And a token of the new key is verified (and cached) as usual.
    const std::string token2 = rsa_key(2).sign(f.claims());
    CHECK(f.verify(token2).reason == FASTMCP_REASON_OK);
    CHECK(f.verify(token2).reason == FASTMCP_REASON_OK);
    CHECK(f.verifications() == 2);
}

TEST_CASE("a key replaced under the same kid invalidates the entries it verified") {
    Fixture f;
    const std::string token = rsa_key(1).sign(f.claims());
    REQUIRE(f.verify(token).reason == FASTMCP_REASON_OK);
    json impostor = rsa_key(2).jwk();
    impostor["kid"] = "rsa-1";
    f.rotate({impostor});
    CHECK(f.verify(token).reason == FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(f.verifications() == 2);
}

TEST_CASE("the key set dropped (stale limit): cached tokens are not accepted without keys") {
    Fixture f;
    const std::string token = rsa_key(1).sign(f.claims(100'000));
    REQUIRE(f.verify(token).reason == FASTMCP_REASON_OK);
    f.fake.down(kUri);
    f.fake.advance_s(600 + 24 * 3600); // past TTL + max_stale
    f.verifier->core().key_source()->tick();
    REQUIRE(f.verifier->core().key_source()->current() == nullptr);
    CHECK(f.verify(token).reason == FASTMCP_REASON_JWKS_UNAVAILABLE);
}

TEST_CASE("a policy change (discovery set another issuer) drops cached verdicts") {
    Fixture f;
    const std::string token = rsa_key(1).sign(f.claims());
    REQUIRE(f.verify(token).reason == FASTMCP_REASON_OK);
    f.verifier->core().set_issuer("https://other.test");
    CHECK(f.verify(token).reason == FASTMCP_REASON_WRONG_ISSUER);
}

TEST_CASE("insufficient scope is a verified verdict and is cached with its scope list") {
    Fixture f(json{{"required_scopes", {"admin"}}});
    const std::string token = rsa_key(1).sign(f.claims());
    auto first = f.verify(token);
    REQUIRE(first.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
    auto second = f.verify(token);
    CHECK(second.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE);
    CHECK(second.required_scope == "admin");
    CHECK(second.description == first.description);
    CHECK(f.verifications() == 1);
}

TEST_CASE("rejections are not cached") {
    Fixture f;
    std::string token = rsa_key(1).sign(f.claims());
    token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
    CHECK(f.verify(token).reason == FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(f.verify(token).reason == FASTMCP_REASON_BAD_SIGNATURE);
    CHECK(f.verifications() == 2);
    CHECK(f.verifier->core().token_cache().size() == 0);
}

TEST_CASE("TOKEN_CACHE_SIZE=0 disables the cache: every call verifies") {
    Fixture f(json{{"token_cache_size", "0"}});
    const std::string token = rsa_key(1).sign(f.claims());
    for (int i = 0; i < 3; ++i) CHECK(f.verify(token).reason == FASTMCP_REASON_OK);
    CHECK(f.verifications() == 3);
    CHECK_FALSE(f.verifier->core().token_cache().enabled());
}

TEST_CASE("the bound holds: distinct tokens beyond TOKEN_CACHE_SIZE evict older ones") {
    Fixture f(json{{"token_cache_size", 4}});
    std::vector<std::string> tokens;
    for (int i = 0; i < 20; ++i) {
        json c = f.claims();
        c["jti"] = "t" + std::to_string(i);
        tokens.push_back(rsa_key(1).sign(c));
    }
    for (const auto &t : tokens) REQUIRE(f.verify(t).reason == FASTMCP_REASON_OK);
    CHECK(f.verifier->core().token_cache().size() <= 4);
    CHECK(f.verifications() == 20);
    for (const auto &t : tokens) REQUIRE(f.verify(t).reason == FASTMCP_REASON_OK);
    CHECK(f.verifications() >= 36); // at most 4 of the 20 could still be cached
}

TEST_CASE("TokenCache on its own: the capacity is exact over the shards, LRU within a shard") {
    jwt::TokenCacheOptions o;
    o.max_entries = 10;
    o.shards = 4;
    jwt::TokenCache cache(o);
    REQUIRE(cache.enabled());
    auto entry = [] {
        jwt::CachedVerdict v;
        v.verdict = plugin::Verdict::ok(std::make_shared<plugin::VerifiedToken>());
        return v;
    };
    jwt::HitCheck check;
    for (int i = 0; i < 200; ++i) cache.insert(digest_of(i), entry(), 0);
    CHECK(cache.size() == 10);
    // One shard of capacity 1 (a cache of 1 entry): the newest replaces the oldest.
    jwt::TokenCacheOptions one;
    one.max_entries = 1;
    jwt::TokenCache single(one);
    single.insert(digest_of(1), entry(), 0);
    single.insert(digest_of(2), entry(), 0);
    CHECK_FALSE(single.find(digest_of(1), check));
    CHECK(single.find(digest_of(2), check));
    // LRU: a looked-up entry survives the next insertion, the other one goes.
    jwt::TokenCacheOptions two;
    two.max_entries = 2;
    two.shards = 1;
    jwt::TokenCache lru(two);
    lru.insert(digest_of(1), entry(), 0);
    lru.insert(digest_of(2), entry(), 0);
    CHECK(lru.find(digest_of(1), check));
    lru.insert(digest_of(3), entry(), 0);
    CHECK(lru.find(digest_of(1), check));
    CHECK_FALSE(lru.find(digest_of(2), check));
    CHECK(lru.find(digest_of(3), check));
    lru.clear();
    CHECK(lru.size() == 0);
}

TEST_CASE("the digest is SHA-256 of the token bytes") {
    jwt::TokenCache cache(jwt::TokenCacheOptions{});
    jwt::TokenDigest d;
    REQUIRE(cache.digest("abc", d));
    const unsigned char expected[] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                      0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23};
    CHECK(std::memcmp(d.data(), expected, sizeof expected) == 0);
}

TEST_CASE("concurrent hits and misses from several threads agree and stay bounded") {
    Fixture f(json{{"token_cache_size", 6}});
    std::vector<std::string> tokens;
    for (int i = 0; i < 8; ++i) {
        json c = f.claims();
        c["jti"] = "c" + std::to_string(i);
        tokens.push_back(rsa_key(1).sign(c));
    }
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                const std::string &token = tokens[(i + t) % tokens.size()];
                auto v = f.verify(token);
                if (v.reason != FASTMCP_REASON_OK || !v.token || v.token->token != token) ++wrong;
            }
        });
    for (auto &th : threads) th.join();
    CHECK(wrong.load() == 0);
    CHECK(f.verifier->core().token_cache().size() <= 6);
    CHECK(f.verifications() < 1200); // hits happened
}

TEST_CASE("TOKEN_CACHE_SIZE / TOKEN_CACHE_TTL: validated, named in errors, in all three schemas") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    auto error = [&](json extra) -> std::string {
        try {
            jwt::JWTVerifier v(fake.host(), settings(std::move(extra)).dump(), jwt::JwtBuildOptions{false});
        } catch (const plugin::ConfigError &e) {
            return e.message;
        }
        return "";
    };
    CHECK(error(json{{"token_cache_size", -1}}).find("FASTMCP_SERVER_AUTH_JWT_TOKEN_CACHE_SIZE") == 0);
    CHECK(error(json{{"token_cache_size", "lots"}}).find("TOKEN_CACHE_SIZE: not an integer") != std::string::npos);
    CHECK(error(json{{"token_cache_ttl", 2 * 86400}}).find("FASTMCP_SERVER_AUTH_JWT_TOKEN_CACHE_TTL") == 0);
    CHECK(error(json{{"token_cache_size", 100}, {"token_cache_ttl", 60}}).empty());

    auto has = [](const auto &fields, const char *name, const char *default_value) {
        for (const auto &field : fields)
            if (std::string(field.name) == name)
                return std::string(field.default_value ? field.default_value : "") == default_value;
        return false;
    };
    for (const char *name : {"TOKEN_CACHE_SIZE", "TOKEN_CACHE_TTL", "JWKS_CACHE_TTL", "LEEWAY"}) {
        CAPTURE(name);
        const char *def = std::string(name) == "TOKEN_CACHE_SIZE" ? "10000"
                          : std::string(name) == "TOKEN_CACHE_TTL" ? "300"
                          : std::string(name) == "LEEWAY"          ? "60"
                                                                   : "600";
        CHECK(has(jwt::kJwtFields, name, def));
        CHECK(has(authkit::kFields, name, def));
        CHECK(has(supabase::kFields, name, def));
    }
    CHECK(jwt::kJwtFieldCount == jwt::kJwtFields.size());
    CHECK(std::string(authkit::kFields[0].name) == "AUTHKIT_DOMAIN");
    CHECK(std::string(supabase::kFields[supabase::kFieldCount - 1].name) == "RESOURCE_DOCUMENTATION");
}
