// The loopback soak (issue 7, part 4). The real `fastmcp run` with AuthKitProvider against
// fastmcp-fake-idp for FASTMCP_SOAK_SECONDS (default 300): client threads on keep-alive
// connections send a mix of valid, wrong-scope, wrong-audience, expired, bad-signature and garbage
// tokens while the IdP rotates its signing key every cycle (new key published next to the old one,
// then the old one dropped).
//
// Every response is checked against the token's expected status at the moment it was sent:
//   a key's tokens are  active   -> their own status (200, or 403 for the wrong scope)
//                       settling -> that status or 401 (the old key was just dropped at the IdP;
//                                   the host learns it at its next fetch)
//                       retired  -> 401 (the host has fetched a key set without it)
// A new key's tokens join the mix only once the host has accepted one of them.
// Asserts: zero wrong verdicts, the host alive and exiting 0 on SIGTERM, RSS over the second half
// of the run within +10% (a leak keeps growing; the first half is warm-up), descriptors at the end
// within a small slack of those at the half.
#include <doctest/doctest.h>

#include "fake_idp/fake_idp_process.hpp"
#include "fake_idp/proc_stats.hpp"
#include "fastmcp_process.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

const std::string kBaseUrl = "http://localhost:8000";
const std::string kAudience = kBaseUrl + "/mcp";
constexpr int kClientThreads = 4;

int soak_seconds() {
    const char *v = std::getenv("FASTMCP_SOAK_SECONDS");
    const int s = v ? std::atoi(v) : 300;
    return s > 0 ? s : 300;
}

enum class KeyState { Active, Settling, Retired };

struct Entry {
    std::string kind;  // for the report
    std::string token; // empty: no Authorization header
    int key = -1;      // index into Book::keys, -1 when the verdict never depends on a key
    int status = 401;  // expected while the key is active
};

// The token mix and each key's state; clients copy what they need under the lock.
class Book {
  public:
    int add_key() {
        std::lock_guard lock(mu_);
        keys_.push_back(KeyState::Active);
        return static_cast<int>(keys_.size()) - 1;
    }
    void add(std::vector<Entry> entries) {
        std::lock_guard lock(mu_);
        for (auto &e : entries)
            entries_.push_back(std::move(e));
    }
    void set(int key, KeyState s) {
        std::lock_guard lock(mu_);
        keys_[static_cast<size_t>(key)] = s;
    }
    // A random entry and the statuses allowed for it right now.
    Entry pick(std::mt19937 &rng, std::vector<int> &allowed) {
        std::lock_guard lock(mu_);
        const Entry &e =
            entries_[std::uniform_int_distribution<size_t>(0, entries_.size() - 1)(rng)];
        allowed.clear();
        const KeyState s = e.key < 0 ? KeyState::Active : keys_[static_cast<size_t>(e.key)];
        if (s != KeyState::Retired) allowed.push_back(e.status);
        if (s != KeyState::Active || e.status == 401) allowed.push_back(401);
        return e;
    }

  private:
    std::mutex mu_;
    std::vector<KeyState> keys_;
    std::vector<Entry> entries_;
};

std::string tampered(std::string token) {
    const size_t sig = token.rfind('.') + 1;
    char &c = token[sig + (token.size() - sig) / 2];
    c = c == 'A' ? 'B' : 'A';
    return token;
}

// A key's tokens: expected 200 / 403 / 401 while it is active.
std::vector<Entry> tokens_of(fake_idp::Process &idp, const std::string &kid, int key) {
    auto mint = [&](json c) {
        c["kid"] = kid;
        return idp.mint(c);
    };
    std::vector<Entry> out;
    for (int i = 0; i < 3; ++i)
        out.push_back({"valid",
                       mint({{"aud", kAudience},
                             {"scope", "read write"},
                             {"sub", "user_" + std::to_string(i)}}),
                       key, 200});
    out.push_back({"wrong_scope", mint({{"aud", kAudience}, {"scope", "write"}}), key, 403});
    out.push_back({"wrong_audience",
                   mint({{"aud", "https://other.example/mcp"}, {"scope", "read"}}), -1, 401});
    out.push_back(
        {"expired", mint({{"aud", kAudience}, {"scope", "read"}, {"exp_in", -600}}), -1, 401});
    out.push_back({"bad_signature", tampered(out.front().token), -1, 401});
    return out;
}

std::vector<Entry> keyless_tokens() {
    return {{"garbage", "garbage", -1, 401},
            {"garbage", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", -1, 401},
            {"garbage",
             std::string(600, 'x') + "." + std::string(600, 'y') + "." + std::string(300, 'z'), -1,
             401},
            {"no_token", "", -1, 401}};
}

struct ClientReport {
    uint64_t requests = 0;
    uint64_t wrong = 0;
    uint64_t errors = 0; // a request that failed on a fresh connection
    uint64_t reconnects = 0;
    std::vector<std::string> first_wrong;
};

void client(int port, Book &book, std::atomic<bool> &stop, ClientReport &out, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<int> allowed;
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    int fd = -1;
    std::string buffer;
    while (!stop.load()) {
        Entry e = book.pick(rng, allowed);
        std::vector<std::string> headers;
        if (!e.token.empty()) headers.push_back("Authorization: Bearer " + e.token);
        const std::string raw = host_test::request(port, "POST", "/mcp", body, headers);
        host_test::Response r;
        bool done = false;
        for (int attempt = 0; attempt < 2 && !done; ++attempt) {
            const bool fresh = fd < 0;
            try {
                if (fd < 0) {
                    fd = host_test::connect_to(port);
                    buffer.clear();
                    ++out.reconnects;
                }
                host_test::send_all(fd, raw);
                r = host_test::read_response(fd, buffer);
                done = true;
            } catch (const std::exception &) {
                if (fd >= 0) ::close(fd);
                fd = -1;
                if (fresh) break; // a fresh connection failed: an error, not a stale keep-alive
            }
        }
        ++out.requests;
        if (!done) {
            ++out.errors;
            std::this_thread::sleep_for(10ms);
            continue;
        }
        if (std::find(allowed.begin(), allowed.end(), r.status) == allowed.end()) {
            ++out.wrong;
            if (out.first_wrong.size() < 5)
                out.first_wrong.push_back(e.kind + " got " + std::to_string(r.status) + " " +
                                          r.body.substr(0, 160));
        }
        std::string connection = r.header("connection");
        for (auto &c : connection)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (connection == "close") {
            ::close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) ::close(fd);
}

bool host_accepts(int port, const std::string &token) {
    try {
        return host_test::post(port, R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
                               {"Authorization: Bearer " + token})
                   .status == 200;
    } catch (const std::exception &) {
        return false;
    }
}

} // namespace

TEST_CASE("soak: mixed tokens over keep-alive with key rotations; verdicts, RSS and descriptors") {
    const int seconds = soak_seconds();
    const bool long_run = seconds >= 30; // RSS and fd trends mean little in a short smoke run
    // A rotation cycle: publish a new key, use both, drop the old one, settle.
    const auto cycle = std::chrono::seconds(std::clamp(seconds / 5, 8, 30));

    fake_idp::Process idp;
    const std::string p = "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_";
    host_test::Process host({"--transport", "http", "--port", "0", "--log-level", "warning"},
                            {"FASTMCP_SERVER_AUTH=workos:AuthKitProvider",
                             p + "AUTHKIT_DOMAIN=" + idp.base_url(), p + "BASE_URL=" + kBaseUrl,
                             p + "REQUIRED_SCOPES=read", p + "HTTP_TIMEOUT=1s",
                             p + "JWKS_REFETCH_MIN_INTERVAL=1s", p + "JWKS_CACHE_TTL=2s"});
    const pid_t pid = host.pid();
    const int port = host.port();

    Book book;
    int current_key = book.add_key();
    std::string current_kid = idp.stats().at("current_kid").get<std::string>();
    {
        auto first = tokens_of(idp, current_kid, current_key);
        const auto deadline = Clock::now() + 10s;
        while (!host_accepts(port, first.front().token) && Clock::now() < deadline)
            std::this_thread::sleep_for(100ms);
        REQUIRE(host_accepts(port, first.front().token));
        book.add(std::move(first));
        book.add(keyless_tokens());
    }

    std::atomic<bool> stop{false};
    std::vector<ClientReport> reports(kClientThreads);
    std::vector<std::thread> clients;
    const auto start = Clock::now();
    const auto end = start + std::chrono::seconds(seconds);
    for (int i = 0; i < kClientThreads; ++i)
        clients.emplace_back(client, port, std::ref(book), std::ref(stop),
                             std::ref(reports[static_cast<size_t>(i)]),
                             1234u + static_cast<unsigned>(i));

    // The IdP side: rotations on their own thread, so sampling keeps its pace.
    std::atomic<int> rotations{0}, drops{0};
    std::vector<std::string> rotation_problems;
    std::thread rotator([&] {
        auto next = start + cycle / 2;
        auto sleep_until = [&](Clock::time_point t) {
            while (!stop.load() && Clock::now() < t)
                std::this_thread::sleep_for(50ms);
            return !stop.load();
        };
        while (sleep_until(next)) {
            const int old_key = current_key;
            const std::string old_kid = current_kid;
            current_kid = idp.rotate(true);
            current_key = book.add_key();
            auto fresh = tokens_of(idp, current_kid, current_key);
            const auto deadline = Clock::now() + 10s;
            while (!host_accepts(port, fresh.front().token) && Clock::now() < deadline &&
                   !stop.load())
                std::this_thread::sleep_for(100ms);
            if (!host_accepts(port, fresh.front().token)) {
                if (!stop.load())
                    rotation_problems.push_back("the host never accepted the new key " +
                                                current_kid);
                return;
            }
            book.add(std::move(fresh));
            ++rotations;
            if (!sleep_until(Clock::now() + cycle / 3)) return;
            // Drop the old key: its tokens may go either way until the host has fetched a set
            // without it, then they must be refused.
            book.set(old_key, KeyState::Settling);
            std::this_thread::sleep_for(200ms); // requests judged as "active" are answered by now
            idp.drop_kid(old_kid);
            // Counted after the drop, so any fetch counted from now on was answered without it.
            const uint64_t before = idp.jwks_fetches();
            const auto fetch_deadline = Clock::now() + 10s;
            while (idp.jwks_fetches() <= before && Clock::now() < fetch_deadline && !stop.load())
                std::this_thread::sleep_for(50ms);
            if (stop.load()) return;
            if (idp.jwks_fetches() <= before) {
                rotation_problems.push_back("the host did not refetch the JWKS after a drop");
                return;
            }
            std::this_thread::sleep_for(300ms); // the fetched set is installed
            book.set(old_key, KeyState::Retired);
            ++drops;
            next += cycle;
        }
    });

    // Sampling: RSS and descriptors every second; warm-up is the first half (at least 5 s). RSS
    // climbs for ~20 s and then flattens (11k requests/s on 2 cores; the series is printed below):
    // with warm-up at a fifth, a 60 s run ended inside that climb and failed code with no leak
    // (15 -> 26 MB by 12 s, 30.2 MB at 20 s, 30.8 MB at 60 s). A leak keeps growing after it.
    const auto warm_at =
        start + std::max<std::chrono::seconds>(5s, std::chrono::seconds(seconds / 2));
    int64_t rss_first = fake_idp::rss_kib(pid), rss_warm = -1, rss_end = -1, rss_max = 0;
    int fds_warm = -1, fds_end = -1;
    std::vector<int64_t> rss_series; // KiB, one a second
    bool alive = true;
    while (Clock::now() < end) {
        std::this_thread::sleep_for(std::min<Clock::duration>(1s, end - Clock::now()));
        const int64_t rss = fake_idp::rss_kib(pid);
        if (rss < 0) {
            alive = false;
            break;
        }
        rss_max = std::max(rss_max, rss);
        rss_end = rss;
        rss_series.push_back(rss);
        fds_end = fake_idp::fd_count(pid);
        if (rss_warm < 0 && Clock::now() >= warm_at) {
            rss_warm = rss;
            fds_warm = fds_end;
        }
    }
    stop = true;
    for (auto &t : clients)
        t.join();
    rotator.join();

    ClientReport total;
    for (auto &r : reports) {
        total.requests += r.requests;
        total.wrong += r.wrong;
        total.errors += r.errors;
        total.reconnects += r.reconnects;
        for (auto &w : r.first_wrong)
            total.first_wrong.push_back(w);
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const json stats = idp.stats();
    std::printf(
        "soak: %d s, %llu requests (%.0f/s) on %d keep-alive clients, %llu wrong verdicts, %llu "
        "errors, "
        "%llu connections; %d rotations, %d keys dropped; %llu JWKS and %llu metadata fetches\n"
        "soak: host RSS %lld KiB at start, %lld at warm-up, %lld at end (max %lld); fds %d at "
        "warm-up, %d at end\n",
        seconds, static_cast<unsigned long long>(total.requests), total.requests / elapsed,
        kClientThreads, static_cast<unsigned long long>(total.wrong),
        static_cast<unsigned long long>(total.errors),
        static_cast<unsigned long long>(total.reconnects), rotations.load(), drops.load(),
        static_cast<unsigned long long>(stats.at("jwks_fetches").get<uint64_t>()),
        static_cast<unsigned long long>(stats.at("metadata_fetches").get<uint64_t>()),
        static_cast<long long>(rss_first), static_cast<long long>(rss_warm),
        static_cast<long long>(rss_end), static_cast<long long>(rss_max), fds_warm, fds_end);
    std::printf("soak: host RSS KiB each second:");
    for (const int64_t kib : rss_series)
        std::printf(" %lld", static_cast<long long>(kib));
    std::printf("\n");
    std::fflush(stdout);

    std::string wrong_list;
    for (auto &w : total.first_wrong)
        wrong_list += "\n  " + w;
    INFO("wrong verdicts:" << wrong_list);
    CHECK(alive);
    CHECK(total.wrong == 0);
    CHECK(total.errors == 0);
    CHECK(total.requests > static_cast<uint64_t>(seconds) * 20);
    INFO("rotation: " << (rotation_problems.empty() ? std::string("ok")
                                                    : rotation_problems.front()));
    CHECK(rotation_problems.empty());
    if (seconds >= 16) CHECK(drops.load() >= 1);
    if (long_run) {
        REQUIRE(rss_warm > 0);
        CHECK(rss_end <= rss_warm + rss_warm / 10);      // flat RSS: at most +10% after warm-up
        CHECK(fds_end <= fds_warm + kClientThreads + 4); // no descriptor leak
    }
    CHECK(host.stop() == 0); // clean exit on SIGTERM
}
