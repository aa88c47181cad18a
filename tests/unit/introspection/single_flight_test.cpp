// Single-flight: concurrent requests presenting the same uncached token cause one introspection
// call. The injected fetcher holds the first call until every other thread has joined it (seen
// through coalesced()), so the overlap is certain rather than hoped for; then it answers.
#include "fake_idp_host.hpp"

#include "fastmcp/introspection/introspection_verifier.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <thread>

using namespace fastmcp;
using fastmcp::introspection::IntrospectionTokenVerifier;
using fastmcp::testing::FakeIdpHost;
using fastmcp::testing::RecordedRequest;
using nlohmann::json;

namespace {

constexpr int kThreads = 8;

json flight_settings(int cache_ttl_seconds = 60) {
    return {{"introspection_url", "https://idp.test/introspect"},
            {"client_id", "rs"},
            {"client_secret", "s3cret"},
            {"cache_ttl_seconds", cache_ttl_seconds}};
}

plugin::HttpResponse answer(const json &body) {
    plugin::HttpResponse r;
    r.status = 200;
    r.body = body.dump();
    r.content_type = "application/json";
    return r;
}

// A fetcher that blocks every call until released.
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    void wait() {
        std::unique_lock lock(m);
        cv.wait_for(lock, std::chrono::seconds(10), [&] { return open; });
    }
    void release() {
        {
            std::lock_guard lock(m);
            open = true;
        }
        cv.notify_all();
    }
};

// Waits (bounded) until `done()` holds; false on timeout.
template <class F> bool eventually(F done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// Runs verify(token) on kThreads threads at once; releases the gate once the first call is at the
// fetcher and the other kThreads-1 wait for it.
std::vector<plugin::Verdict> burst(IntrospectionTokenVerifier &v, FakeIdpHost &fake, Gate &gate,
                                   const std::string &token, bool &all_joined) {
    const uint64_t before = v.coalesced();
    std::vector<plugin::Verdict> verdicts(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] { verdicts[i] = v.verify(token); });
    all_joined = eventually(
        [&] { return fake.request_count() >= 1 && v.coalesced() - before == kThreads - 1; });
    gate.release();
    for (auto &t : threads)
        t.join();
    return verdicts;
}

} // namespace

TEST_CASE("single-flight: concurrent requests with the same uncached token cause one introspection "
          "call") {
    FakeIdpHost fake;
    Gate gate;
    fake.respond = [&](const RecordedRequest &) {
        gate.wait();
        return answer(
            {{"active", true}, {"sub", "u1"}, {"client_id", "app"}, {"exp", fake.now_s() + 3600}});
    };
    IntrospectionTokenVerifier v(fake.host(), flight_settings().dump());
    bool all_joined = false;
    const auto verdicts = burst(v, fake, gate, "fresh-token", all_joined);
    CHECK(all_joined);
    CHECK(fake.request_count() == 1);
    CHECK(v.requests() == 1);
    CHECK(v.coalesced() == kThreads - 1);
    for (const auto &verdict : verdicts) {
        REQUIRE(verdict.reason == FASTMCP_REASON_OK);
        CHECK(verdict.token->subject == "u1");
        CHECK(verdict.token->token == "fresh-token"); // each caller's own token, byte for byte
    }
    // Later requests are served by the cache; describe() counts the joins.
    CHECK(v.verify("fresh-token").reason == FASTMCP_REASON_OK);
    CHECK(fake.request_count() == 1);
    CHECK(json::parse(v.describe_json())["health"]["coalesced"] == kThreads - 1);
}

TEST_CASE("single-flight with the cache off still shares the one call in progress") {
    FakeIdpHost fake;
    Gate gate;
    fake.respond = [&](const RecordedRequest &) {
        gate.wait();
        return answer({{"active", true}, {"sub", "u1"}});
    };
    IntrospectionTokenVerifier v(fake.host(), flight_settings(0).dump());
    bool all_joined = false;
    const auto verdicts = burst(v, fake, gate, "tok", all_joined);
    CHECK(all_joined);
    CHECK(fake.request_count() == 1);
    for (const auto &verdict : verdicts)
        CHECK(verdict.reason == FASTMCP_REASON_OK);
    // Nothing is cached, so the next request asks again.
    CHECK(v.verify("tok").reason == FASTMCP_REASON_OK);
    CHECK(fake.request_count() == 2);
}

TEST_CASE(
    "single-flight: a failed call fails every request that joined it, and is not remembered") {
    FakeIdpHost fake;
    Gate gate;
    bool endpoint_up = false;
    fake.respond = [&](const RecordedRequest &) {
        gate.wait();
        if (endpoint_up) return answer({{"active", true}, {"sub", "u1"}});
        plugin::HttpResponse refused;
        refused.error = "connection refused";
        return refused;
    };
    IntrospectionTokenVerifier v(fake.host(), flight_settings().dump());
    bool all_joined = false;
    const auto verdicts = burst(v, fake, gate, "tok", all_joined);
    CHECK(all_joined);
    CHECK(fake.request_count() == 1);
    for (const auto &verdict : verdicts)
        CHECK(verdict.reason == FASTMCP_REASON_INTROSPECTION_UNAVAILABLE);
    endpoint_up = true;
    CHECK(v.verify("tok").reason ==
          FASTMCP_REASON_OK); // the failure was not shared with later requests
    CHECK(fake.request_count() == 2);
}

TEST_CASE("single-flight is per token: different tokens are introspected concurrently") {
    FakeIdpHost fake;
    Gate gate;
    fake.respond = [&](const RecordedRequest &r) {
        gate.wait();
        return answer({{"active", true}, {"sub", r.body}});
    };
    IntrospectionTokenVerifier v(fake.host(), flight_settings().dump());
    std::vector<plugin::Verdict> verdicts(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] { verdicts[i] = v.verify("token-" + std::to_string(i)); });
    // All kThreads calls reach the endpoint while none has been answered: none waits for another.
    CHECK(eventually([&] { return fake.request_count() == kThreads; }));
    gate.release();
    for (auto &t : threads)
        t.join();
    CHECK(v.coalesced() == 0);
    for (int i = 0; i < kThreads; ++i) {
        REQUIRE(verdicts[i].reason == FASTMCP_REASON_OK);
        CHECK(verdicts[i].token->subject ==
              "token=token-" + std::to_string(i) + "&token_type_hint=access_token");
    }
}
