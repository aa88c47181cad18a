// The verify deadline without a thread hand-off: VerifyWatchdog (host/auth/verify_watchdog.hpp,
// the provider's health) over a fake backend, and the connection reaper (host/http/connection.hpp)
// answering a canned 503 on a real loopback socket when a verify passes its deadline.
#include <doctest/doctest.h>

#include "auth/verify_watchdog.hpp"
#include "http/connection.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <stdexcept>
#include <thread>

using namespace fastmcp;
using namespace std::chrono_literals;
using fastmcp::host::ConnectionTracker;
using fastmcp::host::VerifyDeadline;
using fastmcp::host::VerifyWatchdog;
using fastmcp::host::VerifyWatchdogOptions;

namespace {

// "ok" accepts; "throw" throws; anything else is UNKNOWN_TOKEN.
class FakeBackend : public AuthBackend {
public:
    AuthVerdict verify(std::string_view token) const override {
        ++calls;
        if (token == "throw") throw std::runtime_error("boom");
        AuthVerdict v;
        v.reason = FASTMCP_REASON_UNKNOWN_TOKEN;
        if (token == "ok") {
            v.reason = FASTMCP_REASON_OK;
            v.token = std::make_shared<AccessToken>();
        }
        return v;
    }
    const AuthInfo &info() const override { return info_; }
    std::optional<RouteResponse> handle_route(const RouteRequest &) const override { return std::nullopt; }
    mutable std::atomic<int> calls{0};

private:
    AuthInfo info_;
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

// A connected loopback pair: `server` is what a request thread would own, `client` the peer.
struct SocketPair {
    Poco::Net::ServerSocket listener{Poco::Net::SocketAddress("127.0.0.1", 0)};
    Poco::Net::StreamSocket client;
    Poco::Net::StreamSocket server;
    SocketPair() {
        client.connect(listener.address());
        server = listener.acceptConnection();
        client.setReceiveTimeout(Poco::Timespan(3, 0));
    }
    // Everything the peer receives until EOF (or the 3 s receive timeout).
    std::string read_all() {
        std::string out;
        char buffer[1024];
        try {
            for (int n; (n = client.receiveBytes(buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<size_t>(n));
        } catch (const Poco::TimeoutException &) {
        }
        return out;
    }
};

} // namespace

TEST_CASE("verify passes the provider's verdict through; an exception is an internal error") {
    auto inner = std::make_shared<FakeBackend>();
    VerifyWatchdog w(options(2000ms), "Fake", inner);
    CHECK(w.verify("ok").ok());
    CHECK(w.verify("nope").reason == FASTMCP_REASON_UNKNOWN_TOKEN);
    CHECK(w.verify("throw").reason == FASTMCP_REASON_INTERNAL_ERROR);
    CHECK(w.stuck() == 0);
}

TEST_CASE("max_stuck abandoned calls make the provider unhealthy: PROVIDER_TIMEOUT without a call, then recovery") {
    auto inner = std::make_shared<FakeBackend>();
    VerifyWatchdog w(options(100ms, 2), "Fake", inner);
    w.abandoned();
    CHECK(w.verify("ok").ok()); // one stuck call: still healthy
    w.abandoned();
    CHECK(w.stuck() == 2);
    const int calls = inner->calls;
    for (int i = 0; i < 10; ++i) CHECK(w.verify("ok").reason == FASTMCP_REASON_PROVIDER_TIMEOUT);
    CHECK(inner->calls == calls); // not called while unhealthy
    w.returned_late(FASTMCP_REASON_OK);
    CHECK(w.stuck() == 1);
    CHECK(w.verify("ok").ok());
}

TEST_CASE("the reaper answers a verify past its deadline with the canned 503; the late verdict is refused") {
    auto inner = std::make_shared<FakeBackend>();
    VerifyWatchdog w(options(50ms), "Fake", inner);
    const VerifyDeadline deadline{&w, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"};
    SocketPair pair;
    ConnectionTracker tracker;
    auto state = tracker.add(pair.server);
    const auto start = std::chrono::steady_clock::now();
    state->verifying(ConnectionTracker::now_ms() + 50, deadline);
    // The "provider" hangs: nobody on this side touches the socket. The peer gets the 503 and EOF.
    CHECK(pair.read_all() == deadline.response);
    CHECK(ms_since(start) >= 45);
    CHECK(ms_since(start) < 1000); // deadline + one reaper period (100 ms), with slack for a loaded machine
    CHECK(w.stuck() == 1);
    CHECK(tracker.abandoned() == 1);
    // verify returns late: the handler learns it must discard the verdict.
    CHECK_FALSE(state->finish_verify());
    CHECK(state->timed_out());
    w.returned_late(FASTMCP_REASON_OK);
    CHECK(w.stuck() == 0);
    tracker.remove(state);
}

TEST_CASE("a verify that returns in time keeps its verdict and the reaper leaves the connection alone") {
    auto inner = std::make_shared<FakeBackend>();
    VerifyWatchdog w(options(100ms), "Fake", inner);
    const VerifyDeadline deadline{&w, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"};
    SocketPair pair;
    ConnectionTracker tracker;
    auto state = tracker.add(pair.server);
    state->verifying(ConnectionTracker::now_ms() + 100, deadline);
    CHECK(state->finish_verify());
    std::this_thread::sleep_for(300ms); // past the deadline and two reaper periods
    CHECK(w.stuck() == 0);
    CHECK(tracker.abandoned() == 0);
    CHECK_FALSE(state->timed_out());
    pair.server.sendBytes("x", 1); // the connection is still the request thread's
    char c = 0;
    CHECK(pair.client.receiveBytes(&c, 1) == 1);
    tracker.remove(state);
}
