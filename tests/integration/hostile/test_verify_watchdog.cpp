// VerifyWatchdog (host/auth/verify_watchdog.hpp) over a fake backend whose verify blocks until the
// test releases it: deadline, discarded late answers, unhealthy after max_stuck, recovery, bound
// on threads, exceptions, and shutdown with a call still hung.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "auth/verify_watchdog.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

using namespace fastmcp;
using namespace std::chrono_literals;
using fastmcp::host::VerifyWatchdog;
using fastmcp::host::VerifyWatchdogOptions;

namespace {

// "block-*" waits for release() and then ACCEPTS (a late OK); "ok" accepts; "throw" throws;
// anything else is UNKNOWN_TOKEN.
class GateBackend : public AuthBackend {
public:
    AuthVerdict verify(std::string_view token) const override {
        ++calls;
        if (token.substr(0, 6) == "block-") {
            std::unique_lock lock(mutex_);
            ++blocked;
            cv_.wait(lock, [&] { return open_; });
            --blocked;
            return ok(token);
        }
        if (token == "ok") return ok(token);
        if (token == "throw") throw std::runtime_error("boom");
        AuthVerdict v;
        v.reason = FASTMCP_REASON_UNKNOWN_TOKEN;
        return v;
    }
    const AuthInfo &info() const override { return info_; }
    std::optional<RouteResponse> handle_route(const RouteRequest &) const override { return std::nullopt; }
    void release() {
        std::lock_guard lock(mutex_);
        open_ = true;
        cv_.notify_all();
    }
    int blocked_now() const {
        std::lock_guard lock(mutex_);
        return blocked;
    }
    mutable std::atomic<int> calls{0};

private:
    static AuthVerdict ok(std::string_view token) {
        AuthVerdict v;
        v.reason = FASTMCP_REASON_OK;
        auto t = std::make_shared<AccessToken>();
        t->token.assign(token);
        v.token = std::move(t);
        return v;
    }
    AuthInfo info_;
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    mutable int blocked = 0;
    bool open_ = false;
};

VerifyWatchdogOptions options(std::chrono::milliseconds timeout, int max_stuck = 2) {
    VerifyWatchdogOptions o;
    o.timeout = timeout;
    o.max_stuck = max_stuck;
    return o;
}

long ms_since(std::chrono::steady_clock::time_point start) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
}

template <class F> bool eventually(F f) {
    for (int i = 0; i < 500 && !f(); ++i) std::this_thread::sleep_for(10ms);
    return f();
}

} // namespace

TEST_CASE("a call that answers in time passes its verdict through") {
    auto inner = std::make_shared<GateBackend>();
    VerifyWatchdog w(options(2000ms), "Gate", inner);
    AuthVerdict v = w.verify("ok");
    CHECK(v.ok());
    CHECK(v.token->token == "ok");
    CHECK(w.verify("nope").reason == FASTMCP_REASON_UNKNOWN_TOKEN);
    CHECK(w.verify("throw").reason == FASTMCP_REASON_INTERNAL_ERROR);
    CHECK(w.stuck() == 0);
}

TEST_CASE("past the deadline: PROVIDER_TIMEOUT, and the late OK is discarded") {
    auto inner = std::make_shared<GateBackend>();
    VerifyWatchdog w(options(100ms), "Gate", inner);
    auto start = std::chrono::steady_clock::now();
    AuthVerdict v = w.verify("block-1");
    CHECK(v.reason == FASTMCP_REASON_PROVIDER_TIMEOUT);
    CHECK_FALSE(v.ok());
    CHECK(ms_since(start) >= 90);
    CHECK(ms_since(start) < 1000);
    CHECK(w.stuck() == 1);
    // Other calls are still served while one is stuck.
    CHECK(w.verify("ok").ok());
    inner->release();
    CHECK(eventually([&] { return w.stuck() == 0; }));
    // The late "OK" went nowhere: the next calls get their own verdicts.
    CHECK(w.verify("nope").reason == FASTMCP_REASON_UNKNOWN_TOKEN);
    CHECK(w.verify("ok").ok());
}

TEST_CASE("max_stuck hung calls make the provider unhealthy: fast 503s, no new threads, then recovery") {
    auto inner = std::make_shared<GateBackend>();
    VerifyWatchdog w(options(100ms, 2), "Gate", inner);
    CHECK(w.verify("block-1").reason == FASTMCP_REASON_PROVIDER_TIMEOUT);
    CHECK(w.verify("block-2").reason == FASTMCP_REASON_PROVIDER_TIMEOUT);
    CHECK(w.stuck() == 2);
    const int calls = inner->calls;
    const int workers = w.workers();
    for (int i = 0; i < 20; ++i) {
        auto start = std::chrono::steady_clock::now();
        CHECK(w.verify(i % 2 ? "ok" : "block-x").reason == FASTMCP_REASON_PROVIDER_TIMEOUT);
        CHECK(ms_since(start) < 50); // answered at once, not after the deadline
    }
    CHECK(inner->calls == calls); // the provider was not called while unhealthy
    CHECK(w.workers() == workers);
    CHECK(inner->blocked_now() == 2); // stuck threads stay bounded by max_stuck
    inner->release();
    CHECK(eventually([&] { return w.stuck() == 0; }));
    CHECK(w.verify("ok").ok());
}

TEST_CASE("concurrent callers each get their own verdict") {
    auto inner = std::make_shared<GateBackend>();
    VerifyWatchdog w(options(2000ms), "Gate", inner);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const bool good = (i + t) % 2 == 0;
                AuthVerdict v = w.verify(good ? "ok" : "bad");
                if (v.ok() != good) ++wrong;
            }
        });
    for (auto &t : threads) t.join();
    CHECK(wrong == 0);
    CHECK(w.workers() <= 8);
}

TEST_CASE("timeout 0 calls the provider inline") {
    auto inner = std::make_shared<GateBackend>();
    VerifyWatchdog w(options(0ms), "Gate", inner);
    CHECK(w.verify("ok").ok());
    CHECK(w.workers() == 0);
}

TEST_CASE("destruction with a call still hung neither blocks forever nor frees what it runs in") {
    auto inner = std::make_shared<GateBackend>();
    auto start = std::chrono::steady_clock::now();
    {
        VerifyWatchdog w(options(50ms), "Gate", inner);
        CHECK(w.verify("block-1").reason == FASTMCP_REASON_PROVIDER_TIMEOUT);
    }
    CHECK(ms_since(start) < 3000);
    CHECK(inner.use_count() >= 2); // the stuck worker still holds the backend
    inner->release();
    CHECK(eventually([&] { return inner.use_count() == 1; }));
}
