// The plugin-boundary contract (docs/plugin-abi.md, "Faults") against the real `fastmcp run`:
//   hang   bad_hang.so: a verify past --verify-timeout gets 503 provider_timeout within the deadline
//          while other clients keep getting 200; a late OK is discarded; after
//          FASTMCP_PROVIDER_MAX_HUNG_CALLS hung calls every request gets a fast 503; recovery
//          once the calls return; shutdown is not blocked by a call that never returns.
//   crash  bad_crash.so: SIGSEGV/abort inside verify kills the process (non-zero, by signal) after
//          one stderr line naming the provider and the fault; the client never gets a 200.
#include <doctest/doctest.h>

#include "../host/fastmcp_process.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <future>

using namespace host_test;
using nlohmann::json;

namespace {

const std::string kDir = FASTMCP_TEST_PROVIDER_DIR;

std::string ping() { return R"({"jsonrpc":"2.0","id":1,"method":"ping"})"; }

long ms_since(std::chrono::steady_clock::time_point start) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
}

struct Timed {
    Response response;
    long ms = 0;
};

Timed timed_post(int port, const std::string &token) {
    auto start = std::chrono::steady_clock::now();
    Timed t;
    t.response = post(port, ping(), {"Authorization: Bearer " + token});
    t.ms = ms_since(start);
    return t;
}

std::unique_ptr<Process> hang_server(int max_hung) {
    return std::make_unique<Process>(
        std::vector<std::string>{"--transport", "http", "--port", "0", "--verify-timeout", "500ms"},
        std::vector<std::string>{"FASTMCP_SERVER_AUTH=" + kDir + "/bad_hang.so:HangingProvider",
                                 "FASTMCP_PROVIDER_MAX_HUNG_CALLS=" + std::to_string(max_hung)});
}

template <class F> bool eventually(F f, int limit_ms = 10000) {
    for (int waited = 0; waited < limit_ms && !f(); waited += 50) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return f();
}

} // namespace

TEST_CASE("hang: 503 within the deadline while another client gets 200; the late OK is discarded") {
    auto server = hang_server(4);
    const int port = server->port();
    auto hung = std::async(std::launch::async, [&] { return timed_post(port, "hang-ms-1500"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100)); // the hung call is in flight
    for (int i = 0; i < 5; ++i) {
        Timed good = timed_post(port, "good-token");
        CHECK(good.response.status == 200);
        CHECK(good.ms < 400); // not queued behind the hung call
    }
    Timed h = hung.get();
    CHECK(h.response.status == 503);
    CHECK(json::parse(h.response.body)["error"] == "temporarily_unavailable");
    CHECK(h.ms >= 450);
    CHECK(h.ms < 1400); // the deadline (500 ms), not the provider's 1500 ms
    // The provider accepts hang-ms-1500 a second later: that answer must reach nobody.
    CHECK(eventually([&] { return server->stderr_text().find("was discarded") != std::string::npos; }));
    CHECK(timed_post(port, "someone-else").response.status == 401);
    CHECK(timed_post(port, "good-token").response.status == 200);
    const std::string log = server->stderr_text();
    CHECK(log.find("verify did not answer within 500 ms") != std::string::npos);
    CHECK(log.find("provider_timeout") != std::string::npos);
    CHECK(log.find("hang-ms-1500") == std::string::npos); // the token is never logged
}

TEST_CASE("hang: K hung calls make every request a fast 503; recovery once they return") {
    auto server = hang_server(2);
    const int port = server->port();
    auto a = std::async(std::launch::async, [&] { return timed_post(port, "hang-ms-2500"); });
    auto b = std::async(std::launch::async, [&] { return timed_post(port, "hang-ms-2500"); });
    CHECK(a.get().response.status == 503);
    CHECK(b.get().response.status == 503);
    // Two calls are stuck inside the provider: unhealthy, answered at once without calling it.
    for (int i = 0; i < 3; ++i) {
        Timed t = timed_post(port, "good-token");
        CHECK(t.response.status == 503);
        CHECK(t.ms < 300);
    }
    // The stuck calls return ~2.5 s after they started: the provider is healthy again, no restart.
    CHECK(eventually([&] { return timed_post(port, "good-token").response.status == 200; }));
    CHECK(server->stderr_text().find("provider unhealthy") != std::string::npos);
}

TEST_CASE("hang: calls that never return cost at most K threads and do not block shutdown") {
    auto server = hang_server(2);
    const int port = server->port();
    for (int i = 0; i < 6; ++i) {
        Timed t = timed_post(port, "hang-forever");
        CHECK(t.response.status == 503);
        CHECK(t.ms < 1400);
        if (i >= 2) CHECK(t.ms < 300); // unhealthy: not even dispatched
    }
    CHECK(timed_post(port, "good-token").response.status == 503);
    auto start = std::chrono::steady_clock::now();
    CHECK(server->stop(SIGTERM, 15000) == 0);
    CHECK(ms_since(start) < 10000);
    CHECK(server->stderr_text().find("still hung at shutdown") != std::string::npos);
}

namespace {

void expect_crash(const std::string &token, const std::string &signal_name) {
    Process server({"--transport", "http", "--port", "0"}, {"FASTMCP_SERVER_AUTH=" + kDir + "/bad_crash.so:CrashingProvider"});
    CHECK(timed_post(server.port(), "good-token").response.status == 200);
    bool got_response = false;
    int status = 0;
    try {
        status = timed_post(server.port(), token).response.status;
        got_response = true;
    } catch (const std::exception &) {
        // the connection dropped: the only acceptable outcome
    }
    CHECK_FALSE(got_response);
    CHECK(status != 200);
    const int exit_status = server.wait_exit(20000);
    CHECK(exit_status != 0);
    CHECK(exit_status != -1);
    const std::string log = server.stderr_text();
    INFO(log);
    CHECK(log.find("fastmcp: FATAL: " + signal_name + " inside auth provider CrashingProvider (") != std::string::npos);
    CHECK(log.find("bad_crash.so) verify(); the server stops so that its supervisor can restart it") != std::string::npos);
    CHECK(log.find(token) == std::string::npos);
}

} // namespace

TEST_CASE("crash: SIGSEGV inside verify stops the server loudly, never a 200") { expect_crash("crash-segv", "SIGSEGV"); }

TEST_CASE("crash: abort() inside verify stops the server loudly, never a 200") { expect_crash("crash-abort", "SIGABRT"); }
