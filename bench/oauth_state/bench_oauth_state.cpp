// bench_oauth_state: what one OAuth proxy state-store call costs, per backend, single thread.
// Rows: memory, sqlite (a temp file, WAL, encrypted values), redis (a redis-server this starts
// on a loopback port, when installed). Ops: put (sealed upstream_tokens record), get (hit),
// take (code redemption), rotate (refresh rotation: CAS + 2 writes). Prints a markdown table of
// calls/s and p50/p99 latency.
//
//   bench_oauth_state [--ops N] [--smoke]
#include "../../tests/integration/oauth_state/redis_server.hpp"

#include "fastmcp/oauth_proxy/redis_store.hpp"
#include "fastmcp/oauth_proxy/sqlite_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

using namespace fastmcp::oauth_proxy;
using namespace std::chrono_literals;

namespace {

struct Row {
    double per_second;
    double p50_us;
    double p99_us;
};

Row measure(int n, const std::function<void(int)> &op) {
    std::vector<double> us(static_cast<std::size_t>(n));
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        const auto a = std::chrono::steady_clock::now();
        op(i);
        us[static_cast<std::size_t>(i)] =
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count();
    }
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::sort(us.begin(), us.end());
    return {n / total, us[us.size() / 2], us[us.size() * 99 / 100]};
}

void bench(const char *name, StateStore &s, int n) {
    const std::string tokens(600, 'x'); // an upstream token set's size, roughly
    const auto key = [](const char *p, int i) { return std::string(p) + std::to_string(i); };
    const Row put =
        measure(n, [&](int i) { s.put(RecordKind::upstream_tokens, key("u", i), tokens, 1h); });
    const Row get =
        measure(n, [&](int i) { (void)s.get(RecordKind::upstream_tokens, key("u", i)); });
    for (int i = 0; i < n; ++i)
        s.put(RecordKind::authorization_code, key("c", i), "grant", 1h);
    const Row take =
        measure(n, [&](int i) { (void)s.take(RecordKind::authorization_code, key("c", i)); });
    for (int i = 0; i < n; ++i)
        s.put(RecordKind::refresh_token, key("r", i), "rec", 1h);
    const Row rotate = measure(n, [&](int i) {
        s.rotate(RecordKind::refresh_token, key("r", i), "rec",
                 {{RecordKind::refresh_token, key("r2-", i), "rec2", 1h},
                  {RecordKind::jti, key("j", i), "u", 1h}});
    });
    for (const auto &[op, r] :
         {std::pair{"put", put}, {"get", get}, {"take", take}, {"rotate", rotate}})
        std::printf("| %s | %s | %.0f | %.1f | %.1f |\n", name, op, r.per_second, r.p50_us,
                    r.p99_us);
}

} // namespace

int main(int argc, char **argv) {
    int n = 5000;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--smoke")) n = 50;
        if (!std::strcmp(argv[i], "--ops") && i + 1 < argc) n = std::atoi(argv[++i]);
    }
    MasterKey key{};
    key.fill(42);
    std::printf("| backend | op | calls/s | p50 us | p99 us |\n|---|---|---|---|---|\n");
    bench("memory", *make_memory_store(), n);

    std::string dir = (std::filesystem::temp_directory_path() / "fastmcp-bench-XXXXXX").string();
    if (!::mkdtemp(dir.data())) return 1;
    {
        auto sqlite = make_sqlite_store(dir + "/state.db", key);
        bench("sqlite", *sqlite, n);
    }
    std::filesystem::remove_all(dir);

    if (fastmcp::testing::redis_available()) {
        fastmcp::testing::RedisServer server;
        auto redis = make_redis_store(parse_redis_url(server.url()), key);
        bench("redis", *redis, n);
    } else {
        std::printf("| redis | (redis-server not installed: skipped) | | | |\n");
    }
    return 0;
}
