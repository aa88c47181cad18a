// Hostile HTTP input (oversized headers and bodies, slowloris) and `fastmcp run` start-up
// behaviour (server modules, bad flags, bad auth configuration).
#include <doctest/doctest.h>

#include "fastmcp_process.hpp"

#include <nlohmann/json.hpp>

using namespace host_test;
using nlohmann::json;

namespace {

Process &server() {
    static Process p({"--transport", "http", "--port", "0", "--max-body-bytes", "4096", "--request-timeout-ms", "1000",
                      "--keep-alive-timeout-ms", "1000"});
    return p;
}

std::string ping() { return R"({"jsonrpc":"2.0","id":1,"method":"ping"})"; }

// Reads until the peer closes; returns how long that took (ms), or -1 when it stayed open.
long ms_until_closed(int fd, int limit_ms) {
    auto start = std::chrono::steady_clock::now();
    char buf[4096];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        long elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
        if (elapsed > limit_ms) return -1;
        if (poll(&p, 1, 50) <= 0) continue;
        if (recv(fd, buf, sizeof buf, 0) <= 0) return elapsed;
    }
}

} // namespace

TEST_CASE("a body over the limit is 413 (declared length: refused before reading)") {
    int port = server().port();
    std::string big(5000, ' ');
    Response r = post(port, big);
    CHECK(r.status == 413);
    CHECK(strcasecmp(r.header("connection").c_str(), "close") == 0);
    // A declared 1 GB body with none sent: answered at once, nothing buffered.
    r = roundtrip(port, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: 1073741824\r\n\r\n");
    CHECK(r.status == 413);
}

TEST_CASE("a chunked body over the limit is 413") {
    int port = server().port();
    std::string req = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 10; ++i) req += "400\r\n" + std::string(1024, ' ') + "\r\n";
    req += "0\r\n\r\n";
    CHECK(roundtrip(port, req).status == 413);
    std::string small = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n" +
                        [] {
                            char n[16];
                            std::snprintf(n, sizeof n, "%zx", ping().size());
                            return std::string(n);
                        }() + "\r\n" + ping() + "\r\n0\r\n\r\n";
    CHECK(roundtrip(port, small).status == 200);
}

TEST_CASE("too many or too large headers get 431") {
    int port = server().port();
    std::vector<std::string> many;
    for (int i = 0; i < 70; ++i) many.push_back("X-Filler-" + std::to_string(i) + ": x");
    CHECK(post(port, ping(), many).status == 431);
    for (int i = 70; i < 150; ++i) many.push_back("X-Filler-" + std::to_string(i) + ": x");
    CHECK(post(port, ping(), many).status == 431); // past the parser's own field limit
    CHECK(post(port, ping(), {"X-Big: " + std::string(9000, 'a')}).status == 431);
    CHECK(post(port, ping(), {"X-A: " + std::string(6000, 'a'), "X-B: " + std::string(6000, 'b'),
                              "X-C: " + std::string(6000, 'c')})
              .status == 431);
    CHECK(post(port, ping(), {"Authorization: Bearer " + std::string(9000, 'a')}).status == 431);
    CHECK(post(port, ping()).status == 200); // still serving
}

TEST_CASE("slowloris: a slow header is cut off and other clients are served meanwhile") {
    int port = server().port();
    std::vector<int> slow;
    for (int i = 0; i < 4; ++i) {
        int fd = connect_to(port);
        send_all(fd, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        slow.push_back(fd);
    }
    // Served while the slow clients hold their connections.
    CHECK(post(port, ping()).status == 200);
    // Trickle one byte every 300 ms: the whole-request deadline (1 s) still ends it.
    std::thread trickle([fd = slow[0]] {
        for (int i = 0; i < 10; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            if (send(fd, "a", 1, MSG_NOSIGNAL) <= 0) return;
        }
    });
    for (int fd : slow) {
        long ms = ms_until_closed(fd, 5000);
        CHECK(ms >= 0);
        close(fd);
    }
    trickle.join();
    CHECK(post(port, ping()).status == 200);
}

TEST_CASE("a slow body is cut off too") {
    int port = server().port();
    int fd = connect_to(port);
    send_all(fd, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    CHECK(ms_until_closed(fd, 5000) >= 0);
    close(fd);
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout") {
    int port = server().port();
    int fd = connect_to(port);
    send_all(fd, request(port, "POST", "/mcp", ping()));
    std::string buffer;
    CHECK(read_response(fd, buffer).status == 200);
    long ms = ms_until_closed(fd, 5000);
    CHECK(ms >= 0);
    close(fd);
}

TEST_CASE("an over-long request line gets 414") {
    CHECK(get(server().port(), "/mcp?" + std::string(17000, 'a')).status == 414);
}

TEST_CASE("a server module's tools are served, with get_access_token from C") {
    const std::string module = std::string(FASTMCP_BINARY_DIR) + "/examples/greeter.so";
    Process p({module, "--transport", "http", "--port", "0"},
              {"FASTMCP_SERVER_AUTH=" + std::string(FASTMCP_TEST_PROVIDER_DIR) + "/host_test.so:HostTestProvider",
               "FASTMCP_SERVER_AUTH_HOSTTESTPROVIDER_BASE_URL=http://127.0.0.1:8000"});
    std::vector<std::string> auth = {"Authorization: Bearer good-token"};
    json init = json::parse(post(p.port(), R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})", auth).body);
    CHECK(init["result"]["serverInfo"]["name"] == "Greeter");
    CHECK(init["result"]["instructions"] == "Tools that greet you by your verified identity.");
    json list = json::parse(post(p.port(), R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", auth).body);
    CHECK(list["result"]["tools"].size() == 3);
    json greet = json::parse(
        post(p.port(), R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"greet","arguments":{}}})", auth).body);
    CHECK(greet["result"]["content"][0]["text"] == "Hello, user-1!");
    json add = json::parse(
        post(p.port(), R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3.5}}})", auth)
            .body);
    CHECK(add["result"]["structuredContent"]["sum"] == 5.5);
    json fail = json::parse(
        post(p.port(), R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"fail"}})", auth).body);
    CHECK(fail["result"]["isError"] == true);
    CHECK(p.stop() == 0);
}

TEST_CASE("start-up errors stop with exit 2 and a message, never 'no auth'") {
    {
        Process p({"--transport", "stdio"}, {}, false);
        CHECK(p.wait_exit() == 2);
        CHECK(p.stderr_text().find("Streamable HTTP only") != std::string::npos);
    }
    {
        Process p({"--transport", "http", "--port", "0"}, {"FASTMCP_SERVER_AUTH=no_such_module.NopeProvider"}, false);
        CHECK(p.wait_exit() == 2);
        CHECK(p.stderr_text().find("auth configuration error") != std::string::npos);
    }
    {
        Process p({"--transport", "http", "--port", "0"},
                  {"FASTMCP_SERVER_AUTH=" + std::string(FASTMCP_TEST_PROVIDER_DIR) + "/host_test.so:HostTestProvider"}, false);
        CHECK(p.wait_exit() == 2);
        CHECK(p.stderr_text().find("BASE_URL") != std::string::npos);
    }
    {
        Process p({"/nonexistent/module.so", "--transport", "http", "--port", "0"}, {}, false);
        CHECK(p.wait_exit() == 2);
        CHECK(p.stderr_text().find("no such file") != std::string::npos);
    }
    {
        // An auth provider module is not a server module.
        Process p({std::string(FASTMCP_TEST_PROVIDER_DIR) + "/host_test.so", "--transport", "http", "--port", "0"}, {}, false);
        CHECK(p.wait_exit() == 2);
        CHECK(p.stderr_text().find("fastmcp_server_module_entry") != std::string::npos);
    }
    {
        Process p({std::string(FASTMCP_BINARY_DIR) + "/tests/server_modules/bad_abi_server_module.so", "--transport", "http", "--port", "0"},
                  {}, false);
        CHECK(p.wait_exit() == 2);
        CHECK(p.stderr_text().find("ABI 2.0, this host speaks 1.") != std::string::npos); // any 1.x minor
    }
    {
        Process p({"--transport", "http", "--port", "0", "--log-level", "shouty"}, {}, false);
        CHECK(p.wait_exit() == 2);
    }
}

TEST_CASE("auth off on a non-loopback bind is logged loudly") {
    Process p({"--transport", "http", "--host", "0.0.0.0", "--port", "0"});
    CHECK(p.ready_line().rfind("Listening on http://0.0.0.0:", 0) == 0);
    CHECK(p.stop() == 0);
    CHECK(p.stderr_text().find("WARNING AUTH IS OFF") != std::string::npos);
}

TEST_CASE("a full thread pool closes idle keep-alive connections so new clients are served") {
    Process p({"--transport", "http", "--port", "0", "--max-threads", "2", "--keep-alive-timeout-ms", "30000"});
    std::vector<int> idle;
    for (int i = 0; i < 2; ++i) {
        int fd = connect_to(p.port());
        send_all(fd, request(p.port(), "POST", "/mcp", ping()));
        std::string buffer;
        CHECK(read_response(fd, buffer).status == 200);
        idle.push_back(fd); // now idle, each holding a worker thread
    }
    auto start = std::chrono::steady_clock::now();
    CHECK(post(p.port(), ping()).status == 200);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    CHECK(ms < 5000); // far below the 30 s idle timeout
    for (int fd : idle) close(fd);
    CHECK(p.stop() == 0);
}

TEST_CASE("Expect: 100-continue is answered before the body is read") {
    int port = server().port();
    int fd = connect_to(port);
    send_all(fd, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                 "Content-Length: " + std::to_string(ping().size()) + "\r\n\r\n");
    std::string buffer;
    char buf[1024];
    while (buffer.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        REQUIRE(n > 0);
        buffer.append(buf, static_cast<size_t>(n));
    }
    CHECK(buffer.rfind("HTTP/1.1 100", 0) == 0);
    buffer.erase(0, buffer.find("\r\n\r\n") + 4);
    send_all(fd, ping());
    CHECK(read_response(fd, buffer).status == 200);
    close(fd);
}
