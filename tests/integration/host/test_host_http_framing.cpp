// HTTP/1.1 framing on the wire (RFC 9112), against the real `fastmcp run`: chunked bodies,
// pipelining, HEAD, HTTP/1.0, and the ambiguous framings a request smuggler needs, which are
// answered 400/501 and end the connection.
#include <doctest/doctest.h>

#include "fastmcp_process.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

using namespace host_test;
using nlohmann::json;

namespace {

Process &server() {
    static Process p({"--transport", "http", "--port", "0", "--request-timeout-ms", "2000",
                      "--keep-alive-timeout-ms", "2000"});
    return p;
}

std::string ping(int id) {
    return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"ping"})";
}

std::string hex(size_t n) {
    char b[16];
    std::snprintf(b, sizeof b, "%zx", n);
    return b;
}

// True when the server closed the connection (after any response bytes still in flight).
bool closed_by_server(int fd) {
    char buf[4096];
    for (;;) {
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0) return true;
        if (n < 0) return errno == ECONNRESET;
    }
}

const std::string kHead =
    "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";

} // namespace

TEST_CASE("a chunked body with extensions and trailers is decoded; the connection stays usable") {
    const int port = server().port();
    const std::string body = ping(7);
    const std::string first = body.substr(0, 10), rest = body.substr(10);
    const int fd = connect_to(port);
    send_all(fd, kHead + "Transfer-Encoding: chunked\r\n\r\n" + hex(first.size()) +
                     ";name=value\r\n" + first + "\r\n" + hex(rest.size()) + "\r\n" + rest +
                     "\r\n0\r\nX-Trailer: t\r\n\r\n");
    std::string buffer;
    Response r = read_response(fd, buffer);
    CHECK(r.status == 200);
    CHECK(json::parse(r.body)["id"] == 7);
    send_all(fd, request(port, "POST", "/mcp", ping(8)));
    r = read_response(fd, buffer);
    CHECK(r.status == 200);
    CHECK(json::parse(r.body)["id"] == 8);
    close(fd);
}

TEST_CASE("pipelined requests in one write are answered in order") {
    const int port = server().port();
    const int fd = connect_to(port);
    send_all(fd, request(port, "POST", "/mcp", ping(1)) + "\r\n" +
                     request(port, "POST", "/mcp", ping(2)) +
                     request(port, "POST", "/mcp", ping(3)));
    std::string buffer;
    for (int id = 1; id <= 3; ++id) {
        Response r = read_response(fd, buffer);
        CHECK(r.status == 200);
        CHECK(json::parse(r.body)["id"] == id);
    }
    close(fd);
}

TEST_CASE("ambiguous framing is refused and the connection closed") {
    const int port = server().port();
    const std::string body = ping(1);
    struct Case {
        std::string request;
        int status;
    };
    const Case cases[] = {
        {kHead + "Content-Length: " + std::to_string(body.size()) +
             "\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
         400},
        {kHead + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n" + body, 400},
        {kHead + "Content-Length: -1\r\n\r\n", 400},
        {kHead + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501},
        {kHead + "Transfer-Encoding : chunked\r\n\r\n", 400},
        {kHead + "X-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST /mcp HTTP/1.1\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST /mcp HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"POST /mcp HTTP/2.0\r\nContent-Length: 0\r\n\r\n", 505},
        {"POST /mcp HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400}, // no Host
    };
    for (const auto &c : cases) {
        CAPTURE(c.request);
        const int fd = connect_to(port);
        send_all(fd, c.request);
        std::string buffer;
        const Response r = read_response(fd, buffer);
        CHECK(r.status == c.status);
        CHECK(strcasecmp(r.header("connection").c_str(), "close") == 0);
        CHECK(closed_by_server(fd));
        close(fd);
    }
}

TEST_CASE("a broken chunked body is not taken for the next request") {
    const int port = server().port();
    const int fd = connect_to(port);
    send_all(fd, kHead + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" +
                     request(port, "POST", "/mcp", ping(1)));
    std::string buffer;
    const Response r = read_response(fd, buffer);
    CHECK(r.status == 400);
    CHECK(closed_by_server(fd)); // the smuggled request after it is never answered
    close(fd);
}

TEST_CASE("HEAD gets the head without the body; HTTP/1.0 closes unless asked to keep alive") {
    const int port = server().port();
    int fd = connect_to(port);
    send_all(fd, "HEAD /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string head;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    head.assign(buf, static_cast<size_t>(n));
    const size_t end = head.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    CHECK(head.substr(0, 12) == "HTTP/1.1 405");
    CHECK(head.size() == end + 4); // no body bytes follow
    close(fd);

    fd = connect_to(port);
    send_all(fd, "POST /mcp HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: "
                 "application/json\r\nContent-Length: " +
                     std::to_string(ping(1).size()) + "\r\n\r\n" + ping(1));
    std::string buffer;
    Response r = read_response(fd, buffer);
    CHECK(r.status == 200);
    CHECK(closed_by_server(fd));
    close(fd);

    fd = connect_to(port);
    const std::string keep = "POST /mcp HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: "
                             "keep-alive\r\nContent-Type: application/json\r\nContent-Length: " +
                             std::to_string(ping(1).size()) + "\r\n\r\n" + ping(1);
    send_all(fd, keep + keep);
    CHECK(read_response(fd, buffer).status == 200);
    CHECK(read_response(fd, buffer).status == 200);
    close(fd);
}

TEST_CASE("a keep-alive timeout shorter than the request timeout closes an idle connection at the "
          "shorter one") {
    static Process p({"--transport", "http", "--port", "0", "--request-timeout-ms", "5000",
                      "--keep-alive-timeout-ms", "300"});
    const int fd = connect_to(p.port());
    send_all(fd, request(p.port(), "POST", "/mcp", ping(1)));
    std::string buffer;
    CHECK(read_response(fd, buffer).status == 200);
    const auto start = std::chrono::steady_clock::now();
    CHECK(closed_by_server(fd));
    const auto idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    CHECK(idle_ms >= 250);
    CHECK(idle_ms < 4000); // well before the 5 s request timeout
    close(fd);
}

TEST_CASE("204 carries no Content-Length; a head over the size limit is 431") {
    const int port = server().port();
    Response r = roundtrip(port, "OPTIONS /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(r.status == 204);
    CHECK_FALSE(r.has_header("content-length"));
    std::string many = kHead;
    for (int i = 0; i < 10; ++i)
        many += "X-Filler-" + std::to_string(i) + ": " + std::string(8000, 'f') + "\r\n";
    r = roundtrip(port, many + "Content-Length: 0\r\n\r\n");
    CHECK(r.status == 431);
}
