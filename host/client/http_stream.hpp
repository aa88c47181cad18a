// An HTTP(S) response read as it arrives, line by line: Server-Sent Events streams (a POST answered
// with text/event-stream, the GET stream of a stateful session) stay open while a server works, so
// the body cannot be read to its end before messages are handled. The connection lives as long as
// the StreamedResponse.
#pragma once

#include "http_exchange.hpp"

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

namespace fastmcp::client {

struct StreamedResponse {
    int status = 0; // 0 = the exchange failed, see error
    Headers headers;
    std::string error;
    std::istream *body = nullptr;     // the body as it arrives; owned by keep_alive
    std::shared_ptr<void> keep_alive; // the connection (or buffer) behind body
    size_t max_line = 8 << 20;
    // Ends a read blocked in another thread (shuts the connection down); empty for buffers.
    std::function<void()> abort;

    // Next body line without its line ending (LF, CRLF or CR); false at the end of the body or on
    // a read error (idle longer than the request's timeout, a line past max_line).
    bool read_line(std::string &line);
    std::string header(std::string_view name) const;
    std::string content_type() const;
    // The rest of the body (bounded by max bytes); lines rejoined with '\n'.
    std::string read_body(size_t max_bytes = 8 << 20);
};

// Opens the exchange and reads the status and headers; the body is left for read_line.
StreamedResponse http_open_stream(const HttpRequest &request);

// A complete response seen as a stream (fake transports in tests, non-streaming exchanges).
StreamedResponse stream_from(HttpResponse response);

} // namespace fastmcp::client
