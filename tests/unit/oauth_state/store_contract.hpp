#pragma once
// The StateStore contract, written once and run against every backend. A fixture provides:
//   std::unique_ptr<StateStore> open();   // a fresh handle on the fixture's one store
//   void advance(std::chrono::milliseconds); // move time (fake clock, or real sleep for Redis)
//   std::chrono::milliseconds short_ttl;  // a TTL the fixture can outlive with advance()
//   std::size_t stored_rows(std::size_t swept); // records physically kept (after a sweep that
//                                               // reported `swept`), the key-check record excluded
// FASTMCP_STORE_CONTRACT(Fixture, "name", doctest::skip(cond)) defines the test cases.
#include "fastmcp/oauth_proxy/state_store.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <barrier>
#include <thread>
#include <vector>

namespace store_contract {
using namespace fastmcp::oauth_proxy;
using namespace std::chrono_literals;

// N threads, each with its own handle when `separate` (two processes' worth of connections), all
// released at once; returns how many calls of `race` returned true.
template <typename Open, typename Race>
int race_threads(Open &&open, int threads, int per_thread, bool separate, Race &&race) {
    std::vector<std::unique_ptr<StateStore>> handles;
    auto shared = open();
    for (int i = 0; i < threads; ++i)
        handles.push_back(separate ? open() : nullptr);
    std::barrier start(threads);
    std::atomic<int> wins{0};
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            StateStore &s = separate ? *handles[i] : *shared;
            start.arrive_and_wait();
            for (int j = 0; j < per_thread; ++j)
                if (race(s)) wins.fetch_add(1);
        });
    }
    for (auto &t : pool)
        t.join();
    return wins.load();
}

} // namespace store_contract

#define FASTMCP_STORE_CONTRACT(Fixture, name, decorators)                                          \
    TEST_CASE_FIXTURE(Fixture, name ": put/get/erase round-trip, kinds are separate namespaces" *  \
                                   decorators) {                                                   \
        using namespace store_contract;                                                            \
        auto s = open();                                                                           \
        std::string binary("a\0b\xff", 4);                                                         \
        s->put(RecordKind::client, "c1", binary, 60s);                                             \
        CHECK(s->get(RecordKind::client, "c1") == binary);                                         \
        CHECK_FALSE(s->get(RecordKind::upstream_tokens, "c1"));                                    \
        s->put(RecordKind::client, "c1", "v2", 60s);                                               \
        CHECK(s->get(RecordKind::client, "c1") == "v2");                                           \
        s->put(RecordKind::consent, "c1", "", 60s);                                                \
        CHECK(s->get(RecordKind::consent, "c1") == "");                                            \
        CHECK(s->erase(RecordKind::client, "c1"));                                                 \
        CHECK_FALSE(s->erase(RecordKind::client, "c1"));                                           \
        CHECK_FALSE(s->get(RecordKind::client, "c1"));                                             \
        CHECK(s->get(RecordKind::consent, "c1") == "");                                            \
        CHECK(open()->get(RecordKind::consent, "c1") == "");                                       \
    }                                                                                              \
    TEST_CASE_FIXTURE(Fixture,                                                                     \
                      name ": expired records are invisible to every call" * decorators) {         \
        using namespace store_contract;                                                            \
        auto s = open();                                                                           \
        s->put(RecordKind::authorization_code, "code", "v", short_ttl);                            \
        s->put(RecordKind::refresh_token, "rt", "v", short_ttl);                                   \
        s->put(RecordKind::jti, "j", "v", short_ttl);                                              \
        s->put(RecordKind::client, "long", "v", 3600s);                                            \
        CHECK(s->get(RecordKind::authorization_code, "code") == "v");                              \
        advance(short_ttl + short_ttl);                                                            \
        CHECK_FALSE(s->get(RecordKind::authorization_code, "code"));                               \
        CHECK_FALSE(s->take(RecordKind::authorization_code, "code"));                              \
        CHECK_FALSE(s->rotate(RecordKind::refresh_token, "rt", "v", {}));                          \
        CHECK_FALSE(s->erase(RecordKind::jti, "j"));                                               \
        CHECK(s->put_if_absent(RecordKind::jti, "j", "new", 60s));                                 \
        CHECK(s->get(RecordKind::jti, "j") == "new");                                              \
        CHECK(s->get(RecordKind::client, "long") == "v");                                          \
    }                                                                                              \
    TEST_CASE_FIXTURE(Fixture, name ": take is single use" * decorators) {                         \
        using namespace store_contract;                                                            \
        auto s = open();                                                                           \
        s->put(RecordKind::authorization_code, "code-1", "grant", 60s);                            \
        CHECK(s->take(RecordKind::authorization_code, "code-1") == "grant");                       \
        CHECK_FALSE(s->take(RecordKind::authorization_code, "code-1"));                            \
        CHECK_FALSE(s->get(RecordKind::authorization_code, "code-1"));                             \
        CHECK_FALSE(open()->take(RecordKind::authorization_code, "code-1"));                       \
    }                                                                                              \
    TEST_CASE_FIXTURE(Fixture, name ": put_if_absent stores only once" * decorators) {             \
        using namespace store_contract;                                                            \
        auto s = open();                                                                           \
        CHECK(s->put_if_absent(RecordKind::client, "dcr-1", "first", 60s));                        \
        CHECK_FALSE(s->put_if_absent(RecordKind::client, "dcr-1", "second", 60s));                 \
        CHECK(s->get(RecordKind::client, "dcr-1") == "first");                                     \
    }                                                                                              \
    TEST_CASE_FIXTURE(Fixture, name ": rotate is compare-and-swap" * decorators) {                 \
        using namespace store_contract;                                                            \
        auto s = open();                                                                           \
        s->put(RecordKind::refresh_token, "rt-old", "rec-old", 60s);                               \
        CHECK_FALSE(s->rotate(RecordKind::refresh_token, "rt-old", "rec-other", {}));              \
        CHECK(s->get(RecordKind::refresh_token, "rt-old") == "rec-old");                           \
        CHECK_FALSE(s->rotate(RecordKind::refresh_token, "rt-missing", "rec-old", {}));            \
        CHECK(s->rotate(RecordKind::refresh_token, "rt-old", "rec-old",                            \
                        {{RecordKind::refresh_token, "rt-new", "rec-new", 60s},                    \
                         {RecordKind::jti, "jti-new", "tok", 60s}}));                              \
        CHECK_FALSE(s->get(RecordKind::refresh_token, "rt-old"));                                  \
        CHECK(s->get(RecordKind::refresh_token, "rt-new") == "rec-new");                           \
        CHECK(s->get(RecordKind::jti, "jti-new") == "tok");                                        \
        CHECK_FALSE(s->rotate(RecordKind::refresh_token, "rt-old", "rec-old",                      \
                              {{RecordKind::refresh_token, "rt-x", "x", 60s}}));                   \
        CHECK_FALSE(s->get(RecordKind::refresh_token, "rt-x"));                                    \
        /* rewriting the same key in place (update with CAS) */                                    \
        s->put(RecordKind::upstream_tokens, "u", "v1", 60s);                                       \
        CHECK(s->rotate(RecordKind::upstream_tokens, "u", "v1",                                    \
                        {{RecordKind::upstream_tokens, "u", "v2", 60s}}));                         \
        CHECK(s->get(RecordKind::upstream_tokens, "u") == "v2");                                   \
    }                                                                                              \
    TEST_CASE_FIXTURE(Fixture,                                                                     \
                      name ": invalid arguments are rejected, nothing stored" * decorators) {      \
        using namespace store_contract;                                                            \
        auto s = open();                                                                           \
        auto reason = [](auto &&fn) {                                                              \
            try {                                                                                  \
                fn();                                                                              \
            } catch (const StoreError &e) {                                                        \
                return std::string(reason_code(e.reason()));                                       \
            }                                                                                      \
            return std::string("no error");                                                        \
        };                                                                                         \
        CHECK(reason([&] { s->put(RecordKind::client, "", "v", 60s); }) ==                         \
              "store_invalid_argument");                                                           \
        CHECK(reason([&] { s->put(RecordKind::client, std::string(513, 'k'), "v", 60s); }) ==      \
              "store_invalid_argument");                                                           \
        CHECK(reason([&] {                                                                         \
                  s->put(RecordKind::client, "k", std::string(max_value_bytes + 1, 'v'), 60s);     \
              }) == "store_invalid_argument");                                                     \
        CHECK(reason([&] { s->put(RecordKind::client, "k", "v", 0ms); }) ==                        \
              "store_invalid_argument");                                                           \
        CHECK(reason([&] {                                                                         \
                  s->rotate(RecordKind::client, "k", "v", {{RecordKind::client, "n", "v", -1ms}}); \
              }) == "store_invalid_argument");                                                     \
        CHECK_FALSE(s->get(RecordKind::client, "k"));                                              \
        s->put(RecordKind::client, "big", std::string(max_value_bytes, 'v'), 60s);                 \
        CHECK(s->get(RecordKind::client, "big")->size() == max_value_bytes);                       \
    }                                                                                              \
    TEST_CASE_FIXTURE(Fixture, name ": sweep removes only expired records" * decorators) {         \
        using namespace store_contract;                                                            \
        auto s = open();                                                                           \
        for (int i = 0; i < 20; ++i)                                                               \
            s->put(RecordKind::transaction, "t" + std::to_string(i), "v", short_ttl);              \
        s->put(RecordKind::transaction, "live", "v", 3600s);                                       \
        advance(short_ttl + short_ttl);                                                            \
        const auto swept = s->sweep_expired();                                                     \
        CHECK(s->get(RecordKind::transaction, "live") == "v");                                     \
        CHECK(stored_rows(swept) == 1);                                                            \
    }                                                                                              \
    TEST_CASE_FIXTURE(Fixture,                                                                     \
                      name ": N concurrent takes of one code, exactly one winner" * decorators) {  \
        using namespace store_contract;                                                            \
        for (int round = 0; round < 5; ++round) {                                                  \
            const std::string code = "race-code-" + std::to_string(round);                         \
            open()->put(RecordKind::authorization_code, code, "grant", 60s);                       \
            const int wins =                                                                       \
                race_threads([&] { return open(); }, 8, 4, round % 2 == 1,                         \
                             [&](StateStore &st) {                                                 \
                                 return st.take(RecordKind::authorization_code, code) == "grant";  \
                             });                                                                   \
            CHECK(wins == 1);                                                                      \
        }                                                                                          \
    }                                                                                              \
    TEST_CASE_FIXTURE(Fixture, name ": 20 concurrent rotates of one refresh token, one winner" *   \
                                   decorators) {                                                   \
        using namespace store_contract;                                                            \
        for (int round = 0; round < 3; ++round) {                                                  \
            const std::string rt = "rt-race-" + std::to_string(round);                             \
            open()->put(RecordKind::refresh_token, rt, "rec", 60s);                                \
            std::atomic<int> n{0};                                                                 \
            const int wins = race_threads(                                                         \
                [&] { return open(); }, 20, 1, true,                                               \
                [&](StateStore &st) {                                                              \
                    const auto mine = "rt-new-" + std::to_string(n.fetch_add(1));                  \
                    return st.rotate(RecordKind::refresh_token, rt, "rec",                         \
                                     {{RecordKind::refresh_token, mine, "rec2", 60s}});            \
                });                                                                                \
            CHECK(wins == 1);                                                                      \
            CHECK_FALSE(open()->get(RecordKind::refresh_token, rt));                               \
        }                                                                                          \
    }
