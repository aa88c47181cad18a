// IdP fault injection (issue 7, part 2): the real `fastmcp run` with AuthKitProvider whose AuthKit
// domain is fastmcp-fake-idp. For every fault the host must
//   (a) keep accepting tokens signed by keys it already had,
//   (b) reject a token with a new or unknown kid with 401 (unknown_kid, or jwks_unavailable when it
//       never had keys),
//   (c) never accept an unverifiable token,
//   (d) never hold a request longer than the fetch timeout (plus a scheduling margin),
//   (e) recover without a restart once the IdP is healthy (a newly published kid is accepted),
// and an unknown-kid storm must cause no more JWKS fetches than the refetch rate limit allows,
// and a 50 MB JWKS body must neither be buffered nor accepted.
#include <doctest/doctest.h>

#include "fake_idp/fake_idp_process.hpp"
#include "fake_idp/proc_stats.hpp"
#include "fastmcp_process.hpp"

#include "fastmcp/jose/base64url.hpp"

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// The host's settings: a short fetch timeout and refetch interval so that faults show in seconds,
// and a TTL long enough that no background refresh runs during a test case (fetch counts are
// then the unknown-kid path's alone).
constexpr int64_t kFetchTimeoutMs = 500;
constexpr int64_t kRefetchIntervalMs = 1000;
#ifdef FASTMCP_TEST_SANITIZED
constexpr int64_t kMarginMs = 2500; // ASan+UBSan and a shared 2-core machine
#else
constexpr int64_t kMarginMs = 1000;
#endif
const std::string kBaseUrl = "http://localhost:8000";
const std::string kAudience = kBaseUrl + "/mcp";

// The stable reason names the host logs ("token rejected: <reason>" at debug level) and the
// description AuthKitProvider gives each in error_description.
const std::map<std::string, std::string> kDescriptionOf = {
    {"unknown_kid", "the token was signed by an unknown key"},
    {"jwks_unavailable", "signing keys are not available yet"},
    {"bad_signature", "the token signature is invalid"},
};

std::vector<std::string> host_env(const fake_idp::Process &idp, int64_t fetch_timeout_ms = kFetchTimeoutMs) {
    const std::string p = "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_";
    return {"FASTMCP_SERVER_AUTH=workos:AuthKitProvider",
            p + "AUTHKIT_DOMAIN=" + idp.base_url(),
            p + "BASE_URL=" + kBaseUrl,
            p + "HTTP_TIMEOUT=" + std::to_string(fetch_timeout_ms) + "ms",
            p + "JWKS_REFETCH_MIN_INTERVAL=" + std::to_string(kRefetchIntervalMs) + "ms",
            p + "JWKS_CACHE_TTL=60s"};
}

std::vector<std::string> host_args() { return {"--transport", "http", "--port", "0", "--log-level", "debug"}; }

// The fake IdP, then the host pointed at it.
struct Rig {
    fake_idp::Process idp;
    host_test::Process host;
    Rig() : idp(), host(host_args(), host_env(idp)) {}
    int port() const { return host.port(); }
};

json claims(const std::string &kid = {}) {
    json c = {{"aud", kAudience}, {"scope", "read"}, {"sub", "user_faults"}};
    if (!kid.empty()) c["kid"] = kid;
    return c;
}

std::string random_hex(size_t n) {
    std::string bytes(n, '\0');
    RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), static_cast<int>(n));
    std::string out;
    for (unsigned char c : bytes) {
        out += "0123456789abcdef"[c >> 4];
        out += "0123456789abcdef"[c & 15];
    }
    return out;
}

// A well-formed RS256 token naming `kid`, with a random (so unverifiable) signature.
std::string forged(const std::string &kid, const std::string &issuer) {
    using fastmcp::jose::base64url_encode;
    const json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid}};
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    const json payload = {{"iss", issuer}, {"sub", "forger"}, {"aud", kAudience}, {"iat", now}, {"exp", now + 600}};
    std::string sig(256, '\0');
    RAND_bytes(reinterpret_cast<unsigned char *>(sig.data()), 256);
    return base64url_encode(header.dump()) + "." + base64url_encode(payload.dump()) + "." + base64url_encode(sig);
}

// The same token with one signature character changed (in the middle: never a padding bit).
std::string tampered(std::string token) {
    const size_t sig = token.rfind('.') + 1;
    char &c = token[sig + (token.size() - sig) / 2];
    c = c == 'A' ? 'B' : 'A';
    return token;
}

struct Outcome {
    int status = 0;
    std::string description;
    int64_t ms = 0;
};

std::string ping() { return R"({"jsonrpc":"2.0","id":1,"method":"ping"})"; }

Outcome call(int port, const std::string &token) {
    const auto t0 = Clock::now();
    host_test::Response r = host_test::post(port, ping(), {"Authorization: Bearer " + token});
    Outcome o;
    o.ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    o.status = r.status;
    if (r.status == 401) {
        json body = json::parse(r.body, nullptr, false);
        if (body.is_object()) o.description = body.value("error_description", "");
    }
    return o;
}

bool rejected_for(const Outcome &o, const std::string &reason) {
    return o.status == 401 && o.description.rfind(kDescriptionOf.at(reason), 0) == 0;
}

// Polls until `token` gets `status` (true) or `within` passes (false).
// Stops the host with SIGTERM; on a non-zero exit, shows why (exit code and the end of its stderr).
int stop_and_explain(host_test::Process &host) {
    const int code = host.stop();
    if (code != 0) {
        const std::string err = host.stderr_text();
        MESSAGE("host exit code " << code << "; stderr tail:\n" << err.substr(err.size() > 4000 ? err.size() - 4000 : 0));
    }
    return code;
}

bool eventually(int port, const std::string &token, int status, std::chrono::milliseconds within) {
    const auto deadline = Clock::now() + within;
    while (Clock::now() < deadline) {
        if (call(port, token).status == status) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

// A mixed load from several client threads: every response is checked against the token's
// expected outcome.
struct Mix {
    std::string known;        // signed by a key the host has: 200
    std::string unknown_kid;  // valid signature, key never published: 401 unknown_kid
    std::string new_kid;      // key published during the fault: 401 unknown_kid
    std::string bad_signature; // the known kid, tampered: 401 bad_signature
    std::string issuer;       // for forged tokens with random kids: 401 unknown_kid
};

struct LoadReport {
    int requests = 0;
    int wrong = 0;
    int64_t max_known_ms = 0;
    int64_t max_any_ms = 0;
    std::vector<std::string> first_wrong;
};

LoadReport mixed_load(int port, const Mix &mix, std::chrono::milliseconds duration, int threads = 4) {
    LoadReport total;
    std::mutex mu;
    const auto until = Clock::now() + duration;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            LoadReport mine;
            for (int i = t; Clock::now() < until; ++i) {
                std::string token, reason;
                switch (i % 5) {
                case 0: token = mix.known; break;
                case 1: token = mix.unknown_kid, reason = "unknown_kid"; break;
                case 2: token = mix.new_kid, reason = "unknown_kid"; break;
                case 3: token = mix.bad_signature, reason = "bad_signature"; break;
                default: token = forged("storm_" + random_hex(6), mix.issuer), reason = "unknown_kid"; break;
                }
                Outcome o;
                try {
                    o = call(port, token);
                } catch (const std::exception &e) {
                    o.description = e.what();
                }
                ++mine.requests;
                mine.max_any_ms = std::max(mine.max_any_ms, o.ms);
                const bool right = reason.empty() ? o.status == 200 : rejected_for(o, reason);
                if (reason.empty()) mine.max_known_ms = std::max(mine.max_known_ms, o.ms);
                if (!right) {
                    ++mine.wrong;
                    if (mine.first_wrong.size() < 3)
                        mine.first_wrong.push_back("kind " + std::to_string(i % 5) + ": " + std::to_string(o.status) +
                                                   " '" + o.description + "'");
                }
            }
            std::lock_guard lock(mu);
            total.requests += mine.requests;
            total.wrong += mine.wrong;
            total.max_known_ms = std::max(total.max_known_ms, mine.max_known_ms);
            total.max_any_ms = std::max(total.max_any_ms, mine.max_any_ms);
            for (auto &w : mine.first_wrong) total.first_wrong.push_back(w);
        });
    }
    for (auto &th : pool) th.join();
    return total;
}

// The common course of one fault: warm up, break the IdP, load, heal, check recovery.
void survive(const std::string &fault, bool content_length = false) {
    Rig rig;
    fake_idp::Process &idp = rig.idp;
    const pid_t pid = rig.host.pid();
    Mix mix;
    mix.issuer = idp.base_url();
    mix.known = idp.mint(claims());
    REQUIRE(eventually(rig.port(), mix.known, 200, std::chrono::seconds(10))); // first fetch done
    mix.unknown_kid = idp.mint(claims("never_published_" + random_hex(4)));
    mix.bad_signature = tampered(mix.known);

    const int64_t peak_before = fake_idp::peak_rss_kib(pid);
    const uint64_t fetches_before = idp.jwks_fetches();
    idp.mode(fault, "all", content_length);
    const std::string new_kid = idp.rotate(true); // published while the host cannot fetch it
    mix.new_kid = idp.mint(claims(new_kid));

    const auto load_time = std::chrono::milliseconds(1500);
    LoadReport r = mixed_load(rig.port(), mix, load_time);
    const uint64_t fetched = idp.jwks_fetches() - fetches_before;
    const int64_t peak_after = fake_idp::peak_rss_kib(pid);

    std::printf("idp_faults: %-9s%s %4d requests, %d wrong, max latency known-kid %lld ms / any %lld ms, "
                "%llu JWKS fetches reached the IdP, host VmHWM %lld -> %lld KiB\n",
                fault.c_str(), content_length ? " (declared length)" : "", r.requests, r.wrong,
                static_cast<long long>(r.max_known_ms), static_cast<long long>(r.max_any_ms),
                static_cast<unsigned long long>(fetched), static_cast<long long>(peak_before),
                static_cast<long long>(peak_after));
    INFO("fault " << fault << "; first wrong verdicts: " << (r.first_wrong.empty() ? "" : r.first_wrong.front()));
    CHECK(r.requests >= 20);
    CHECK(r.wrong == 0);                                        // (a) (b) (c)
    CHECK(r.max_known_ms <= kMarginMs);                         // (a) known keys never wait for a fetch
    CHECK(r.max_any_ms <= kFetchTimeoutMs + kMarginMs);         // (d)
    // The rate limit: one unknown-kid fetch per interval, plus the deferred one.
    CHECK(fetched <= static_cast<uint64_t>(load_time.count() / kRefetchIntervalMs + 2));
    if (fault != "down") CHECK(fetched >= 1); // the fault was really met
    if (fault == "huge") {
#ifndef FASTMCP_TEST_SANITIZED
        CHECK(peak_after - peak_before < 24 * 1024); // the 50 MB were never held
        CHECK(peak_after < 64 * 1024);
#endif
        // Under ASan the quarantine grows VmHWM by 35-50 MB in every fault mode (unusable too), so
        // the memory bound is asserted by the default build only.
    }

    idp.mode("healthy");
    CHECK(eventually(rig.port(), mix.new_kid, 200, std::chrono::milliseconds(kRefetchIntervalMs + 4000))); // (e)
    CHECK(call(rig.port(), mix.known).status == 200);
    CHECK(rejected_for(call(rig.port(), mix.unknown_kid), "unknown_kid"));
    CHECK(rejected_for(call(rig.port(), mix.bad_signature), "bad_signature"));

    const std::string log = rig.host.stderr_text();
    // The fault was met as a failed fetch, for the reason the fault gives.
    const std::map<std::string, std::string> kFetchError = {
        {"down", "connection refused"}, {"hang", "timed out"},        {"status500", "returned HTTP 500"},
        {"garbage", "is unusable"},     {"huge", "larger than"},       {"unusable", "has no usable key"}};
    CHECK_MESSAGE(log.find(kFetchError.at(fault)) != std::string::npos, "no '" << kFetchError.at(fault) << "' in the log");
    CHECK(log.find("token rejected: unknown_kid") != std::string::npos);
    CHECK(log.find("token rejected: bad_signature") != std::string::npos);
    CHECK(log.find(mix.known) == std::string::npos); // no token in the log
    CHECK(stop_and_explain(rig.host) == 0);
}

} // namespace

TEST_CASE("IdP down (connection refused): known keys keep working, then recovery") { survive("down"); }
TEST_CASE("IdP hangs past the fetch timeout: no request waits longer than the timeout") { survive("hang"); }
TEST_CASE("IdP answers 500") { survive("status500"); }
TEST_CASE("IdP returns garbage JSON") { survive("garbage"); }
TEST_CASE("IdP returns a 50 MB body (chunked): a failed fetch, never buffered") { survive("huge"); }
TEST_CASE("IdP returns a 50 MB body with a declared length") { survive("huge", true); }
TEST_CASE("IdP serves a JWKS where every key is unusable: the last good keys stay") { survive("unusable"); }

TEST_CASE("host started while the IdP is down: jwks_unavailable, then keys without a restart") {
    fake_idp::Process idp;
    idp.mode("down");
    host_test::Process host(host_args(), host_env(idp));
    const std::string token = idp.mint(claims());
    Outcome o = call(host.port(), token);
    CHECK(rejected_for(o, "jwks_unavailable"));
    CHECK(o.ms <= kFetchTimeoutMs + kMarginMs);
    CHECK(rejected_for(call(host.port(), tampered(token)), "jwks_unavailable")); // never accepted
    idp.mode("healthy");
    CHECK(eventually(host.port(), token, 200, std::chrono::milliseconds(kRefetchIntervalMs + 4000)));
    CHECK(host.stderr_text().find("token rejected: jwks_unavailable") != std::string::npos);
    CHECK(stop_and_explain(host) == 0);
}

TEST_CASE("host started while the IdP hangs: the first requests wait at most the fetch timeout") {
    // A fetch timeout longer than the margin, so that waiting for discovery *and* the JWKS (two
    // timeouts back to back) would show.
    constexpr int64_t kLongTimeoutMs = 2000;
    fake_idp::Process idp;
    idp.mode("hang");
    host_test::Process host(host_args(), host_env(idp, kLongTimeoutMs));
    const std::string token = idp.mint(claims());
    int64_t worst = 0;
    for (int i = 0; i < 2; ++i) {
        Outcome o = call(host.port(), token);
        CHECK(rejected_for(o, "jwks_unavailable"));
        worst = std::max(worst, o.ms);
    }
    std::printf("idp_faults: start while hanging: worst request %lld ms (fetch timeout %lld ms)\n",
                static_cast<long long>(worst), static_cast<long long>(kLongTimeoutMs));
    CHECK(worst <= kLongTimeoutMs + kMarginMs);
    idp.mode("healthy");
    CHECK(eventually(host.port(), token, 200, std::chrono::milliseconds(kRefetchIntervalMs + 6000)));
    CHECK(stop_and_explain(host) == 0);
}

TEST_CASE("a dropped key: its tokens are refused once the host refetches; the other keys stay") {
    Rig rig;
    fake_idp::Process &idp = rig.idp;
    const std::string first = idp.mint(claims());
    REQUIRE(eventually(rig.port(), first, 200, std::chrono::seconds(10)));
    const std::string second_kid = idp.rotate(true);
    const std::string second = idp.mint(claims(second_kid));
    REQUIRE(eventually(rig.port(), second, 200, std::chrono::milliseconds(kRefetchIntervalMs + 4000)));

    idp.drop_kid(second_kid);
    const uint64_t before = idp.jwks_fetches();
    // An unknown kid makes the host refetch (once the rate limit allows) and see the drop.
    const auto deadline = Clock::now() + std::chrono::milliseconds(kRefetchIntervalMs + 4000);
    while (idp.jwks_fetches() == before && Clock::now() < deadline) {
        CHECK(rejected_for(call(rig.port(), forged("probe_" + random_hex(4), idp.base_url())), "unknown_kid"));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(idp.jwks_fetches() > before);
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the fetched set is installed
    CHECK(rejected_for(call(rig.port(), second), "unknown_kid"));
    CHECK(call(rig.port(), first).status == 200);

    // A rotation that drops every old key: the new kid is fetched on demand, the old one refused.
    const std::string third_kid = idp.rotate(false);
    const std::string third = idp.mint(claims(third_kid));
    CHECK(eventually(rig.port(), third, 200, std::chrono::milliseconds(kRefetchIntervalMs + 4000)));
    CHECK(rejected_for(call(rig.port(), first), "unknown_kid"));
    CHECK(stop_and_explain(rig.host) == 0);
}

TEST_CASE("an unknown-kid storm: 200 random kids cause at most one JWKS fetch per refetch interval") {
    Rig rig;
    fake_idp::Process &idp = rig.idp;
    const std::string known = idp.mint(claims());
    REQUIRE(eventually(rig.port(), known, 200, std::chrono::seconds(10)));
    const uint64_t jwks_before = idp.jwks_fetches();
    const uint64_t metadata_before = idp.metadata_fetches();

    constexpr int kThreads = 4, kPerThread = 50;
    std::atomic<int> wrong{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < kThreads; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i)
                if (!rejected_for(call(rig.port(), forged("storm_" + random_hex(8), idp.base_url())), "unknown_kid"))
                    ++wrong;
        });
    for (auto &th : pool) th.join();
    const int64_t storm_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    // Let the deferred fetch (scheduled by the rate limiter) happen, then count.
    std::this_thread::sleep_for(std::chrono::milliseconds(kRefetchIntervalMs + 500));
    const int64_t window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    const uint64_t fetched = idp.jwks_fetches() - jwks_before;
    const uint64_t bound = static_cast<uint64_t>(window_ms / kRefetchIntervalMs + 1);
    std::printf("idp_faults: unknown-kid storm: %d requests in %lld ms -> %llu JWKS fetches in %lld ms "
                "(bound %llu), %llu metadata fetches\n",
                kThreads * kPerThread, static_cast<long long>(storm_ms), static_cast<unsigned long long>(fetched),
                static_cast<long long>(window_ms), static_cast<unsigned long long>(bound),
                static_cast<unsigned long long>(idp.metadata_fetches() - metadata_before));
    CHECK(wrong == 0);
    CHECK(fetched >= 1);
    CHECK(fetched <= bound);
    CHECK(idp.metadata_fetches() - metadata_before <= 1);
    CHECK(call(rig.port(), known).status == 200);
    CHECK(stop_and_explain(rig.host) == 0);
}
