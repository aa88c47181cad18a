// fastmcp-supabase-standin: a Supabase project on loopback for tests. DEV/TEST ONLY.
#include "standin_server.hpp"

#include <Poco/Exception.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr const char *kUsage =
    "usage: fastmcp-supabase-standin [options]\n"
    "  --port P                    port on 127.0.0.1 (default 0: the OS picks; the URL is printed)\n"
    "  --anon-key KEY              the project's anon key, required in the apikey header\n"
    "                              (default standin-anon-key)\n"
    "  --third-party-issuer URL    accept tokens of this issuer (JWKS via OIDC discovery), as a\n"
    "                              Supabase third-party auth integration (e.g. AuthKit)\n"
    "  --clock-skew-seconds N      this clock runs N seconds ahead (negative: behind)\n"
    "  --access-log                log method, path and status to stderr\n";

long long parse_integer(const std::string &flag, const std::string &v) {
    char *end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end) throw std::invalid_argument(flag + ": expected an integer, got '" + v + "'");
    return n;
}

} // namespace

int main(int argc, char **argv) {
    using namespace fastmcp::supabase_standin;
    StandinOptions opts;
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        for (size_t i = 0; i < args.size(); ++i) {
            const std::string &a = args[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
                return args[++i];
            };
            if (a == "--help" || a == "-h") {
                std::fputs(kUsage, stdout);
                return 0;
            } else if (a == "--port") {
                const long long p = parse_integer(a, value());
                if (p < 0 || p > 65535) throw std::invalid_argument("--port: out of range");
                opts.port = static_cast<uint16_t>(p);
            } else if (a == "--anon-key") {
                opts.anon_key = value();
                if (opts.anon_key.empty()) throw std::invalid_argument("--anon-key: empty");
            } else if (a == "--third-party-issuer") {
                opts.third_party_issuer = value();
                while (!opts.third_party_issuer.empty() && opts.third_party_issuer.back() == '/')
                    opts.third_party_issuer.pop_back();
            } else if (a == "--clock-skew-seconds") {
                opts.clock_skew_s = parse_integer(a, value());
            } else if (a == "--access-log") {
                opts.access_log = true;
            } else {
                throw std::invalid_argument("unknown option '" + a + "'");
            }
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp-supabase-standin: %s\n%s", e.what(), kUsage);
        return 2;
    }

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    std::fputs("*** fastmcp-supabase-standin: DEV/TEST ONLY. An in-memory stand-in for a Supabase project; "
               "never use it in production. ***\n",
               stderr);
    StandinServer server(opts);
    try {
        server.start();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp-supabase-standin: cannot start: %s\n", e.what());
        return 1;
    }
    std::printf("Supabase stand-in listening on %s\n", server.base_url().c_str());
    std::fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
    return 0;
}
