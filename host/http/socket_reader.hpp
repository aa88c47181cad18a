// Buffered reading of HTTP/1.1 requests from one connected socket: whole request heads (for
// parse_request_head) and request bodies, framed by Content-Length or the chunked coding
// (RFC 9112 §6-§7). Bytes past the current request (a pipelined next one) stay buffered.
#pragma once

#include "request_head.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fastmcp::host {

class SocketReader {
  public:
    explicit SocketReader(int fd) : fd_(fd), buffer_(16 * 1024) {}

    enum class Head { Ok, Closed, TooLarge };
    // Reads until a whole head ("...\r\n\r\n") is buffered; `head` views it until consume_head().
    // Closed: EOF, an error or a receive timeout (before the head was complete: nothing to answer).
    // TooLarge: the head did not fit in `max_bytes`.
    Head read_head(size_t max_bytes, std::string_view &head);
    void consume_head();

    // Starts reading the body of the request whose head was just consumed.
    void begin_body(RequestHead::Body framing, uint64_t content_length);
    // Up to `n` body bytes; 0 at the end of the body or on an error (see body_failed).
    size_t read_body(char *out, size_t n);
    // The whole body was read (so the next request starts at the next buffered byte).
    bool body_complete() const { return state_ == State::Done; }
    bool body_failed() const { return state_ == State::Failed; }

    bool has_buffered_input() const { return end_ > begin_; }
    // One blocking receive (bounded by SO_RCVTIMEO); false on EOF, error or timeout.
    bool receive() { return fill(buffer_.size()); }

  private:
    enum class State { Done, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, Failed };
    size_t available() const { return end_ - begin_; }
    // Receives more bytes after the buffered ones (growing up to `limit` bytes); false on
    // EOF/error.
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
};

} // namespace fastmcp::host
