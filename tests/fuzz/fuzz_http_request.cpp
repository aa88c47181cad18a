// Fuzz target: the host's HTTP/1.1 request reading (host/http): parse_request_head on the input's
// head, then SocketReader over a socketpair carrying the whole input (head, body framing,
// chunked decoding, pipelined bytes after it).
// Invariants: nothing throws or overruns; a status is one of 0/400/414/431/501/505; an accepted
// head has token method and names, a visible-ASCII target, values without CR/LF/NUL or edge
// whitespace, and one framing (never Content-Length with chunked); the body never yields more
// bytes than were sent, and a complete Content-Length body is exactly that long.
#include "fuzz_support.hpp"

#include "http/request_head.hpp"
#include "http/socket_reader.hpp"

#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <string>

namespace {
constexpr const char *kTarget = "http_request";
using fastmcp::fuzz::invariant_failed;

bool is_tchar(unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

void check_head(const fastmcp::host::RequestHead &h) {
    using Body = fastmcp::host::RequestHead::Body;
    if (h.method.empty()) invariant_failed(kTarget, "empty method accepted");
    for (unsigned char c : h.method)
        if (!is_tchar(c)) invariant_failed(kTarget, "method is not a token");
    for (unsigned char c : h.target)
        if (c <= 0x20 || c >= 0x7f)
            invariant_failed(kTarget, "target has a space, control or non-ASCII byte");
    bool has_length = false;
    for (const auto &[name, value] : h.fields) {
        for (unsigned char c : name)
            if (!is_tchar(c)) invariant_failed(kTarget, "field name is not a token");
        for (unsigned char c : value)
            if (c == '\r' || c == '\n' || c == 0)
                invariant_failed(kTarget, "field value has CR, LF or NUL");
        if (!value.empty() && (value.front() == ' ' || value.back() == ' ' ||
                               value.front() == '\t' || value.back() == '\t'))
            invariant_failed(kTarget, "field value keeps edge whitespace");
        if (name.size() == 14 && strncasecmp(name.data(), "content-length", 14) == 0)
            has_length = true;
    }
    if (h.body == Body::Chunked && has_length)
        invariant_failed(kTarget, "Content-Length accepted with chunked");
    if (h.body == Body::Length && !has_length)
        invariant_failed(kTarget, "length framing without Content-Length");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace fastmcp::host;
    if (size > 64 * 1024) return 0; // stays within one socketpair buffer: no writer thread needed
    const std::string_view input = fastmcp::fuzz::as_view(data, size);
    const RequestHeadLimits limits;

    if (const size_t end = find_head_end(input)) {
        if (input.substr(end - 4, 4) != "\r\n\r\n")
            invariant_failed(kTarget, "find_head_end is not after CRLFCRLF");
        RequestHead head;
        const int status = parse_request_head(input.substr(0, end), limits, head);
        if (status != 0 && status != 400 && status != 414 && status != 431 && status != 501 &&
            status != 505)
            invariant_failed(kTarget, "unexpected status");
        if (status == 0) check_head(head);
    }

    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 0;
    int buffer = 256 * 1024;
    setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    size_t sent = 0;
    while (sent < size) {
        const ssize_t n = send(fds[1], data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    shutdown(fds[1], SHUT_WR); // the reader sees EOF after the input: it never blocks
    SocketReader reader(fds[0]);
    for (int request = 0; request < 8; ++request) {
        std::string_view head_text;
        if (reader.read_head(8192 + 16 * 1024 + 404, head_text) != SocketReader::Head::Ok) break;
        RequestHead head;
        if (parse_request_head(head_text, limits, head) != 0) break;
        check_head(head);
        reader.consume_head();
        reader.begin_body(head.body, head.content_length);
        char chunk[4096];
        size_t body = 0;
        while (const size_t n = reader.read_body(chunk, sizeof chunk))
            body += n;
        if (body > sent) invariant_failed(kTarget, "the body yielded more bytes than were sent");
        if (head.body == RequestHead::Body::Length && reader.body_complete() &&
            body != head.content_length)
            invariant_failed(kTarget, "a complete Content-Length body has another length");
        if (!reader.body_complete()) break; // the connection would close here
    }
    close(fds[0]);
    close(fds[1]);
    return 0;
}
