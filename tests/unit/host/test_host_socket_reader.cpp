// SocketReader over a socketpair: framing is covered by the fuzzer and the hostile tests; these
// pin down the edge-triggered bookkeeping (when the reader may call recv() and when it must not).
#include <doctest/doctest.h>

#include "http/socket_reader.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

using namespace fastmcp::host;

namespace {
struct Pair {
    int fds[2] = {-1, -1};
    Pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0); }
    ~Pair() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    void send(const std::string &s) const {
        REQUIRE(::send(fds[1], s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
    }
};
} // namespace

TEST_CASE("a short read marks the socket drained: later bytes wait for the next event") {
    Pair p;
    SocketReader reader(p.fds[0]);
    p.send("GET / HTTP/1.1\r\n");
    std::string_view head;
    CHECK(reader.read_head(8192, head) == SocketReader::Head::NeedMore);
    CHECK_FALSE(reader.socket_ready()); // the receive took less than it asked for
    p.send("Host: h\r\n\r\n");
    // No event has been reported: the reader does not look (edge-triggered, it would find these
    // bytes, but only because the test sent them without the loop seeing an event).
    CHECK(reader.read_head(8192, head) == SocketReader::Head::NeedMore);
    reader.mark_socket_ready(); // the event
    REQUIRE(reader.read_head(8192, head) == SocketReader::Head::Ok);
    CHECK(head == "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST_CASE("a read that fills the buffer keeps the socket ready") {
    Pair p;
    SocketReader reader(p.fds[0]);
    // More than the 4 KB first buffer: the first receive fills it and must not conclude the
    // socket is empty, or the rest of the head would never be read.
    const std::string head_text =
        "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: " + std::string(6000, 'a') + "\r\n\r\n";
    p.send(head_text);
    std::string_view head;
    REQUIRE(reader.read_head(16384, head) == SocketReader::Head::Ok);
    CHECK(head.size() == head_text.size());
}

TEST_CASE("end of input is seen once an event reports it") {
    Pair p;
    SocketReader reader(p.fds[0]);
    p.send("GET / HT");
    std::string_view head;
    CHECK(reader.read_head(8192, head) == SocketReader::Head::NeedMore);
    ::shutdown(p.fds[1], SHUT_WR);
    reader.mark_socket_ready();
    CHECK(reader.read_head(8192, head) == SocketReader::Head::Closed);
}

TEST_CASE("a body arriving in pieces is read as events report them") {
    Pair p;
    SocketReader reader(p.fds[0]);
    p.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234");
    std::string_view head;
    REQUIRE(reader.read_head(8192, head) == SocketReader::Head::Ok);
    reader.consume_head();
    reader.begin_body(RequestHead::Body::Length, 10);
    char out[64];
    CHECK(reader.read_body(out, sizeof out) == 5);
    CHECK(reader.read_body(out, sizeof out) == 0);
    CHECK(reader.would_block());
    p.send("56789");
    reader.mark_socket_ready();
    REQUIRE(reader.read_body(out, sizeof out) == 5);
    CHECK(std::string(out, 5) == "56789");
    CHECK(reader.body_complete());
}
