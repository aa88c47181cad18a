// Buffered reading of HTTP/1.1 requests from one connected non-blocking socket: whole request heads
// (for parse_request_head) and request bodies, framed by Content-Length or the chunked coding
// (RFC 9112 §6-§7). Bytes past the current request (a pipelined next one) stay buffered. Every
// receive is non-blocking: when the socket has nothing more, a call returns what it has and
// would_block() tells the event loop to wait for readability and call again (the state resumes).
#pragma once

#include "request_head.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fastmcp::host {

class SocketReader {
  public:
    explicit SocketReader(int fd) : fd_(fd) {}

    enum class Head { Ok, Closed, TooLarge, NeedMore };
    // Reads until a whole head ("...\r\n\r\n") is buffered; `head` views it until consume_head().
    // Closed: EOF or an error (before the head was complete: nothing to answer).
    // TooLarge: the head did not fit in `max_bytes`. NeedMore: nothing more to read yet.
    Head read_head(size_t max_bytes, std::string_view &head);
    void consume_head();

    // Starts reading the body of the request whose head was just consumed.
    void begin_body(RequestHead::Body framing, uint64_t content_length);
    // Up to `n` body bytes; 0 at the end of the body, on an error (see body_failed), or when the
    // socket has nothing more yet (would_block()).
    size_t read_body(char *out, size_t n);
    // The whole body was read (so the next request starts at the next buffered byte).
    bool body_complete() const { return state_ == State::Done; }
    bool body_failed() const { return state_ == State::Failed; }

    bool has_buffered_input() const { return end_ > begin_; }
    // The last receive found no bytes waiting (not an error: wait for readability).
    bool would_block() const { return would_block_; }
    // Whether the socket may hold bytes not yet received. The socket is watched edge-triggered:
    // readiness is reported once per arrival, so the reader remembers it (mark_socket_ready on each
    // event) until a receive takes less than it asked for or finds nothing, and does not call
    // recv() while the socket is known to be empty. Other receives on the socket (a lingering
    // close, a peek) report what they found with mark_socket_drained.
    bool socket_ready() const { return socket_ready_; }
    void mark_socket_ready() { socket_ready_ = true; }
    void mark_socket_drained() { socket_ready_ = false; }
    // Gives the buffer back while nothing is buffered (a keep-alive connection between requests).
    // Buffers of the first size go to a small pool of this thread's, taken again by the next
    // reader that needs one: thousands of connections then share a few buffers that stay in cache.
    void release_when_empty();

  private:
    enum class State { Done, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, Failed };
    size_t available() const { return end_ - begin_; }
    // Receives more bytes after the buffered ones (growing up to `limit` bytes); false on
    // EOF/error, or with would_block_ set when none are waiting.
    bool fill(size_t limit);
    // A CRLF-terminated line of at most `max` bytes (without the CRLF), consumed; false on error.
    bool read_line(size_t max, std::string_view &line);
    size_t take(char *out, size_t n);
    size_t fail();

    int fd_;
    std::vector<char> buffer_;
    size_t begin_ = 0, end_ = 0; // unread bytes are buffer_[begin_, end_)
    size_t head_size_ = 0;
    State state_ = State::Done;
    uint64_t remaining_ = 0; // of the body (Length) or of the current chunk (ChunkData)
    size_t trailer_lines_ = 0;
    bool would_block_ = false;
    bool socket_ready_ = true; // a new connection may have bytes waiting already
};

} // namespace fastmcp::host
