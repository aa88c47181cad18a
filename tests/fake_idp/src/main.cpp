// fastmcp-fake-idp: a controllable identity provider for fault-injection and soak tests.
// Prints "fake IdP listening on http://127.0.0.1:P admin http://127.0.0.1:A" and serves until
// SIGTERM/SIGINT. See ../README.md for the admin API.
#include "idp_server.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace {

constexpr const char *kUsage =
    "usage: fastmcp-fake-idp [--port P] [--admin-port A] [--hang-max-ms MS] [--huge-bytes N]\n"
    "  --port P          IdP port on 127.0.0.1 (default 0: the OS picks)\n"
    "  --admin-port A    admin API port (default 0: the OS picks)\n"
    "  --hang-max-ms MS  a hanging request is answered 503 after this long (default 30000)\n"
    "  --huge-bytes N    size of the `huge` body (default 52428800)\n";

uint64_t number(const std::string &flag, const char *v) {
    char *end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (!*v || *end) throw std::invalid_argument(flag + ": expected a number");
    return n;
}

} // namespace

int main(int argc, char **argv) {
    using namespace fastmcp::fake_idp;
    // Block the stop signals in every thread; main waits for them with sigwait.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    std::signal(SIGPIPE, SIG_IGN); // clients hang up in the middle of `huge`

    ServerOptions opts;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            if (a == "--help" || a == "-h") {
                std::fputs(kUsage, stdout);
                return 0;
            }
            if (i + 1 >= argc) throw std::invalid_argument(a + ": needs a value");
            const uint64_t v = number(a, argv[++i]);
            if (a == "--port" && v <= 65535) opts.port = static_cast<uint16_t>(v);
            else if (a == "--admin-port" && v <= 65535) opts.admin_port = static_cast<uint16_t>(v);
            else if (a == "--hang-max-ms") opts.hang_max_ms = static_cast<int64_t>(v);
            else if (a == "--huge-bytes") opts.huge_bytes = v;
            else throw std::invalid_argument(a + ": unknown flag or value out of range");
        }
        FakeIdpServer server(opts);
        server.start();
        std::printf("fake IdP listening on http://127.0.0.1:%u admin http://127.0.0.1:%u\n",
                    static_cast<unsigned>(server.port()), static_cast<unsigned>(server.admin_port()));
        std::fflush(stdout);
        int sig = 0;
        sigwait(&stop, &sig);
        // Nothing to flush or save, and the key pool may be halfway through a key: leave at once.
        std::fflush(stdout);
        std::_Exit(0);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp-fake-idp: %s\n%s", e.what(), kUsage);
        return 2;
    }
}
