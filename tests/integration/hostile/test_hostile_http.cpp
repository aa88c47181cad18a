// Hostile HTTP input against the real `fastmcp run` with a real provider (StaticTokenVerifier from
// jwt.so, whose TOKENS setting is a secret) at debug log level. Complements tests/integration/host:
// tokens larger than the provider accepts vs. larger than a header field, slowloris on headers AND
// bodies with a bound on a normal client's latency during the attack, malformed JSON-RPC behind
// auth, Authorization variants, tokens in the query string, and finally a grep of stdout, stderr,
// and every response (status line, headers, body) for each presented token and configured secret.
#include <doctest/doctest.h>

#include "../host/fastmcp_process.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>

using namespace host_test;
using nlohmann::json;

namespace {

// Configured secrets (the static tokens) and tokens presented that are not configured.
const std::string kGood = "good-static-token-4f1c9a";
const std::string kNarrow = "narrow-static-token-7be2d0";
const std::vector<std::string> kSecrets = {kGood, kNarrow};
std::vector<std::string> presented = {"unknown-token-90a1f3", "query-token-2c77e5", "dup-token-b31d0e"};

std::string tokens_json() {
    return json{{kGood, {{"client_id", "me"}, {"scopes", {"mcp:read"}}}},
                {kNarrow, {{"client_id", "me"}, {"scopes", json::array()}}}}
        .dump();
}

Process &server() {
    static Process p({"--transport", "http", "--port", "0", "--log-level", "debug", "--request-timeout-ms", "2000",
                      "--keep-alive-timeout-ms", "2000", "--max-body-bytes", "65536"},
                     {"FASTMCP_SERVER_AUTH=" + std::string(FASTMCP_PROVIDER_DIR) + "/jwt.so:StaticTokenVerifier",
                      "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_TOKENS=" + tokens_json(),
                      "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_REQUIRED_SCOPES=mcp:read",
                      "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_BASE_URL=http://127.0.0.1:8000"});
    return p;
}

// Every response seen, raw, for the final grep.
std::string &seen() {
    static std::string all;
    return all;
}

Response keep(Response r) {
    seen() += std::to_string(r.status) + "\n";
    for (const auto &[n, v] : r.headers) seen() += n + ": " + v + "\n";
    seen() += r.body + "\n";
    return r;
}

std::string ping() { return R"({"jsonrpc":"2.0","id":1,"method":"ping"})"; }

Response post_with(const std::string &authorization, const std::string &body = ping(), const std::string &path = "/mcp") {
    return keep(post(server().port(), body, {"Authorization: " + authorization}, path));
}

long ms_since(std::chrono::steady_clock::time_point start) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
}

// Reads until the peer closes; how long that took (ms), or -1 when it stayed open past the limit.
long ms_until_closed(int fd, int limit_ms) {
    auto start = std::chrono::steady_clock::now();
    char buf[4096];
    for (;;) {
        if (ms_since(start) > limit_ms) return -1;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return ms_since(start);
        seen().append(buf, static_cast<size_t>(n));
    }
}

} // namespace

TEST_CASE("the real provider answers: good 200, no scope 403, unknown 401") {
    CHECK(post_with("Bearer " + kGood).status == 200);
    CHECK(post_with("Bearer " + kNarrow).status == 403);
    CHECK(post_with("Bearer " + presented[0]).status == 401);
}

TEST_CASE("oversized tokens: within the header field limit 401, beyond it 431; nothing echoed") {
    const std::string big(8000, 'A'); // fits one header field (8 KiB), larger than any configured token
    presented.push_back(big);
    Response r = post_with("Bearer " + big);
    CHECK(r.status == 401);
    CHECK(r.header("www-authenticate").find("error=\"invalid_token\"") != std::string::npos);
    CHECK(r.body.find(big.substr(0, 64)) == std::string::npos);
    const std::string huge(20 * 1024, 'B'); // over the header field limit: refused before any provider call
    presented.push_back(huge);
    r = post_with("Bearer " + huge);
    CHECK(r.status == 431);
    CHECK(r.body.find(huge.substr(0, 64)) == std::string::npos);
    CHECK(post_with("Bearer " + kGood).status == 200);
}

TEST_CASE("Authorization variants: scheme case-insensitive, 1*SP accepted, duplicates and other schemes refused") {
    CHECK(post_with("bearer " + kGood).status == 200);
    CHECK(post_with("BeArEr " + kGood).status == 200);
    CHECK(post_with("Bearer     " + kGood).status == 200); // RFC 7235: 1*SP between scheme and credentials
    CHECK(post_with("Bearer " + kGood + "  ").status == 200); // trailing OWS is not part of the token
    CHECK(post_with("Bearer" + kGood).status == 401);          // no separator: not the Bearer scheme
    CHECK(post_with("Basic " + kGood).status == 401);
    Response r = keep(post(server().port(), ping(), {"Authorization: Bearer " + kGood, "Authorization: Bearer " + presented[2]}));
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"] == "invalid_request");
    // Two identical headers are still two: refused, not merged.
    CHECK(keep(post(server().port(), ping(), {"Authorization: Bearer " + kGood, "Authorization: Bearer " + kGood})).status == 400);
    // A comma-joined value is two credentials in one field: refused like duplicates (400).
    CHECK(post_with("Bearer " + kGood + ", Bearer " + kGood).status == 400);
}

TEST_CASE("tokens in the query string are never accepted, even valid ones, even with a valid header") {
    CHECK(post_with("Bearer " + kGood, ping(), "/mcp?access_token=" + presented[1]).status == 400);
    CHECK(keep(post(server().port(), ping(), {}, "/mcp?access_token=" + kGood)).status == 400);
    CHECK(post_with("Bearer " + kGood, ping(), "/mcp?ACCESS_TOKEN=" + kGood).status == 400);
    CHECK(post_with("Bearer " + kGood, ping(), "/mcp?x=1&access_token=" + kGood + "&y=2").status == 400);
}

TEST_CASE("malformed JSON-RPC behind auth: parse errors, never a crash") {
    const std::string auth = "Bearer " + kGood;
    auto code = [](const Response &r) { return json::parse(r.body)["error"]["code"]; };
    Response r = post_with(auth, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"s\":\"\xc3\x28\"}}");
    CHECK(r.status == 400);
    CHECK(code(r) == -32700);
    r = post_with(auth, "\xff\xfe\xfd");
    CHECK(r.status == 400);
    CHECK(code(r) == -32700);
    r = post_with(auth, std::string(20000, '[') + std::string(20000, ']'));
    CHECK(r.status == 400);
    CHECK(code(r) == -32700);
    r = post_with(auth, R"({"jsonrpc":"2.0","id":1,"method":"ping","params":)" + std::string(65, '{') + std::string(65, '}') + "}");
    CHECK(r.status == 400);
    CHECK(code(r) == -32700);
    for (const char *body : {"", "null", "[]", "{}", "{\"jsonrpc\":\"2.0\"}", "{\"jsonrpc\":\"2.0\",\"method\":7,\"id\":1}",
                             "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"",
                             "\"\\ud800\""}) {
        CAPTURE(body);
        r = post_with(auth, body);
        CHECK(r.status >= 200);
        CHECK(r.status != 500);
        if (r.status != 202 && !r.body.empty() && r.status != 200) CHECK(json::parse(r.body).contains("error"));
    }
    CHECK(post_with(auth).status == 200);
}

TEST_CASE("slowloris on headers and bodies: cut off by the deadline; normal clients stay fast meanwhile") {
    const int port = server().port();
    std::vector<int> slow;
    for (int i = 0; i < 12; ++i) {
        int fd = connect_to(port);
        send_all(fd, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kGood + "\r\nX-Slow: ");
        slow.push_back(fd);
    }
    for (int i = 0; i < 12; ++i) {
        int fd = connect_to(port);
        send_all(fd, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kGood +
                         "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
        slow.push_back(fd);
    }
    // Trickle a byte into every slow connection every 250 ms: each byte resets no per-read timer
    // that matters, the whole-request deadline (2 s) still ends them.
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
        while (!stop) {
            for (int fd : slow) send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    });
    long worst = 0;
    for (int i = 0; i < 10; ++i) {
        auto start = std::chrono::steady_clock::now();
        Response r = post_with("Bearer " + kGood);
        worst = std::max(worst, ms_since(start));
        CHECK(r.status == 200);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(worst < 1000); // a normal client is never stuck behind the attackers
    int closed = 0;
    for (int fd : slow) {
        long ms = ms_until_closed(fd, 6000);
        if (ms >= 0) ++closed;
        close(fd);
    }
    stop = true;
    trickle.join();
    CHECK(closed == static_cast<int>(slow.size()));
    CHECK(post_with("Bearer " + kGood).status == 200);
}

TEST_CASE("no presented token and no configured secret in stdout, stderr or any response (debug log level)") {
    // One more of everything that makes the host talk: rejections, provider descriptions, routes.
    post_with("Bearer " + presented[0]);
    post_with("Bearer " + kNarrow);
    keep(get(server().port(), "/.well-known/oauth-protected-resource/mcp"));
    keep(get(server().port(), "/auth/complete", {"Authorization: Bearer " + kGood}));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    REQUIRE(server().stop() == 0);
    const std::string out = server().rest_of_stdout();
    const std::string err = server().stderr_text();
    CHECK(err.find("DEBUG") != std::string::npos); // the debug level really was on
    CHECK(err.find("access ") != std::string::npos);
    std::vector<std::string> needles = kSecrets;
    for (const auto &t : presented) needles.push_back(t.size() > 64 ? t.substr(0, 64) : t);
    needles.push_back(tokens_json());
    for (const auto &n : needles) {
        CAPTURE(n);
        CHECK(out.find(n) == std::string::npos);
        CHECK(err.find(n) == std::string::npos);
        CHECK(seen().find(n) == std::string::npos);
    }
}
