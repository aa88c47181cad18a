// fastmcp-authkit-emulator: AuthKit's OAuth surface on loopback, for development and tests only.
#include "http_server.hpp"

#include <Poco/Exception.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr const char *kUsage =
    "usage: fastmcp-authkit-emulator [options]\n"
    "  --port P                 port on 127.0.0.1 (default 0: the OS picks; the URL is printed)\n"
    "  --issuer URL             issuer to advertise (default http://127.0.0.1:P)\n"
    "  --token-lifetime S       access token lifetime in seconds (default 3600)\n"
    "  --user SUB[,EMAIL]       the dev user every authorization approves\n"
    "  --org-id ID              org_id claim (default org_01EMULATORDEVORG0000000000)\n"
    "  --scopes \"A B ...\"       scopes the server knows (default \"openid profile email offline_access\")\n"
    "  --rotate-keys-every S    rotate the signing key every S seconds (default: never)\n"
    "  --previous-key-grace S   keep retired keys in the JWKS for S seconds (default 3600)\n"
    "  --start-down             answer 503 until POST /__admin/up (outage tests)\n"
    "  --access-log             log method, path and status to stderr\n"
    "  --advertise-issuer URL   metadata names this issuer instead of the real one (mismatch tests)\n"
    "  --no-registration-endpoint  metadata without registration_endpoint (DCR off)\n"
    "  --no-pkce-s256           metadata without code_challenge_methods_supported\n"
    "  --mode authkit|oidc|github|google  which upstream to play (default authkit). oidc, github and\n"
    "                           google have no DCR: only --fixed-client clients; oidc adds an id_token,\n"
    "                           github uses opaque tokens and GitHub's paths (/login/oauth/..., GET /user),\n"
    "                           google is oidc with opaque tokens, /oauth2/tokeninfo and /oauth2/revoke\n"
    "  --fixed-client ID:SECRET:REDIRECT_URI  a pre-registered client (repeatable)\n";

int64_t parse_seconds(const std::string &flag, const std::string &v) {
    char *end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end || n < 0) throw std::invalid_argument(flag + ": expected a number of seconds, got '" + v + "'");
    return n;
}

} // namespace

int main(int argc, char **argv) {
    using namespace fastmcp::emulator;
    EmulatorOptions opts;
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
                const int64_t p = parse_seconds(a, value());
                if (p > 65535) throw std::invalid_argument("--port: out of range");
                opts.port = static_cast<uint16_t>(p);
            } else if (a == "--issuer") {
                opts.issuer = value();
            } else if (a == "--token-lifetime") {
                opts.token_lifetime_s = parse_seconds(a, value());
                if (opts.token_lifetime_s == 0) throw std::invalid_argument("--token-lifetime: must be positive");
            } else if (a == "--user") {
                const std::string u = value();
                const auto comma = u.find(',');
                opts.user.sub = u.substr(0, comma);
                if (comma != std::string::npos) opts.user.email = u.substr(comma + 1);
                if (opts.user.sub.empty()) throw std::invalid_argument("--user: empty subject");
            } else if (a == "--org-id") {
                opts.org_id = value();
            } else if (a == "--scopes") {
                opts.scopes.clear();
                const std::string s = value();
                for (size_t pos = 0; pos < s.size();) {
                    const size_t end = s.find_first_of(" ,", pos);
                    const std::string w = s.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
                    if (!w.empty()) opts.scopes.push_back(w);
                    if (end == std::string::npos) break;
                    pos = end + 1;
                }
            } else if (a == "--rotate-keys-every") {
                opts.rotate_keys_every_s = parse_seconds(a, value());
            } else if (a == "--previous-key-grace") {
                opts.previous_key_grace_s = parse_seconds(a, value());
            } else if (a == "--start-down") {
                opts.start_down = true;
            } else if (a == "--access-log") {
                opts.access_log = true;
            } else if (a == "--advertise-issuer") {
                opts.advertised_issuer = value();
            } else if (a == "--no-registration-endpoint") {
                opts.advertise_registration = false;
            } else if (a == "--no-pkce-s256") {
                opts.advertise_pkce_s256 = false;
            } else if (a == "--mode") {
                const std::string m = value();
                if (m == "authkit") opts.mode = UpstreamMode::AuthKit;
                else if (m == "oidc") opts.mode = UpstreamMode::Oidc;
                else if (m == "github") opts.mode = UpstreamMode::GitHub;
                else if (m == "google") opts.mode = UpstreamMode::Google;
                else throw std::invalid_argument("--mode: expected authkit, oidc, github or google");
            } else if (a == "--fixed-client") {
                const std::string v = value();
                const size_t c1 = v.find(':'), c2 = c1 == std::string::npos ? c1 : v.find(':', c1 + 1);
                if (c2 == std::string::npos || c1 == 0 || c2 == c1 + 1 || c2 + 1 >= v.size())
                    throw std::invalid_argument("--fixed-client: expected ID:SECRET:REDIRECT_URI");
                opts.fixed_clients.push_back({v.substr(0, c1), v.substr(c1 + 1, c2 - c1 - 1), {v.substr(c2 + 1)}});
            } else {
                throw std::invalid_argument("unknown option '" + a + "'");
            }
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp-authkit-emulator: %s\n%s", e.what(), kUsage);
        return 2;
    }

    // Block the stop signals before any server thread exists, so only sigwait below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    std::fputs("*** fastmcp-authkit-emulator: DEV-ONLY. It approves every sign-in as the dev user and "
               "keeps keys in memory. Never use it in production. ***\n",
               stderr);
    EmulatorServer server(opts);
    try {
        server.start();
    } catch (const Poco::Exception &e) {
        std::fprintf(stderr, "fastmcp-authkit-emulator: cannot listen on %s:%u: %s\n", opts.bind_host.c_str(),
                     opts.port, e.displayText().c_str());
        return 1;
    }
    std::printf("AuthKit emulator listening on http://127.0.0.1:%u\n", server.port());
    std::fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
    return 0;
}
