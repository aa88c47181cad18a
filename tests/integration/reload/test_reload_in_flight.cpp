// AuthReloader (host/server/auth_reload.hpp) over real provider modules, in process: a reload while
// a slow verify is inside the old module lets that call finish on it, and the old module is
// dlclose'd only after the call returns and its request lets go. Build it with the asan preset to
// show there is no use-after-free. Failing configurations change nothing.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "server/auth_reload.hpp"

#include <dlfcn.h>
#include <stdlib.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>
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

} // namespace

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
    CHECK(destroyed_instances(marker.path) == 0); // still serving the calls that pinned it

    for (auto &t : requests)
        t.join();
    for (auto v : verdicts)
        CHECK(v == FASTMCP_REASON_OK);            // answered by the old provider, after the swap
    CHECK(destroyed_instances(marker.path) == 1); // the last request let go: destroyed
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
