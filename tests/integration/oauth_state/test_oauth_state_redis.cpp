// The Redis StateStore against a real redis-server started here on a loopback port: the shared
// contract (each open() is a separate pool, as another replica would have), raw values hold no
// secret, a wrong key fails at start-up, a Redis that is down fails closed, a restarted one is
// reconnected to. Skipped, saying so, only when redis-server is not installed.
#include "../../unit/oauth_state/store_contract.hpp"
#include "redis_server.hpp"

#include "fastmcp/oauth_proxy/redis_store.hpp"
#include "fastmcp/oauth_proxy/store_factory.hpp"

namespace {
using namespace fastmcp::oauth_proxy;
using namespace std::chrono_literals;
using fastmcp::testing::RedisServer;

const bool no_redis = [] {
    if (!fastmcp::testing::redis_available())
        std::fprintf(stderr, "SKIPPED: redis-server is not installed (apt-get install "
                             "redis-server); the Redis store tests did not run\n");
    return !fastmcp::testing::redis_available();
}();

RedisServer &server() {
    static RedisServer s; // one per test process, SIGTERMed at exit
    return s;
}

MasterKey key_of(unsigned char fill) {
    MasterKey k{};
    k.fill(fill);
    return k;
}

struct RedisFixture {
    std::chrono::milliseconds short_ttl{400};
    RedisFixture() { server().command({"FLUSHALL"}); }
    std::unique_ptr<StateStore> open() {
        return make_redis_store(parse_redis_url(server().url(3)), key_of(7));
    }
    void advance(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }
    // Redis expires keys itself (sweep_expired is a no-op): wait up to 3 s for its active expiry.
    std::size_t stored_rows(std::size_t) {
        std::size_t n = 0;
        for (int i = 0; i < 30; ++i) {
            auto r = server().command(
                {"EVAL", "redis.call('SELECT', 3) return redis.call('DBSIZE')", "0"});
            n = static_cast<std::size_t>(r->integer) - 1; // minus the key-check record
            if (n <= 1) break;
            std::this_thread::sleep_for(100ms);
        }
        return n;
    }
};

} // namespace

FASTMCP_STORE_CONTRACT(RedisFixture, "redis store", doctest::skip(no_redis))

TEST_CASE_FIXTURE(RedisFixture,
                  "redis store: records carry a native TTL" * doctest::skip(no_redis)) {
    open()->put(RecordKind::authorization_code, "c", "g", 60s);
    auto keys = server().command(
        {"EVAL",
         "redis.call('SELECT', 3) return redis.call('KEYS', 'fastmcp:oauth:authorization_code:*')",
         "0"});
    REQUIRE(keys->type == REDIS_REPLY_ARRAY);
    REQUIRE(keys->elements == 1);
    const std::string k(keys->element[0]->str, keys->element[0]->len);
    auto ttl = server().command(
        {"EVAL", "redis.call('SELECT', 3) return redis.call('PTTL', KEYS[1])", "1", k});
    CHECK(ttl->integer > 50'000);
    CHECK(ttl->integer <= 60'000);
}

TEST_CASE_FIXTURE(RedisFixture,
                  "redis store: no secret or key in clear in Redis" * doctest::skip(no_redis)) {
    const std::string upstream = "ya29.UpstreamGoogleAccessToken0123456789";
    const std::string client_secret = "client-secret-abcdefghijklmnop";
    const std::string code = "proxy-code-ZYXWVUTSRQPONMLK";
    const std::string refresh = "proxy-refresh-0123456789abcdef";
    auto s = open();
    s->put(RecordKind::upstream_tokens, "u1", R"({"access_token":")" + upstream + "\"}", 60s);
    s->put(RecordKind::client, "client-9", R"({"client_secret":")" + client_secret + "\"}", 60s);
    s->put(RecordKind::authorization_code, code, "grant", 60s);
    s->put(RecordKind::refresh_token, refresh, "rec", 60s);
    // Every key and value, as bytes, straight from Redis.
    auto all = server().command(
        {"EVAL",
         "redis.call('SELECT', 3) local out = {} for _, k in ipairs(redis.call('KEYS', '*')) do "
         "out[#out + 1] = k out[#out + 1] = redis.call('GET', k) end return out",
         "0"});
    REQUIRE(all->type == REDIS_REPLY_ARRAY);
    CHECK(all->elements == 10); // 4 records + the key check, key and value each
    std::string dump;
    for (std::size_t i = 0; i < all->elements; ++i)
        dump.append(all->element[i]->str, all->element[i]->len);
    for (const auto &secret : {upstream, client_secret, code, refresh, std::string("client-9")})
        CHECK(dump.find(secret) == std::string::npos);
    CHECK(s->get(RecordKind::upstream_tokens, "u1")->find(upstream) != std::string::npos);
}

TEST_CASE_FIXTURE(RedisFixture,
                  "redis store: another key is a start-up error" * doctest::skip(no_redis)) {
    open()->put(RecordKind::client, "c", "v", 60s);
    try {
        make_redis_store(parse_redis_url(server().url(3)), key_of(9));
        FAIL("opened with the wrong key");
    } catch (const StoreError &e) {
        CHECK(e.reason() == StoreError::Reason::cannot_decrypt);
        CHECK(std::string(e.what()).find(server().url(3)) != std::string::npos);
    }
    CHECK(open()->get(RecordKind::client, "c") == "v");
}

TEST_CASE_FIXTURE(RedisFixture, "redis store: 20 concurrent rotates from 2 instances, 1 success" *
                                    doctest::skip(no_redis)) {
    std::unique_ptr<StateStore> replicas[2] = {open(), open()};
    for (int round = 0; round < 5; ++round) {
        const std::string rt = "shared-rt-" + std::to_string(round);
        replicas[0]->put(RecordKind::refresh_token, rt, "rec", 60s);
        std::barrier start(20);
        std::atomic<int> wins{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 20; ++i)
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                if (replicas[i % 2]->rotate(RecordKind::refresh_token, rt, "rec",
                                            {{RecordKind::refresh_token,
                                              rt + "-new-" + std::to_string(i), "rec2", 60s}}))
                    wins.fetch_add(1);
            });
        for (auto &t : threads)
            t.join();
        CHECK(wins.load() == 1);
    }
}

TEST_CASE("redis store: down at start-up and mid-run fails closed, then reconnects" *
          doctest::skip(no_redis)) {
    RedisServer own; // its own server: this test stops and restarts it
    const auto url = own.url(0);
    own.stop();
    try {
        make_redis_store(parse_redis_url(url), key_of(7), {500ms, 500ms, 4});
        FAIL("opened a store on a stopped Redis");
    } catch (const StoreError &e) {
        CHECK(e.reason() == StoreError::Reason::unavailable);
        CHECK(std::string(e.what()).find("127.0.0.1:" + std::to_string(own.port())) !=
              std::string::npos);
    }
    own.restart();
    auto s = make_redis_store(parse_redis_url(url), key_of(7), {500ms, 500ms, 4});
    s->put(RecordKind::client, "c", "v", 60s);
    own.stop();
    CHECK_THROWS_AS(s->get(RecordKind::client, "c"), StoreError);
    try {
        s->take(RecordKind::authorization_code, "code");
        FAIL("take succeeded with Redis down");
    } catch (const StoreError &e) {
        CHECK(e.reason() == StoreError::Reason::unavailable);
    }
    own.restart(); // no persistence: the data is gone, the store must reconnect
    CHECK_FALSE(s->get(RecordKind::client, "c"));
    s->put(RecordKind::client, "c", "v2", 60s);
    CHECK(s->get(RecordKind::client, "c") == "v2");
}

TEST_CASE("redis store: STORAGE redis URLs" * doctest::skip(no_redis)) {
    auto a = parse_redis_url("redis://127.0.0.1:6380/2");
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 6380);
    CHECK(a.db == 2);
    auto b = parse_redis_url("redis://:s3cret@cache.internal");
    CHECK(b.port == 6379);
    CHECK(b.db == 0);
    CHECK(b.password == "s3cret");
    CHECK(b.display() == "redis://cache.internal:6379/0");
    auto c = parse_redis_url("redis://app:pw@[::1]:7000/1");
    CHECK(c.username == "app");
    CHECK(c.host == "::1");
    CHECK(c.display() == "redis://[::1]:7000/1");
    for (const char *bad : {"redis://", "redis://h:1/x", "rediss://h", "redis://h/1?x=1"})
        CHECK_THROWS_AS(parse_redis_url(bad), StoreError);
    // Through the factory, with the key from STORAGE_ENCRYPTION_KEY.
    StoreConfig cfg;
    cfg.storage = server().url(4);
    cfg.storage_encryption_key = std::string(64, 'a');
    auto s = open_state_store(cfg);
    CHECK(s->describe() == server().url(4));
    s->put(RecordKind::jti, "j", "v", 1s);
    CHECK(s->get(RecordKind::jti, "j") == "v");
}
