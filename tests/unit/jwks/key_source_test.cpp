// The JWKS key source: first fetch, TTL refresh, unknown-kid refetch (single-flight,
// rate-limited, negative cache, deferred fetch), stale-if-error, partial key sets. Time is the
// fake host's clock; the worker thread is off and tests call tick().
#include "fake_host.hpp"

#include "fastmcp/jwks/key_source.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using namespace fastmcp;
using fastmcp::testing::FakeHost;
using fastmcp::testing::jwks_of;
using fastmcp::testing::rsa_key;

namespace {

const std::string kUri = "https://idp.test/jwks";

jwks::SourceOptions options() {
    jwks::SourceOptions o;
    o.jwks_uri = kUri;
    o.background = false;
    return o;
}

bool has_kid(const jwks::KeySetPtr &set, const std::string &kid) { return set && set->find(kid); }

} // namespace

TEST_CASE("construction does no I/O; the first tick fetches the key set") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options());
    CHECK(fake.total_hits() == 0);
    CHECK(source.current() == nullptr);
    source.tick();
    CHECK(fake.hits(kUri) == 1);
    REQUIRE(source.current());
    CHECK(has_kid(source.current(), "rsa-1"));
    source.tick(); // fresh: nothing to do
    CHECK(fake.hits(kUri) == 1);
    auto h = source.health();
    CHECK(h.ready);
    CHECK(h.keys == 1);
    CHECK(h.jwks_uri == kUri);
    CHECK(h.last_error.empty());
}

TEST_CASE("the set is refreshed shortly before its TTL runs out") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    auto o = options();
    o.ttl_ms = 600'000; // refresh ahead = ttl/10 = 60 s
    jwks::KeySource source(fake.host(), o);
    source.tick();
    fake.advance_s(539);
    source.tick();
    CHECK(fake.hits(kUri) == 1);
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk(), rsa_key(2).jwk()}));
    fake.advance_s(1);
    source.tick();
    CHECK(fake.hits(kUri) == 2);
    CHECK(has_kid(source.current(), "rsa-2"));
}

TEST_CASE("an unknown kid triggers exactly one refetch and the newer set is returned") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options());
    source.tick();
    auto seen = source.current();
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk(), rsa_key(2).jwk()}));
    auto newer = source.refresh_for_unknown_kid("rsa-2", seen);
    CHECK(fake.hits(kUri) == 2);
    REQUIRE(newer);
    CHECK(has_kid(newer, "rsa-2"));
    // A caller that still holds the old snapshot gets the new one without a fetch.
    CHECK(source.refresh_for_unknown_kid("rsa-2", seen) == newer);
    // One that asks for a kid the new set lacks is not sent to fetch again at once.
    CHECK(source.refresh_for_unknown_kid("rsa-9", seen) == nullptr);
    CHECK(fake.hits(kUri) == 2);
}

TEST_CASE("bogus kids: negative cache, rate limit, and one deferred fetch per interval") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options()); // interval 10 s
    source.tick();
    auto seen = source.current();
    CHECK(source.refresh_for_unknown_kid("bogus-a", seen) == nullptr);
    CHECK(fake.hits(kUri) == 2);
    CHECK(source.refresh_for_unknown_kid("bogus-a", seen) == nullptr); // negative cache
    CHECK(fake.hits(kUri) == 2);
    fake.advance_s(1);
    CHECK(source.refresh_for_unknown_kid("bogus-b", seen) == nullptr); // rate-limited
    CHECK(fake.hits(kUri) == 2);
    fake.advance_s(8);
    source.tick();
    CHECK(fake.hits(kUri) == 2); // deferred fetch not due before the interval
    fake.advance_s(1);
    source.tick();
    CHECK(fake.hits(kUri) == 3); // exactly one deferred fetch
    source.tick();
    CHECK(fake.hits(kUri) == 3);
}

TEST_CASE("random-kid flood: at most one fetch per interval, yet a new key is accepted within 10 s") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options());
    source.tick();
    const int64_t start = fake.now_ms.load();
    int64_t first_use = -1, accepted = -1;
    for (int i = 0; i < 600; ++i) { // 60 s of flood at 10 requests per second
        fake.advance_ms(100);
        const int64_t t = fake.now_ms.load() - start;
        if (t == 12'300) fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk(), rsa_key(2).jwk()}));
        source.refresh_for_unknown_kid("random-" + std::to_string(i), source.current());
        if (t >= 12'500 && accepted < 0) { // the legitimate client keeps using its new key
            if (first_use < 0) first_use = t;
            auto cur = source.current();
            if (!has_kid(cur, "rsa-2")) cur = source.refresh_for_unknown_kid("rsa-2", cur);
            if (has_kid(cur, "rsa-2")) accepted = t;
        }
        source.tick();
    }
    const int fetches = fake.hits(kUri) - 1;
    MESSAGE("flood fetches in 60 s: ", fetches, ", new key accepted after ", accepted - first_use, " ms");
    CHECK(fetches <= 7); // one per 10 s (+1 for the very first unknown kid)
    REQUIRE(accepted >= 0);
    CHECK(accepted - first_use <= 10'000);
}

TEST_CASE(
    "slow JWKS: a key first used during a flood fetch is accepted within 10 s, fetch included") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options()); // interval 10 s
    source.tick();
    fake.set_fetch_latency_ms(1'500); // every fetch takes 1.5 s of fake time
    // A flood request starts an unknown-kid fetch at S and is held in flight; the IdP publishes
    // the new key just after answering it, and the client first uses the key 100 ms later: it
    // joins the fetch in flight, which cannot have the key.
    fake.hold();
    const auto seen = source.current();
    std::thread flood([&] { source.refresh_for_unknown_kid("random-0", seen); });
    while (fake.waiting_fetches() == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk(), rsa_key(2).jwk()}));
    fake.advance_ms(100);
    const int64_t first_use = fake.now_ms.load();
    jwks::KeySetPtr joined;
    std::thread client([&] { joined = source.refresh_for_unknown_kid("rsa-2", seen); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // let the client queue up
    fake.release();
    flood.join();
    client.join();
    CHECK_FALSE(has_kid(joined, "rsa-2"));
    const int fetches_before = fake.hits(kUri);
    // The flood goes on at 10 requests per second for 60 s; the client retries every 100 ms.
    int64_t accepted = -1;
    for (int i = 1; i <= 600; ++i) {
        fake.advance_ms(100);
        source.refresh_for_unknown_kid("random-" + std::to_string(i), source.current());
        auto cur = source.current();
        if (accepted < 0 && !has_kid(cur, "rsa-2"))
            cur = source.refresh_for_unknown_kid("rsa-2", cur);
        source.tick();
        if (accepted < 0 && has_kid(source.current(), "rsa-2")) accepted = fake.now_ms.load();
    }
    const int fetches = fake.hits(kUri) - fetches_before;
    MESSAGE("slow JWKS: accepted ", accepted - first_use, " ms after first use; ", fetches,
            " fetches in 60 s");
    REQUIRE(accepted >= 0);
    CHECK(accepted - first_use <= 10'000);
    CHECK(fetches <= 8); // still about one per interval: the lead is the fetch latency, not more
}

TEST_CASE("an IdP that answers slowly with errors: deferred unknown-kid fetches keep the interval") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options()); // interval 10 s, fetch timeout 5 s
    source.tick();
    // Every fetch now fails after 4 s: no key can come of it, so its latency must not make the
    // deferred fetch start earlier (that only loads an IdP that is already failing).
    fake.serve(kUri, 503, "{}");
    fake.set_fetch_latency_ms(4'000);
    const int fetches_before = fake.hits(kUri);
    const int64_t start = fake.now_ms.load();
    // An unknown-kid flood, a request every 100 ms, for 60 s of the fake clock (each fetch also
    // moves it on by its 4 s).
    for (int i = 1; fake.now_ms.load() < start + 60'000; ++i) {
        fake.advance_ms(100);
        source.refresh_for_unknown_kid("random-" + std::to_string(i), source.current());
        source.tick();
    }
    const int fetches = fake.hits(kUri) - fetches_before;
    MESSAGE("failing slow JWKS: ", fetches, " fetches in 60 s");
    CHECK(fetches <= 7); // one per 10 s interval (plus the first); a 4 s lead would give 10
    CHECK(fetches >= 5);
}

TEST_CASE("a newly published key is picked up by the deferred fetch even if nobody retries") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options());
    source.tick();
    source.refresh_for_unknown_kid("bogus", source.current()); // uses up the kid-fetch budget
    fake.advance_s(2);
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk(), rsa_key(2).jwk()}));
    CHECK(source.refresh_for_unknown_kid("rsa-2", source.current()) == nullptr); // rate-limited
    for (int i = 0; i < 80; ++i) { // 8 more seconds
        fake.advance_ms(100);
        source.tick();
    }
    CHECK(has_kid(source.current(), "rsa-2"));
}

TEST_CASE("concurrent unknown kids share one fetch in total") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options());
    source.tick();
    const auto seen = source.current();
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk(), rsa_key(2).jwk()}));
    fake.hold();
    constexpr int kThreads = 16;
    std::atomic<int> got_new{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] {
            auto r = source.refresh_for_unknown_kid(i % 2 ? "rsa-2" : "kid-" + std::to_string(i), seen);
            if (r && r->find("rsa-2")) ++got_new;
        });
    while (fake.waiting_fetches() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // let the others queue up
    fake.release();
    for (auto &t : threads) t.join();
    CHECK(fake.hits(kUri) == 2); // the first fetch plus exactly one refetch
    CHECK(got_new.load() == kThreads / 2); // every thread asking for the published key
}

TEST_CASE("readers are not blocked by a fetch in flight once a set exists") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    jwks::KeySource source(fake.host(), options());
    source.tick();
    fake.hold();
    std::thread refresher([&] { source.refresh_now(); });
    while (fake.waiting_fetches() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(has_kid(source.current(), "rsa-1"));   // lock-free snapshot
    CHECK(source.health().ready);                // health does not wait either
    fake.release();
    refresher.join();
    CHECK(fake.hits(kUri) == 2);
}

TEST_CASE("stale-if-error: the last good set is served, the outage is logged once, bounded") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    auto o = options();
    o.ttl_ms = 60'000;
    o.max_stale_ms = 3'600'000;
    jwks::KeySource source(fake.host(), o);
    source.tick();
    fake.down(kUri);
    for (int i = 0; i < 30; ++i) { // 30 minutes of outage
        fake.advance_s(60);
        source.tick();
        source.refresh_for_unknown_kid("k" + std::to_string(i), source.current());
    }
    CHECK(has_kid(source.current(), "rsa-1"));
    auto h = source.health();
    CHECK(h.stale);
    CHECK(h.last_error.find("connection refused") != std::string::npos);
    CHECK(h.failures >= 10);
    CHECK(fake.count_logs(FASTMCP_LOG_WARNING, "serving the last good key set") == 1);
    // Past the stale bound the set is dropped: no key is better than keys we cannot refresh.
    fake.advance_s(3600);
    source.tick();
    CHECK(source.current() == nullptr);
    CHECK(fake.count_logs(FASTMCP_LOG_ERROR, "older than the stale limit") == 1);
    // Recovery.
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    fake.advance_s(60);
    source.tick();
    CHECK(has_kid(source.current(), "rsa-1"));
    CHECK(source.health().last_error.empty());
    CHECK(fake.count_logs(FASTMCP_LOG_INFO, "works again") == 1);
}

TEST_CASE("one bad key among good ones is skipped; the rest stays usable") {
    FakeHost fake;
    auto enc = rsa_key(2).jwk();
    enc["use"] = "enc";
    auto junk = rsa_key(3).jwk();
    junk["n"] = "AQAB"; // far under 2048 bits
    auto unknown = nlohmann::json{{"kty", "XYZ"}, {"kid", "weird"}};
    fake.serve(kUri, 200, jwks_of({enc, rsa_key(1).jwk(), junk, unknown}));
    jwks::KeySource source(fake.host(), options());
    source.tick();
    REQUIRE(source.current());
    CHECK(source.current()->keys.size() == 1);
    CHECK(has_kid(source.current(), "rsa-1"));
    auto h = source.health();
    CHECK(h.skipped.size() == 3);
    CHECK(fake.count_logs(FASTMCP_LOG_WARNING, "skipped key") == 1);
}

TEST_CASE("unusable documents are fetch failures, and never replace a good set") {
    FakeHost fake;
    jwks::KeySource source(fake.host(), options());
    SUBCASE("HTTP error") {
        fake.serve(kUri, 500, "oops");
        source.tick();
        CHECK(source.health().last_error.find("HTTP 500") != std::string::npos);
    }
    SUBCASE("not JSON") {
        fake.serve(kUri, 200, "<html>");
        source.tick();
        CHECK(source.health().last_error.find("unusable") != std::string::npos);
    }
    SUBCASE("no usable key") {
        auto enc = rsa_key(1).jwk();
        enc["use"] = "enc";
        fake.serve(kUri, 200, jwks_of({enc}));
        source.tick();
        CHECK(source.health().last_error.find("no usable key") != std::string::npos);
    }
    CHECK(source.current() == nullptr);
    CHECK_FALSE(source.health().ready);
}

TEST_CASE("readers with no keys: one fetch at a time, then at most one per interval") {
    FakeHost fake;
    fake.down(kUri);
    jwks::KeySource source(fake.host(), options());
    CHECK(source.await_initial() == nullptr);
    CHECK(fake.hits(kUri) == 1);
    CHECK(source.await_initial() == nullptr); // back-off: no new fetch
    CHECK(fake.hits(kUri) == 1);
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    fake.advance_s(10);
    CHECK(has_kid(source.await_initial(), "rsa-1"));
    CHECK(fake.hits(kUri) == 2);
}

TEST_CASE("resolve_uri is asked before every fetch") {
    FakeHost fake;
    const std::string other = "https://idp.test/other-jwks";
    fake.serve(other, 200, jwks_of({rsa_key(1).jwk()}));
    auto o = options();
    int asked = 0;
    o.resolve_uri = [&] {
        ++asked;
        return other;
    };
    jwks::KeySource source(fake.host(), o);
    source.tick();
    CHECK(asked == 1);
    CHECK(fake.hits(other) == 1);
    CHECK(source.jwks_uri() == other);
}

TEST_CASE("the background worker fetches on its own and stops in the destructor") {
    FakeHost fake;
    fake.serve(kUri, 200, jwks_of({rsa_key(1).jwk()}));
    auto o = options();
    o.background = true;
    o.max_poll_ms = 5;
    {
        jwks::KeySource source(fake.host(), o);
        source.start();
        for (int i = 0; i < 2000 && !source.current(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        CHECK(has_kid(source.current(), "rsa-1"));
    }
    const int hits = fake.hits(kUri);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(fake.hits(kUri) == hits);
}
