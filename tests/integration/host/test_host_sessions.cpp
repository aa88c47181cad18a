// Stateful Streamable HTTP on the real `fastmcp run --stateful`: Mcp-Session-Id, the identity a
// session is bound to, SSE answers with priming events, Last-Event-ID resumption, the GET stream,
// DELETE, 1,000 streams without a leak, and SIGTERM with open streams.
#include <doctest/doctest.h>

#include "fastmcp_process.hpp"
#include "sse_client.hpp"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <dirent.h>
#include <fstream>
#include <thread>

using namespace host_test;
using nlohmann::json;

namespace {

const std::string kProvider =
    std::string(FASTMCP_TEST_PROVIDER_DIR) + "/host_test.so:HostTestProvider";
const std::string kModule =
    std::string(FASTMCP_BINARY_DIR) + "/tests/server_modules/stream_test_module.so";

std::vector<std::string> auth_env() {
    return {"FASTMCP_SERVER_AUTH=" + kProvider,
            "FASTMCP_SERVER_AUTH_HOSTTESTPROVIDER_BASE_URL=http://127.0.0.1:8000"};
}

Process &server() {
    static Process p({kModule, "--transport", "http", "--port", "0", "--stateful"}, auth_env());
    return p;
}

std::string initialize(int id = 1) {
    return json{{"jsonrpc", "2.0"},
                {"id", id},
                {"method", "initialize"},
                {"params",
                 {{"protocolVersion", "2025-06-18"},
                  {"capabilities", json::object()},
                  {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}}
        .dump();
}

std::string call(const std::string &tool, const json &args, int id = 7) {
    return json{{"jsonrpc", "2.0"},
                {"id", id},
                {"method", "tools/call"},
                {"params", {{"name", tool}, {"arguments", args}}}}
        .dump();
}

const std::string kList = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";

// A new session for `token`; its id.
std::string open_session(const std::string &token = "good-token") {
    Response r = post(server().port(), initialize(), {"Authorization: Bearer " + token});
    REQUIRE(r.status == 200);
    REQUIRE(!r.header("mcp-session-id").empty());
    return r.header("mcp-session-id");
}

std::vector<std::string> session_headers(const std::string &sid,
                                         const std::string &token = "good-token") {
    return {"Authorization: Bearer " + token, "Mcp-Session-Id: " + sid,
            "Accept: application/json, text/event-stream"};
}

// Sends `raw` on a new connection and reads the SSE answer.
SseResponse sse(const std::string &raw, int timeout_ms = 5000, size_t max_events = SIZE_MAX,
                int *keep_fd = nullptr) {
    int fd = connect_to(server().port());
    send_all(fd, raw);
    SseResponse out = read_sse(fd, timeout_ms, max_events);
    if (keep_fd)
        *keep_fd = fd;
    else
        close(fd);
    return out;
}

size_t open_fds(pid_t pid) {
    size_t n = 0;
    if (DIR *d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str())) {
        while (readdir(d))
            ++n;
        closedir(d);
    }
    return n;
}

long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

void raise_fd_limit() {
    rlimit l{};
    getrlimit(RLIMIT_NOFILE, &l);
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
}

} // namespace

TEST_CASE("initialize opens a session; other requests need it: 400 without, 404 unknown, DELETE "
          "ends it") {
    const std::string sid = open_session();
    CHECK(sid.size() == 32);
    const int port = server().port();
    CHECK(post(port, R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
               session_headers(sid))
              .status == 202);
    Response list = post(port, kList, session_headers(sid));
    CHECK(list.status == 200);
    CHECK(list.body.find("close_midway") != std::string::npos);

    Response missing = post(port, kList, {"Authorization: Bearer good-token"});
    CHECK(missing.status == 400);
    CHECK(json::parse(missing.body)["error"]["message"].get<std::string>().find("Mcp-Session-Id") !=
          std::string::npos);
    CHECK(post(port, kList, session_headers("0123456789abcdef0123456789abcdef")).status == 404);

    CHECK(roundtrip(port, request(port, "DELETE", "/mcp", "", session_headers(sid))).status == 204);
    CHECK(post(port, kList, session_headers(sid)).status == 404);
    CHECK(roundtrip(port, request(port, "DELETE", "/mcp", "", session_headers(sid))).status == 404);
}

TEST_CASE("a session cannot be used with another user's token: 404, never its data; every request "
          "is verified") {
    const std::string sid = open_session("good-token");
    const int port = server().port();
    Response theirs = post(port, kList, session_headers(sid, "other-token"));
    CHECK(theirs.status == 404);
    CHECK(theirs.body.find("close_midway") == std::string::npos);
    // Nor its stream, nor ending it.
    Response get_theirs =
        roundtrip(port, request(port, "GET", "/mcp", "", session_headers(sid, "other-token")));
    CHECK(get_theirs.status == 404);
    CHECK(roundtrip(port, request(port, "DELETE", "/mcp", "", session_headers(sid, "other-token")))
              .status == 404);
    // A bad token on a good session is 401, as anywhere.
    CHECK(post(port, kList, session_headers(sid, "unknown-token")).status == 401);
    // The owner is unaffected.
    CHECK(post(port, kList, session_headers(sid)).status == 200);
}

TEST_CASE("a tool on the pool answers with SSE: priming event (id, retry, empty data), "
          "notifications, then the result") {
    const std::string sid = open_session();
    SseResponse r = sse(request(server().port(), "POST", "/mcp", call("notify", {{"count", 3}}),
                                session_headers(sid)));
    CHECK(r.head.status == 200);
    CHECK(r.head.header("content-type") == "text/event-stream");
    CHECK(r.ended);
    REQUIRE(r.events.size() == 5);
    CHECK(r.events[0].data.empty());
    CHECK(!r.events[0].id.empty());
    CHECK(r.events[0].retry == "1000");
    for (int i = 1; i <= 3; ++i)
        CHECK(json::parse(r.events[i].data)["params"]["data"]["n"] == i);
    const json result = json::parse(r.events[4].data);
    CHECK(result["id"] == 7);
    CHECK(result["result"]["content"][0]["text"] == "sent 3");
    // Event ids increase.
    for (size_t i = 1; i < r.events.size(); ++i)
        CHECK(std::stoull(r.events[i].id) > std::stoull(r.events[i - 1].id));
    // Without Accept: text/event-stream the same call is plain JSON.
    Response plain = post(server().port(), call("notify", {{"count", 2}}),
                          {"Authorization: Bearer good-token", "Mcp-Session-Id: " + sid});
    CHECK(plain.status == 200);
    CHECK(json::parse(plain.body)["result"]["content"][0]["text"] == "sent 2");
}

TEST_CASE("Last-Event-ID resumption returns exactly the missed events") {
    const std::string sid = open_session();
    const int port = server().port();
    SseResponse first =
        sse(request(port, "POST", "/mcp", call("close_midway", {{"before", 3}, {"after", 4}}),
                    session_headers(sid)));
    CHECK(first.ended);                // the server closed it midway
    REQUIRE(first.events.size() == 4); // priming + 3
    for (int i = 1; i <= 3; ++i)
        CHECK(json::parse(first.events[i].data)["params"]["data"]["n"] == i);
    std::this_thread::sleep_for(std::chrono::milliseconds(400)); // the tool finishes meanwhile

    // From the last event seen: the 4 later notifications and the result, nothing else.
    auto headers = session_headers(sid);
    headers.push_back("Last-Event-ID: " + first.events[3].id);
    SseResponse resumed = sse(request(port, "GET", "/mcp", "", headers));
    CHECK(resumed.head.status == 200);
    CHECK(resumed.ended);
    REQUIRE(resumed.events.size() == 5);
    for (int i = 0; i < 4; ++i)
        CHECK(json::parse(resumed.events[static_cast<size_t>(i)].data)["params"]["data"]["n"] ==
              i + 4);
    CHECK(json::parse(resumed.events[4].data)["result"]["content"][0]["text"] == "done after 7");

    // From an earlier event: what came after it, in order, including what the first stream carried.
    headers.back() = "Last-Event-ID: " + first.events[1].id;
    SseResponse earlier = sse(request(port, "GET", "/mcp", "", headers));
    REQUIRE(earlier.events.size() == 7);
    CHECK(json::parse(earlier.events[0].data)["params"]["data"]["n"] == 2);
    CHECK(json::parse(earlier.events[6].data).contains("result"));
}

TEST_CASE("the GET stream: one per session (409 for a second), keep-alive comments, 406 without "
          "the SSE Accept") {
    const std::string sid = open_session();
    const int port = server().port();
    int fd = -1;
    SseResponse first = sse(request(port, "GET", "/mcp", "", session_headers(sid)), 1000, 1, &fd);
    CHECK(first.head.status == 200);
    REQUIRE(first.events.size() == 1); // the priming event
    CHECK(first.events[0].data.empty());
    CHECK(roundtrip(port, request(port, "GET", "/mcp", "", session_headers(sid))).status == 409);
    CHECK(roundtrip(port, request(port, "GET", "/mcp", "",
                                  {"Authorization: Bearer good-token", "Mcp-Session-Id: " + sid}))
              .status == 406);
    close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // The client went away: the stream can be opened again.
    SseResponse again = sse(request(port, "GET", "/mcp", "", session_headers(sid)), 1000, 1);
    CHECK(again.head.status == 200);
}

TEST_CASE("keep-alive comments on an idle stream") {
    Process p(
        {kModule, "--transport", "http", "--port", "0", "--stateful", "--sse-keep-alive", "1s"},
        {});
    Response init = post(p.port(), initialize());
    const std::string sid = init.header("mcp-session-id");
    REQUIRE(!sid.empty());
    int fd = connect_to(p.port());
    send_all(fd, request(p.port(), "GET", "/mcp", "",
                         {"Mcp-Session-Id: " + sid, "Accept: text/event-stream"}));
    const auto start = std::chrono::steady_clock::now();
    SseResponse r = read_sse(fd, 2500);
    close(fd);
    CHECK_FALSE(r.ended); // still open after 2.5 s
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(2000));
    CHECK(r.comments.find(": keep-alive") != std::string::npos);
}

TEST_CASE("1,000 concurrent SSE streams open and close with no fd or memory leak") {
    raise_fd_limit();
    Process p({kModule, "--transport", "http", "--port", "0", "--stateful"}, {});
    const int port = p.port();
    auto round = [&] {
        std::vector<std::string> sids;
        for (int i = 0; i < 1000; ++i) {
            Response r = post(port, initialize());
            REQUIRE(r.status == 200);
            sids.push_back(r.header("mcp-session-id"));
        }
        std::vector<int> fds;
        for (const auto &sid : sids) {
            int fd = connect_to(port);
            send_all(fd, request(port, "GET", "/mcp", "",
                                 {"Mcp-Session-Id: " + sid, "Accept: text/event-stream"}));
            fds.push_back(fd);
        }
        size_t primed = 0;
        for (int fd : fds)
            primed += read_sse(fd, 5000, 1).events.size();
        CHECK(primed == 1000);
        CHECK(open_fds(p.pid()) >= 1000);
        for (int fd : fds)
            close(fd);
        for (const auto &sid : sids)
            CHECK(roundtrip(port, request(port, "DELETE", "/mcp", "", {"Mcp-Session-Id: " + sid}))
                      .status == 204);
    };
    const size_t fds_before = open_fds(p.pid());
    round(); // the first round grows the allocator's pools
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const long rss_after_first = rss_kib(p.pid());
    round();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const long rss_after_second = rss_kib(p.pid());
    CHECK(open_fds(p.pid()) == fds_before);
    MESSAGE("RSS after round 1: " << rss_after_first << " KiB, after round 2: " << rss_after_second
                                  << " KiB");
#ifndef FASTMCP_TEST_SANITIZED
    CHECK(rss_after_second <= rss_after_first + rss_after_first / 10); // flat within 10%
#endif
}

TEST_CASE("SIGTERM during open streams: every stream ends cleanly and the server exits 0 within "
          "the drain timeout") {
    Process p(
        {kModule, "--transport", "http", "--port", "0", "--stateful", "--drain-timeout-ms", "3000"},
        {});
    std::vector<int> fds;
    for (int i = 0; i < 10; ++i) {
        Response init = post(p.port(), initialize());
        int fd = connect_to(p.port());
        send_all(fd, request(p.port(), "GET", "/mcp", "",
                             {"Mcp-Session-Id: " + init.header("mcp-session-id"),
                              "Accept: text/event-stream"}));
        REQUIRE(read_sse(fd, 2000, 1).events.size() == 1);
        fds.push_back(fd);
    }
    const auto start = std::chrono::steady_clock::now();
    kill(p.pid(), SIGTERM);
    for (int fd : fds) {
        SseResponse rest = read_sse(fd, 3000);
        CHECK(rest.ended); // terminating chunk or EOF, not a timeout
        close(fd);
    }
    CHECK(p.wait_exit(5000) == 0);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(3000));
}

TEST_CASE("stateless by default: GET and DELETE are 405, no Mcp-Session-Id is handed out") {
    Process p({"--transport", "http", "--port", "0"}, {});
    Response init = post(p.port(), initialize());
    CHECK(init.status == 200);
    CHECK_FALSE(init.has_header("mcp-session-id"));
    CHECK(get(p.port(), "/mcp", {"Accept: text/event-stream"}).status == 405);
    CHECK(roundtrip(p.port(), request(p.port(), "DELETE", "/mcp", "")).status == 405);
    // FastMCP's own variable turns sessions on.
    Process q({"--transport", "http", "--port", "0"}, {"FASTMCP_STATELESS_HTTP=false"});
    CHECK(post(q.port(), initialize()).has_header("mcp-session-id"));
    Process bad({"--transport", "http", "--port", "0"}, {"FASTMCP_STATELESS_HTTP=maybe"}, false);
    CHECK(bad.wait_exit() == 2);
}
