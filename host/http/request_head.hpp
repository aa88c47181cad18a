// The head of one HTTP/1.1 request (RFC 9112 §2-§3, §5, §6), parsed strictly from a complete
// buffer: request line, header fields, and the framing of the body. Poco's MessageHeader reads a
// head one character at a time through two stream layers; a bearer token makes every request
// head about 1 KB, so that parser was a third of the server's time per request.
// Anything a request smuggler could use is refused rather than guessed: bare LF or CR, obs-fold,
// whitespace before a colon, Content-Length with Transfer-Encoding, differing Content-Lengths,
// any transfer coding but chunked, a missing or repeated Host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace fastmcp::host {

struct RequestHeadLimits {
    size_t max_request_line = 8192; // 414 above this
    size_t max_name = 256;          // 431 above this (one field name)
    size_t max_value = 8192;        // 431 above this (one field value)
    size_t max_fields = 64;         // 431 above this
    size_t max_fields_bytes =
        16 * 1024; // 431 above this: every name + value, 4 bytes each for ": " and CRLF
};

struct RequestHead {
    enum class Body { None, Length, Chunked };
    std::string_view method;
    std::string_view target;
    int minor_version = 1;                                             // HTTP/1.x
    std::vector<std::pair<std::string_view, std::string_view>> fields; // views into the buffer
    Body body = Body::None;
    uint64_t content_length = 0;
};

// `head` runs up to and including the empty line ("\r\n\r\n"). Views in `out` point into it. `out`
// is reset first; the capacity of its field list is kept, so a reused RequestHead does not
// allocate. Returns 0, or the status to answer with: 400, 414, 431, 501 (unknown transfer coding),
// 505 (not HTTP/1.0 or 1.1).
int parse_request_head(std::string_view head, const RequestHeadLimits &limits, RequestHead &out);

// Where the head ends (one past "\r\n\r\n") in what has arrived so far, or 0 when it is not in yet.
size_t find_head_end(std::string_view received);

} // namespace fastmcp::host
