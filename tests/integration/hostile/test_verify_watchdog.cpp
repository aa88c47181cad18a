// The verify deadline: VerifyWatchdog (host/auth/verify_watchdog.hpp, the provider's health) over
// a fake backend, and the event loop (host/http/connection.hpp) answering a canned 503 on a real
// loopback connection when a verify on the blocking pool passes its deadline.
#include <doctest/doctest.h>

#include "auth/verify_watchdog.hpp"
#include "http/http_server.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <stdexcept>
#include <thread>

using namespace fastmcp;
using namespace std::chrono_literals;
using fastmcp::host::EventLoop;
using fastmcp::host::HttpExchange;
using fastmcp::host::HttpServer;
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
    std::optional<RouteResponse> handle_route(const RouteRequest &) const override {
        return std::nullopt;
    }
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
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - start)
                                 .count());
}

// Arms the verify deadline for every request; the "provider" answers after `verify_ms` on a
// thread of its own, as a verify on the blocking pool would.
class DeadlineHandler : public host::RequestHandler {
  public:
    DeadlineHandler(const VerifyDeadline &d, int deadline_ms, int verify_ms)
        : deadline_(d), deadline_ms_(deadline_ms), verify_ms_(verify_ms) {}
    void handle(const std::shared_ptr<HttpExchange> &x) override {
        x->arm_verify_deadline(EventLoop::now_ms() + deadline_ms_, deadline_);
        std::thread([this, x] {
            std::this_thread::sleep_for(std::chrono::milliseconds(verify_ms_));
            x->post([this, x] {
                if (!x->disarm_verify_deadline()) {
                    refused = true;
                    deadline_.watchdog->returned_late(FASTMCP_REASON_OK);
                    return;
                }
                x->response().setStatus(Poco::Net::HTTPResponse::HTTP_OK);
                x->response().setContentLength(2);
                x->response().send() << "ok";
                x->finish();
            });
        }).detach();
    }
    std::atomic<bool> refused{false};

  private:
    const VerifyDeadline &deadline_;
    int deadline_ms_, verify_ms_;
};

struct Served {
    std::shared_ptr<DeadlineHandler> handler;
    HttpServer server;
    Served(const VerifyDeadline &d, int deadline_ms, int verify_ms)
        : handler(std::make_shared<DeadlineHandler>(d, deadline_ms, verify_ms)),
          server("127.0.0.1", 0, ServerLimits{}, handler) {
        server.start();
    }
    ~Served() { server.drain(2000); }
};

const std::string kRequest = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// Everything the peer receives until EOF, or for at most `ms`.
std::string read_for(Poco::Net::StreamSocket &s, int ms) {
    s.setReceiveTimeout(Poco::Timespan(0, ms * 1000));
    std::string out;
    char buffer[1024];
    try {
        for (int n; (n = s.receiveBytes(buffer, sizeof buffer)) > 0;)
            out.append(buffer, static_cast<size_t>(n));
    } catch (const Poco::TimeoutException &) {
    }
    return out;
}

} // namespace

TEST_CASE("verify passes the provider's verdict through; an exception is an internal error") {
    auto inner = std::make_shared<FakeBackend>();
    VerifyWatchdog w(options(2000ms), "Fake", inner);
    CHECK(w.verify("ok").ok());
    CHECK(w.verify("nope").reason == FASTMCP_REASON_UNKNOWN_TOKEN);
    CHECK(w.verify("throw").reason == FASTMCP_REASON_INTERNAL_ERROR);
    CHECK(w.stuck() == 0);
}

TEST_CASE("max_stuck abandoned calls make the provider unhealthy: PROVIDER_TIMEOUT without a call, "
          "then recovery") {
    auto inner = std::make_shared<FakeBackend>();
    VerifyWatchdog w(options(100ms, 2), "Fake", inner);
    w.abandoned();
    CHECK(w.verify("ok").ok()); // one stuck call: still healthy
    w.abandoned();
    CHECK(w.stuck() == 2);
    const int calls = inner->calls;
    for (int i = 0; i < 10; ++i)
        CHECK(w.verify("ok").reason == FASTMCP_REASON_PROVIDER_TIMEOUT);
    CHECK(inner->calls == calls); // not called while unhealthy
    w.returned_late(FASTMCP_REASON_OK);
    CHECK(w.stuck() == 1);
    CHECK(w.verify("ok").ok());
}

TEST_CASE("the loop answers a verify past its deadline with the canned 503; the late verdict is "
          "refused") {
    auto inner = std::make_shared<FakeBackend>();
    VerifyWatchdog w(options(50ms), "Fake", inner);
    const VerifyDeadline deadline{
        &w, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"};
    Served served(deadline, 50, 600);
    Poco::Net::StreamSocket client(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(served.server.port())));
    const auto start = std::chrono::steady_clock::now();
    client.sendBytes(kRequest.data(), static_cast<int>(kRequest.size()));
    // The "provider" hangs for 600 ms: the peer gets the 503 and EOF long before.
    CHECK(read_for(client, 3000) == deadline.response);
    CHECK(ms_since(start) >= 45);
    CHECK(ms_since(start) < 500); // deadline + one tick (100 ms), with slack for a loaded machine
    CHECK(w.stuck() == 1);
    // verify returns late: the handler learns it must discard the verdict.
    for (int i = 0; i < 300 && !served.handler->refused; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(served.handler->refused);
    CHECK(w.stuck() == 0);
}

TEST_CASE("a verify that returns in time keeps its verdict and the connection stays usable") {
    auto inner = std::make_shared<FakeBackend>();
    VerifyWatchdog w(options(400ms), "Fake", inner);
    const VerifyDeadline deadline{
        &w, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"};
    Served served(deadline, 400, 20);
    Poco::Net::StreamSocket client(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(served.server.port())));
    for (int i = 0; i < 2; ++i) { // the second request proves keep-alive survived the first
        client.sendBytes(kRequest.data(), static_cast<int>(kRequest.size()));
        const std::string answer = read_for(client, 600);
        CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(answer.find("\r\n\r\nok") != std::string::npos);
    }
    std::this_thread::sleep_for(500ms); // past the deadline and several ticks
    CHECK(w.stuck() == 0);
    CHECK_FALSE(served.handler->refused);
}
