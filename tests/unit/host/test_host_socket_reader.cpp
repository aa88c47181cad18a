// SocketReader over a socketpair: framing is covered by the fuzzer and the hostile tests; these
// pin down the edge-triggered bookkeeping (when the reader may call recv() and when it must not)
// and the per-thread pool its buffers go back to.
#include <doctest/doctest.h>

#include "http/socket_reader.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

using namespace fastmcp::host;

namespace {
// A reader on one end of a socketpair; the test writes to the other end.
struct Client {
    int fds[2] = {-1, -1};
    std::unique_ptr<SocketReader> reader;
    std::string_view head;
    Client() {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        reader = std::make_unique<SocketReader>(fds[0]);
    }
    ~Client() {
        reader.reset();
        ::close(fds[0]);
        ::close(fds[1]);
    }
    void send(const std::string &s) const {
        REQUIRE(::send(fds[1], s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
    }
    SocketReader::Head read_head(size_t max = 8192) { return reader->read_head(max, head); }
};
} // namespace

TEST_CASE("a short read marks the socket drained: later bytes wait for the next event") {
    Client c;
    c.send("GET / HTTP/1.1\r\n");
    CHECK(c.read_head() == SocketReader::Head::NeedMore);
    CHECK_FALSE(c.reader->socket_ready()); // the receive took less than it asked for
    c.send("Host: h\r\n\r\n");
    // No event has been reported: the reader does not look (edge-triggered, it would find these
    // bytes, but only because the test sent them without the loop seeing an event).
    CHECK(c.read_head() == SocketReader::Head::NeedMore);
    c.reader->mark_socket_ready(); // the event
    REQUIRE(c.read_head() == SocketReader::Head::Ok);
    CHECK(c.head == "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST_CASE("a read that fills the buffer keeps the socket ready") {
    Client c;
    // More than the 4 KB first buffer: the first receive fills it and must not conclude the
    // socket is empty, or the rest of the head would never be read.
    const std::string head_text =
        "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: " + std::string(6000, 'a') + "\r\n\r\n";
    c.send(head_text);
    REQUIRE(c.read_head(16384) == SocketReader::Head::Ok);
    CHECK(c.head.size() == head_text.size());
}

TEST_CASE("end of input is seen once an event reports it") {
    Client c;
    c.send("GET / HT");
    CHECK(c.read_head() == SocketReader::Head::NeedMore);
    ::shutdown(c.fds[1], SHUT_WR);
    c.reader->mark_socket_ready();
    CHECK(c.read_head() == SocketReader::Head::Closed);
}

TEST_CASE("a body arriving in pieces is read as events report them") {
    Client c;
    c.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234");
    REQUIRE(c.read_head() == SocketReader::Head::Ok);
    c.reader->consume_head();
    c.reader->begin_body(RequestHead::Body::Length, 10);
    char out[64];
    CHECK(c.reader->read_body(out, sizeof out) == 5);
    CHECK(c.reader->read_body(out, sizeof out) == 0);
    CHECK(c.reader->would_block());
    c.send("56789");
    c.reader->mark_socket_ready();
    REQUIRE(c.reader->read_body(out, sizeof out) == 5);
    CHECK(std::string(out, 5) == "56789");
    CHECK(c.reader->body_complete());
}

TEST_CASE("a released buffer serves the next reader with none of its old bytes") {
    Client first, second;
    first.send("GET /first HTTP/1.1\r\nHost: one\r\n\r\n");
    REQUIRE(first.read_head() == SocketReader::Head::Ok);
    const char *pooled = first.head.data();
    first.reader->consume_head();
    first.reader->release_when_empty(); // nothing left: the buffer goes to this thread's pool
    CHECK_FALSE(first.reader->has_buffered_input());

    second.send("GET /2 HTTP/1.1\r\nHost: b\r\n\r\n");
    REQUIRE(second.read_head() == SocketReader::Head::Ok);
    CHECK(second.head.data() == pooled); // the same memory, taken from the pool
    CHECK(second.head == "GET /2 HTTP/1.1\r\nHost: b\r\n\r\n");

    // A reader with bytes still buffered keeps its buffer (a pipelined request is not lost).
    second.reader->consume_head();
    second.send("GET /3 HTTP/1.1\r\nHost: c\r\n\r\nGET /4 HTTP/1.1\r\nHost: d\r\n\r\n");
    second.reader->mark_socket_ready();
    REQUIRE(second.read_head() == SocketReader::Head::Ok);
    second.reader->consume_head();
    second.reader->release_when_empty();
    REQUIRE(second.reader->has_buffered_input());
    REQUIRE(second.read_head() == SocketReader::Head::Ok);
    CHECK(second.head == "GET /4 HTTP/1.1\r\nHost: d\r\n\r\n");
}
