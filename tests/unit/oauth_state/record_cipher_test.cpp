// Encryption at rest: AES-256-GCM sealing bound to kind+key, HMAC'd storage keys, key parsing
// and derivation, the STORAGE forms the factory accepts.
#include "fastmcp/oauth_proxy/record_cipher.hpp"
#include "fastmcp/oauth_proxy/store_factory.hpp"

#include <doctest/doctest.h>

using namespace fastmcp::oauth_proxy;

namespace {
MasterKey key_of(unsigned char fill) {
    MasterKey k{};
    k.fill(fill);
    return k;
}

StoreError::Reason reason_of(const std::function<void()> &fn) {
    try {
        fn();
    } catch (const StoreError &e) {
        return e.reason();
    }
    FAIL("no StoreError");
    return StoreError::Reason::corrupt;
}
} // namespace

TEST_CASE("record cipher: seal/open round-trip, fresh nonce per value, plaintext hidden") {
    RecordCipher c(key_of(1));
    const std::string secret = "upstream-access-token-value";
    const auto a = c.seal(RecordKind::upstream_tokens, "k", secret);
    const auto b = c.seal(RecordKind::upstream_tokens, "k", secret);
    CHECK(a != b);
    CHECK(a.size() == 1 + 12 + secret.size() + 16);
    CHECK(a.find(secret) == std::string::npos);
    CHECK(c.open(RecordKind::upstream_tokens, "k", a) == secret);
    CHECK(c.open(RecordKind::upstream_tokens, "k", c.seal(RecordKind::upstream_tokens, "k", "")) ==
          "");
}

TEST_CASE("record cipher: kind, key, cipher key and every byte are authenticated") {
    RecordCipher c(key_of(1));
    const auto sealed = c.seal(RecordKind::client, "client-1", "secret");
    CHECK(reason_of([&] { c.open(RecordKind::client, "client-2", sealed); }) ==
          StoreError::Reason::cannot_decrypt);
    CHECK(reason_of([&] { c.open(RecordKind::upstream_tokens, "client-1", sealed); }) ==
          StoreError::Reason::cannot_decrypt);
    CHECK(reason_of([&] {
              RecordCipher(key_of(2)).open(RecordKind::client, "client-1", sealed);
          }) == StoreError::Reason::cannot_decrypt);
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        auto bad = sealed;
        bad[i] = static_cast<char>(bad[i] ^ 0x40);
        CHECK(reason_of([&] { c.open(RecordKind::client, "client-1", bad); }) ==
              StoreError::Reason::cannot_decrypt);
    }
    CHECK(reason_of([&] { c.open(RecordKind::client, "client-1", sealed.substr(0, 20)); }) ==
          StoreError::Reason::cannot_decrypt);
}

TEST_CASE("record cipher: storage keys are keyed hashes, per kind") {
    RecordCipher c(key_of(1));
    const auto k = c.storage_key(RecordKind::authorization_code, "the-code");
    CHECK(k.size() == 43);
    CHECK(k.find("the-code") == std::string::npos);
    CHECK(k == c.storage_key(RecordKind::authorization_code, "the-code"));
    CHECK(k != c.storage_key(RecordKind::refresh_token, "the-code"));
    CHECK(k != RecordCipher(key_of(2)).storage_key(RecordKind::authorization_code, "the-code"));
}

TEST_CASE("record cipher: only secret-bearing kinds are sealed") {
    RecordCipher c(key_of(1));
    CHECK(c.encode_value(RecordKind::csrf, "k", "txn") == "txn");
    CHECK(c.encode_value(RecordKind::client, "k", "v") != "v");
    CHECK(c.decode_value(RecordKind::client, "k", c.encode_value(RecordKind::client, "k", "v")) ==
          "v");
}

TEST_CASE("record cipher: the check record detects another key") {
    RecordCipher c(key_of(1));
    const auto check = c.make_check_value();
    CHECK_NOTHROW(c.verify_check_value(check, "here"));
    CHECK(reason_of([&] { RecordCipher(key_of(2)).verify_check_value(check, "here"); }) ==
          StoreError::Reason::cannot_decrypt);
}

TEST_CASE("STORAGE_ENCRYPTION_KEY: 32 bytes as hex or base64, anything else a config error") {
    MasterKey expected{};
    for (std::size_t i = 0; i < 32; ++i)
        expected[i] = static_cast<unsigned char>(i * 7 + 1);
    CHECK(parse_storage_encryption_key(
              "01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3da") == expected);
    CHECK(parse_storage_encryption_key(
              "01080F161D242B323940474E555C636A71787F868D949BA2A9B0B7BEC5CCD3DA") == expected);
    CHECK(parse_storage_encryption_key("AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=") == expected);
    CHECK(parse_storage_encryption_key("AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o") == expected);
    for (const char *bad :
         {"", "short", "01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3",
          "AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09oA",
          "not base64 at all!!!!!!!!!!!!!!!!!!!!!!!"}) {
        try {
            parse_storage_encryption_key(bad);
            FAIL("accepted a bad key");
        } catch (const StoreError &e) {
            CHECK(e.reason() == StoreError::Reason::config);
            CHECK(std::string(e.what()).find("32 bytes") != std::string::npos);
            if (std::string(bad).size() > 4)
                CHECK(std::string(e.what()).find(bad) == std::string::npos);
        }
    }
}

TEST_CASE("JWT_SIGNING_KEY derivation: deterministic, distinct per input, never empty") {
    CHECK(derive_storage_key("k1") == derive_storage_key("k1"));
    CHECK(derive_storage_key("k1") != derive_storage_key("k2"));
    CHECK(reason_of([] { derive_storage_key(""); }) == StoreError::Reason::config);
}

TEST_CASE("STORAGE forms: unknown ones are a config error naming the accepted forms") {
    for (const char *bad : {"postgres://db", "sqlite://relative.db", "file:///x", "SQLITE"}) {
        StoreConfig cfg;
        cfg.storage = bad;
        cfg.jwt_signing_key = "k";
        try {
            open_state_store(cfg);
            FAIL("accepted STORAGE=" << bad);
        } catch (const StoreError &e) {
            CHECK(e.reason() == StoreError::Reason::config);
            CHECK(std::string(e.what()).find("redis://host:port/db") != std::string::npos);
        }
    }
    StoreConfig mem;
    mem.storage = "memory";
    CHECK(open_state_store(mem)->describe() == "memory");
    StoreConfig no_key;
    no_key.storage = "sqlite:///tmp/never-created-by-this-test.db";
    CHECK(reason_of([&] { open_state_store(no_key); }) == StoreError::Reason::config);
}
