// AuthReloader (host/server/auth_reload.hpp) over real provider modules, in process: a reload while
// a slow verify is inside the old module lets that call finish on it, and the old module is
// dlclose'd only after the call returns and its request lets go. The HTTP case runs the real
// handler on the event loops: the pin travels in the request across the blocking-pool hop, and the
// old backend's verify deadline answers its canned 503 after the swap. Build it with the asan
// preset to show there is no use-after-free. Failing configurations change nothing.
#include <doctest/doctest.h>

#include "http/http_server.hpp"
#include "http/mcp_http_handler.hpp"
#include "mcp/dispatcher.hpp"
#include "server/auth_reload.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <dlfcn.h>
#include <stdlib.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace fastmcp;
using namespace std::chrono_literals;

namespace {

const std::string kDir = FASTMCP_TEST_PROVIDER_DIR;

std::string real(const std::string &path) {
    char buf[PATH_MAX];
    return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

// True while the module is mapped in this process (RTLD_NOLOAD never loads it). glibc never unmaps
// a module with STB_GNU_UNIQUE symbols (g++ emits them for inline statics), so only a clang build
// (the asan preset) shows the unmapping; the destroy marker below is the portable signal.
bool loaded(const std::string &module) {
    void *h = ::dlopen(real(module).c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (h) ::dlclose(h);
    return h != nullptr;
}

// bad_hang.so appends a line to $FASTMCP_TEST_HANG_DESTROYED per destroyed instance.
size_t destroyed_instances(const std::string &file) {
    std::ifstream in(file);
    size_t n = 0;
    for (std::string line; std::getline(in, line);)
        ++n;
    return n;
}

struct EnvFile {
    std::string path;
    EnvFile() {
        char tmpl[] = "/tmp/fastmcp-reload-test-XXXXXX";
        int fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = tmpl;
    }
    ~EnvFile() { std::remove(path.c_str()); }
    void write(const std::string &text) const { std::ofstream(path, std::ios::trunc) << text; }
};

const std::string kHang = "FASTMCP_SERVER_AUTH=" + kDir + "/bad_hang.so:HangingProvider\n";
const std::string kHello = "FASTMCP_SERVER_AUTH=" + kDir +
                           "/hello.so:HelloProvider\n"
                           "FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN=hello-token\n";

struct Fixture {
    EnvFile env;
    host::AuthSource source;
    std::shared_ptr<host::AuthSlot> slot;
    std::unique_ptr<host::AuthReloader> reloader;

    explicit Fixture(const std::string &initial) {
        ::unsetenv("FASTMCP_SERVER_AUTH"); // the file decides, not the caller's environment
        env.write(initial);
        source.env_file = env.path;
        source.mcp_path = "/mcp";
        source.bind_host = "127.0.0.1";
        host::LoadedAuth first = host::auth_from_environment(source);
        REQUIRE(first.backend);
        slot = std::make_shared<host::AuthSlot>(std::move(first.backend));
        reloader = std::make_unique<host::AuthReloader>(source, slot, first.label);
    }
    fastmcp_reason verify(const std::string &token) const {
        return slot->pin()->backend->verify(token).reason;
    }
};

// One POST /mcp ping with `token`, on its own connection: the status, and the whole answer.
std::pair<int, std::string> ping(int port, const std::string &token) {
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    const std::string request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                token +
                                "\r\nContent-Type: application/json\r\nAccept: application/json, "
                                "text/event-stream\r\nConnection: close\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    Poco::Net::StreamSocket s(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    s.sendBytes(request.data(), static_cast<int>(request.size()));
    s.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string out;
    char buffer[4096];
    try {
        for (int n; (n = s.receiveBytes(buffer, sizeof buffer)) > 0;)
            out.append(buffer, static_cast<size_t>(n));
    } catch (const Poco::Exception &) {
    }
    const int status = out.size() > 12 ? std::atoi(out.c_str() + 9) : 0;
    return {status, out};
}

} // namespace

TEST_CASE("over HTTP on the event loops: requests inside the old provider when the slot is "
          "replaced finish on it, its verify deadline still answers, and it dies after them") {
    EnvFile marker;
    ::setenv("FASTMCP_TEST_HANG_DESTROYED", marker.path.c_str(), 1);
    Fixture f(kHang + "FASTMCP_PROVIDER_VERIFY_TIMEOUT=700ms\n");
    REQUIRE(f.slot->pin()->verify_deadline);

    host::HttpAppConfig config;
    config.auth = f.slot;
    config.dispatcher = std::make_shared<host::Dispatcher>(
        host::ServerInfo{"reload-test", "1", ""}, std::map<std::string, Tool, std::less<>>{});
    host::HttpServer server("127.0.0.1", 0, ServerLimits{},
                            std::make_shared<host::McpHttpHandler>(config));
    server.start();
    const int port = server.port();
    REQUIRE(ping(port, "good-token").first == 200); // the hanging provider, cache miss: pool

    // Three verifies that return inside the deadline, one that passes it: all on the pool, each
    // request pinning the hanging provider's view.
    std::vector<std::future<std::pair<int, std::string>>> slow;
    for (int i = 0; i < 3; ++i)
        slow.push_back(std::async(std::launch::async, ping, port, "hang-ms-250"));
    auto late = std::async(std::launch::async, ping, port, "hang-ms-1500");
    std::this_thread::sleep_for(100ms);

    f.env.write(kHello);
    REQUIRE(f.reloader->reload());
    CHECK(ping(port, "hello-token").first == 200);
    CHECK(ping(port, "good-token").first == 401); // the new provider's verdict
    CHECK(f.slot->collect() == 1);                // the old view: still pinned
    CHECK(destroyed_instances(marker.path) == 0);

    for (auto &r : slow)
        CHECK(r.get().first == 200); // the old provider's OK, after the swap
    const auto [late_status, late_answer] = late.get();
    CHECK(late_status == 503); // the old view's canned 503, written by the loop at its deadline
    CHECK(late_answer.find("temporarily_unavailable") != std::string::npos);
    CHECK(destroyed_instances(marker.path) == 0); // the late call is still inside the module

    // The late verdict comes back at ~1.5 s and its request lets go; then collect() frees it.
    const auto start = std::chrono::steady_clock::now();
    while (f.slot->collect() != 0 && std::chrono::steady_clock::now() - start < 5s)
        std::this_thread::sleep_for(20ms);
    CHECK(destroyed_instances(marker.path) == 1);
    CHECK(ping(port, "hello-token").first == 200);
    CHECK(server.drain(2000));
    ::unsetenv("FASTMCP_TEST_HANG_DESTROYED");
}

TEST_CASE("a reload while slow verifies are inside the old module: they finish on it, then it "
          "is unloaded") {
    EnvFile marker; // bad_hang.so's destroy marker
    ::setenv("FASTMCP_TEST_HANG_DESTROYED", marker.path.c_str(), 1);
    Fixture f(kHang);
    const std::string hang_module = kDir + "/bad_hang.so";
    REQUIRE(loaded(hang_module));

    // Four requests enter the old provider, each pinning it as the HTTP handler does.
    std::vector<std::thread> requests;
    std::vector<fastmcp_reason> verdicts(4, FASTMCP_REASON_INTERNAL_ERROR);
    std::atomic<int> started{0};
    for (size_t i = 0; i < verdicts.size(); ++i)
        requests.emplace_back([&, i] {
            auto pinned = f.slot->pin();
            ++started;
            verdicts[i] = pinned->backend->verify("hang-ms-" + std::to_string(400 + 50 * i)).reason;
        });
    while (started < 4)
        std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(50ms); // inside the module's sleep now

    f.env.write(kHello);
    const auto before = host::reload_stats();
    REQUIRE(f.reloader->reload());
    CHECK(host::reload_stats().succeeded == before.succeeded + 1);

    // New requests go to the new provider at once; the old module is still mapped for the others.
    CHECK(f.verify("hello-token") == FASTMCP_REASON_OK);
    CHECK(f.verify("good-token") == FASTMCP_REASON_UNKNOWN_TOKEN);
    CHECK(loaded(hang_module));
    CHECK(f.slot->collect() == 1);                // pinned: not freed
    CHECK(destroyed_instances(marker.path) == 0); // still serving the calls that pinned it

    for (auto &t : requests)
        t.join();
    for (auto v : verdicts)
        CHECK(v == FASTMCP_REASON_OK); // answered by the old provider, after the swap
    // Retired, not destroyed, by the last request's release: the server's control thread
    // collects it (Server::run calls collect() every 200 ms), never an event loop.
    CHECK(destroyed_instances(marker.path) == 0);
    CHECK(f.slot->collect() == 0);
    CHECK(destroyed_instances(marker.path) == 1); // destroyed, after its last call returned
#if defined(__clang__) // no STB_GNU_UNIQUE symbols, so the dlclose really unmaps it
    CHECK_FALSE(loaded(hang_module));
#endif
    ::unsetenv("FASTMCP_TEST_HANG_DESTROYED");
}

TEST_CASE("a configuration that fails to load changes nothing") {
    Fixture f(kHello);
    const auto view = f.slot->pin();
    const auto before = host::reload_stats();

    SUBCASE("a missing module") { f.env.write("FASTMCP_SERVER_AUTH=" + kDir + "/nope.so:X\n"); }
    SUBCASE("a missing required setting") {
        f.env.write("FASTMCP_SERVER_AUTH=" + kDir + "/hello.so:HelloProvider\n");
    }
    SUBCASE("an invalid value") {
        f.env.write(kHello + "FASTMCP_SERVER_AUTH_HELLOPROVIDER_BASE_URL=ftp://x\n");
    }
    SUBCASE("a malformed env file") { f.env.write(kHello + "this is not a line\n"); }
    SUBCASE("auth turned off") { f.env.write("# nothing\n"); }

    CHECK_FALSE(f.reloader->reload());
    CHECK(host::reload_stats().failed == before.failed + 1);
    CHECK(host::reload_stats().succeeded == before.succeeded);
    CHECK(f.slot->pin() == view); // the very same backend, untouched
    CHECK(f.verify("hello-token") == FASTMCP_REASON_OK);
}

TEST_CASE("auth that started off may be turned on by a reload, and off stays off") {
    EnvFile env;
    env.write("# no auth\n");
    host::AuthSource source;
    source.env_file = env.path;
    source.mcp_path = "/mcp";
    source.bind_host = "127.0.0.1";
    auto slot = std::make_shared<host::AuthSlot>(nullptr);
    host::AuthReloader reloader(source, slot, "");
    CHECK(reloader.reload()); // still unset: nothing to do
    CHECK_FALSE(slot->pin()->backend);
    env.write(kHello);
    CHECK(reloader.reload());
    REQUIRE(slot->pin()->backend);
    CHECK(slot->pin()->backend->verify("hello-token").reason == FASTMCP_REASON_OK);
    env.write("# no auth\n");
    CHECK_FALSE(reloader.reload()); // refused: a reload never turns auth off
    CHECK(slot->pin()->backend);
}
