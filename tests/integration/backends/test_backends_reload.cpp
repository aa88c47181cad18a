// Issue 17 acceptance: `fastmcp run --env-file F` swaps its auth backend on SIGHUP while 8
// keep-alive clients call a tool with AuthKit tokens (emulator), and no request fails at the
// connection level. (1) F -> StaticTokenVerifier: within 1 s the static token gets 200 and AuthKit
// tokens 401. (2) F -> an invalid value: nothing changes, one error line names the variable.
// (3) F -> AuthKit: AuthKit tokens work again. (4) 100 reloads: fd count and RSS stay flat.
#include <doctest/doctest.h>

#include "../supabase/supabase_test_support.hpp"

#include <dirent.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace supabase_test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kBase = "http://127.0.0.1:8000";
const std::string kModule = std::string(FASTMCP_BINARY_DIR) + "/examples/greeter.so";
const std::string kStaticToken = "static-reload-token-9d2e";

std::string authkit_env(const std::string &emulator_url) {
    return "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.workos.AuthKitProvider\n"
           "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=" +
           emulator_url +
           "\n"
           "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL=" +
           kBase + "\n";
}

std::string static_env(const std::string &base_url = kBase) {
    return "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.jwt.StaticTokenVerifier\n"
           "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_TOKENS='{\"" +
           kStaticToken +
           "\": {\"client_id\": \"ci\", \"scopes\": [], \"claims\": {\"sub\": \"static-user\"}}}'\n"
           "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_BASE_URL=" +
           base_url + "\n";
}

std::string tool_call() {
    return json{{"jsonrpc", "2.0"},
                {"id", 1},
                {"method", "tools/call"},
                {"params", {{"name", "greet"}, {"arguments", json::object()}}}}
        .dump();
}

// One keep-alive client calling the tool in a loop, counting answers by kind. A connection that
// breaks without a complete response (reset, early close) is a failure; a server that says
// "Connection: close" is followed by a reconnect.
class LoadClient {
  public:
    LoadClient(int port, std::string token) : port_(port), token_(std::move(token)) {
        thread_ = std::thread([this] { run(); });
    }
    ~LoadClient() { stop(); }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    std::atomic<long> ok{0}, unauthorized{0}, server_errors{0}, other{0}, broken{0};

  private:
    void run() {
        const std::string raw = host_test::request(port_, "POST", "/mcp", tool_call(),
                                                   {"Authorization: Bearer " + token_});
        int fd = -1;
        std::string buffer;
        while (!stop_) {
            try {
                if (fd < 0) {
                    fd = host_test::connect_to(port_);
                    buffer.clear();
                }
                host_test::send_all(fd, raw);
                const auto r = host_test::read_response(fd, buffer);
                if (r.status == 200)
                    ++ok;
                else if (r.status == 401)
                    ++unauthorized;
                else if (r.status >= 500)
                    ++server_errors;
                else
                    ++other;
                if (r.header("connection") == "close") {
                    ::close(fd);
                    fd = -1;
                }
            } catch (const std::exception &) {
                ++broken;
                if (fd >= 0) ::close(fd);
                fd = -1;
            }
            std::this_thread::sleep_for(5ms);
        }
        if (fd >= 0) ::close(fd);
    }
    int port_;
    std::string token_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

int status_of(int port, const std::string &token) { return call_tool(port, token, "greet").status; }

// Polls until the server answers `expect_ok` with 200 and `expect_401` with 401; the time it took,
// or -1 ms past `limit`.
std::chrono::milliseconds wait_for_swap(int port, const std::string &expect_ok,
                                        const std::string &expect_401,
                                        std::chrono::milliseconds limit) {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
        if (status_of(port, expect_ok) == 200 && status_of(port, expect_401) == 401)
            return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
        std::this_thread::sleep_for(5ms);
    }
    return -1ms;
}

size_t count(const std::string &text, const std::string &needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

long fd_count(pid_t pid) {
    long n = 0;
    DIR *d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
    if (!d) return -1;
    while (dirent *e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n;
}

// The fewest fds over 200 ms: the probes' short-lived connections come and go, the leaks stay.
long settled_fd_count(pid_t pid) {
    long fewest = fd_count(pid);
    for (int i = 0; i < 10; ++i) {
        std::this_thread::sleep_for(20ms);
        fewest = std::min(fewest, fd_count(pid));
    }
    return fewest;
}

long rss_kb(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

} // namespace

TEST_CASE("SIGHUP swaps AuthKit and StaticTokenVerifier under load, with no dropped request") {
    Service emulator = start_emulator();
    const std::string authkit_token =
        mint(emulator.port, {{"sub", "authkit-user"}, {"aud", kBase + "/mcp"}});
    TempDir dir;
    const std::string env_file = dir.write("server.env", authkit_env(emulator.url));
    host_test::Process host(
        {kModule, "--transport", "http", "--port", "0", "--env-file", env_file});
    const int port = host.port();
    REQUIRE(status_of(port, authkit_token) == 200);
    REQUIRE(status_of(port, kStaticToken) == 401);
    const std::string authkit_metadata =
        host_test::get(port, "/.well-known/oauth-protected-resource/mcp").body;

    std::vector<std::unique_ptr<LoadClient>> clients;
    for (int i = 0; i < 8; ++i)
        clients.push_back(std::make_unique<LoadClient>(port, authkit_token));
    std::this_thread::sleep_for(300ms);
    for (auto &c : clients)
        REQUIRE(c->ok > 0);

    // (1) AuthKit -> StaticTokenVerifier.
    dir.write("server.env", static_env());
    REQUIRE(::kill(host.pid(), SIGHUP) == 0);
    const auto to_static = wait_for_swap(port, kStaticToken, authkit_token, 1000ms);
    MESSAGE("AuthKit -> Static swap observed after " << to_static.count() << " ms");
    CHECK(to_static >= 0ms);
    std::this_thread::sleep_for(200ms);
    for (auto &c : clients) // every client's next request after the swap: 401, never data
        CHECK(c->unauthorized > 0);
    // The provider's routes switched with it: the RFC 9728 document is the static verifier's.
    CHECK(host_test::get(port, "/.well-known/oauth-protected-resource/mcp").body !=
          authkit_metadata);

    // (2) An invalid value: nothing changes, one error line names the variable.
    dir.write("server.env", static_env("ftp://not-allowed.example"));
    REQUIRE(::kill(host.pid(), SIGHUP) == 0);
    const auto start = Clock::now();
    while (count(host.stderr_text(), "auth reload failed") == 0 && Clock::now() - start < 5s)
        std::this_thread::sleep_for(10ms);
    const std::string log = host.stderr_text();
    CHECK(count(log, "auth reload failed") == 1);
    const size_t line_at = log.find("auth reload failed");
    const std::string line = log.substr(line_at, log.find('\n', line_at) - line_at);
    MESSAGE("error line: " << line);
    CHECK(line.find("FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_BASE_URL") != std::string::npos);
    CHECK(line.find("StaticTokenVerifier") != std::string::npos); // still serving with it
    CHECK(status_of(port, kStaticToken) == 200);
    CHECK(status_of(port, authkit_token) == 401);

    // (3) Back to AuthKit.
    dir.write("server.env", authkit_env(emulator.url));
    REQUIRE(::kill(host.pid(), SIGHUP) == 0);
    const auto to_authkit = wait_for_swap(port, authkit_token, kStaticToken, 1000ms);
    MESSAGE("Static -> AuthKit swap observed after " << to_authkit.count() << " ms");
    CHECK(to_authkit >= 0ms);
    CHECK(host_test::get(port, "/.well-known/oauth-protected-resource/mcp").body ==
          authkit_metadata);

    // (4) 100 more reloads, alternating; fd count and RSS after the 10th vs after the 100th.
    long fd10 = 0, rss10 = 0;
    long worst_ms = 0;
    for (int i = 1; i <= 100; ++i) {
        const bool to_static_now = i % 2 == 1;
        dir.write("server.env", to_static_now ? static_env() : authkit_env(emulator.url));
        REQUIRE(::kill(host.pid(), SIGHUP) == 0);
        const auto took = to_static_now ? wait_for_swap(port, kStaticToken, authkit_token, 2000ms)
                                        : wait_for_swap(port, authkit_token, kStaticToken, 2000ms);
        REQUIRE(took >= 0ms);
        worst_ms = std::max<long>(worst_ms, took.count());
        if (i == 10) {
            fd10 = settled_fd_count(host.pid());
            rss10 = rss_kb(host.pid());
        }
    }
    const long fd100 = settled_fd_count(host.pid()), rss100 = rss_kb(host.pid());
    MESSAGE("fds after reload 10: " << fd10 << ", after 100: " << fd100
                                    << "; VmRSS after 10: " << rss10 << " kB, after 100: " << rss100
                                    << " kB; slowest swap " << worst_ms << " ms");
    CHECK(fd10 > 0);
    CHECK(std::abs(fd100 - fd10) <= std::max(1L, fd10 / 10));
#ifndef FASTMCP_TEST_SANITIZED // ASan's quarantine grows RSS by design
    CHECK(std::abs(rss100 - rss10) <= rss10 / 10);
#endif

    long total = 0;
    for (auto &c : clients) {
        c->stop();
        CHECK(c->broken == 0);        // no reset, no close without an answer
        CHECK(c->server_errors == 0); // no 5xx
        CHECK(c->other == 0);
        total += c->ok + c->unauthorized;
    }
    MESSAGE("load: " << total << " requests by 8 keep-alive clients across 103 reloads");
    CHECK(host.stop() == 0);
    const std::string final_log = host.stderr_text();
    CHECK(count(final_log, "auth reload succeeded") == 102);
    CHECK(count(final_log, "auth reload failed") == 1);
    CHECK(final_log.find(authkit_token) == std::string::npos);
    CHECK(final_log.find(kStaticToken) == std::string::npos);
}

TEST_CASE("stateful: after a reload, a session whose token the new provider rejects gets 401, and "
          "another identity is not given the session") {
    Service emulator = start_emulator();
    const std::string authkit_token =
        mint(emulator.port, {{"sub", "authkit-user"}, {"aud", kBase + "/mcp"}});
    TempDir dir;
    const std::string stateful = "FASTMCP_STATELESS_HTTP=false\n";
    const std::string env_file = dir.write("server.env", authkit_env(emulator.url) + stateful);
    host_test::Process host(
        {kModule, "--transport", "http", "--port", "0", "--env-file", env_file});
    const int port = host.port();

    const json initialize = {{"jsonrpc", "2.0"},
                             {"id", 1},
                             {"method", "initialize"},
                             {"params",
                              {{"protocolVersion", "2025-06-18"},
                               {"capabilities", json::object()},
                               {"clientInfo", {{"name", "reload-test"}, {"version", "1"}}}}}};
    const auto init =
        host_test::post(port, initialize.dump(), {"Authorization: Bearer " + authkit_token});
    REQUIRE(init.status == 200);
    const std::string session = init.header("mcp-session-id");
    REQUIRE_FALSE(session.empty());
    auto in_session = [&](const std::string &token) {
        return host_test::post(port, tool_call(),
                               {"Authorization: Bearer " + token, "Mcp-Session-Id: " + session});
    };
    REQUIRE(in_session(authkit_token).status == 200);

    dir.write("server.env", static_env() + stateful);
    REQUIRE(::kill(host.pid(), SIGHUP) == 0);
    const auto start = Clock::now();
    host_test::Response r;
    while ((r = in_session(authkit_token)).status == 200 && Clock::now() - start < 1s)
        std::this_thread::sleep_for(5ms);
    CHECK(r.status == 401); // the session's own token: rejected by the new provider, no data
    CHECK(r.body.find("Hello") == std::string::npos);
    CHECK(in_session(authkit_token).status == 401);
    // A token the new provider accepts, of another identity: the session is not found (404).
    CHECK(in_session(kStaticToken).status == 404);
    CHECK(host.stop() == 0);
}
