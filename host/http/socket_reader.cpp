#include "socket_reader.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fastmcp::host {

namespace {
constexpr size_t kMaxChunkLine = 1024;   // size + extensions
constexpr size_t kMaxTrailerLine = 8192; // like one header field
constexpr size_t kMaxTrailerLines = 100;
constexpr size_t kMaxBodyBuffer = 64 * 1024;
constexpr size_t kInitialBuffer = 4 * 1024; // a typical MCP request with a bearer token fits
constexpr size_t kPooledBuffers = 64;

std::vector<std::vector<char>> &buffer_pool() {
    thread_local std::vector<std::vector<char>> pool;
    return pool;
}
} // namespace

void SocketReader::release_when_empty() {
    if (begin_ != end_ || buffer_.empty()) return;
    begin_ = end_ = 0;
    auto &pool = buffer_pool();
    if (buffer_.size() == kInitialBuffer && pool.size() < kPooledBuffers)
        pool.push_back(std::move(buffer_));
    buffer_ = std::vector<char>(); // a moved-from vector is not promised empty
}

bool SocketReader::fill(size_t limit) {
    would_block_ = false;
    if (buffer_.empty()) {
        auto &pool = buffer_pool();
        if (limit >= kInitialBuffer && !pool.empty()) {
            buffer_ = std::move(pool.back());
            pool.pop_back();
        } else {
            buffer_.resize(std::min(limit, kInitialBuffer));
        }
    }
    if (begin_ == end_) begin_ = end_ = 0;
    if (end_ == buffer_.size()) {
        if (begin_ > 0) { // slide the unread bytes to the front
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (end_ == buffer_.size()) {
            if (buffer_.size() >= limit) return false;
            buffer_.resize(std::min(limit, buffer_.size() * 2));
        }
    }
    if (!socket_ready_) { // nothing has arrived since a receive emptied the socket
        would_block_ = true;
        return false;
    }
    const size_t room = buffer_.size() - end_;
    ssize_t n;
    do {
        n = ::recv(fd_, buffer_.data() + end_, room, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        would_block_ = true;
        socket_ready_ = false;
    }
    if (n <= 0) return false; // EOF, error, or nothing waiting (would_block_)
    // A short read took everything the socket had: bytes arriving later raise a new event.
    if (static_cast<size_t>(n) < room) socket_ready_ = false;
    end_ += static_cast<size_t>(n);
    return true;
}

SocketReader::Head SocketReader::read_head(size_t max_bytes, std::string_view &head) {
    would_block_ = false;
    size_t searched = 0; // "\r\n\r\n" cannot end before this offset
    for (;;) {
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        while (available() >= 2 && buffer_[begin_] == '\r' && buffer_[begin_ + 1] == '\n') {
            begin_ += 2;
            searched = 0;
        }
        const std::string_view received(buffer_.data() + begin_, available());
        const size_t from = searched > 3 ? searched - 3 : 0;
        if (const size_t end = find_head_end(received.substr(from))) {
            head_size_ = from + end;
            if (head_size_ > max_bytes) return Head::TooLarge;
            head = received.substr(0, head_size_);
            return Head::Ok;
        }
        searched = received.size();
        if (received.size() >= max_bytes) return Head::TooLarge;
        if (!fill(max_bytes + 4)) return would_block_ ? Head::NeedMore : Head::Closed;
    }
}

void SocketReader::consume_head() {
    begin_ += head_size_;
    head_size_ = 0;
}

void SocketReader::begin_body(RequestHead::Body framing, uint64_t content_length) {
    trailer_lines_ = 0;
    remaining_ = 0;
    switch (framing) {
    case RequestHead::Body::None:
        state_ = State::Done;
        break;
    case RequestHead::Body::Length:
        remaining_ = content_length;
        state_ = content_length == 0 ? State::Done : State::Length;
        break;
    case RequestHead::Body::Chunked:
        state_ = State::ChunkSize;
        break;
    }
}

size_t SocketReader::fail() {
    state_ = State::Failed;
    return 0;
}

size_t SocketReader::take(char *out, size_t n) {
    const size_t k = std::min<uint64_t>({n, available(), remaining_});
    std::memcpy(out, buffer_.data() + begin_, k);
    begin_ += k;
    remaining_ -= k;
    return k;
}

bool SocketReader::read_line(size_t max, std::string_view &line) {
    size_t searched = 0;
    for (;;) {
        const std::string_view received(buffer_.data() + begin_, available());
        const size_t from = searched > 0 ? searched - 1 : 0;
        const size_t at = received.find("\r\n", from);
        if (at != std::string_view::npos) {
            if (at > max) return false;
            line = received.substr(0, at);
            begin_ += at + 2;
            return true;
        }
        searched = received.size();
        if (received.size() > max + 1) return false;
        if (!fill(std::max(kMaxBodyBuffer, max + 2))) return false; // would_block_ tells which
    }
}

size_t SocketReader::read_body(char *out, size_t n) {
    would_block_ = false;
    if (n == 0) return 0;
    for (;;) {
        switch (state_) {
        case State::Done:
        case State::Failed:
            return 0;
        case State::Length:
        case State::ChunkData: { // `remaining_` bytes of body or of the current chunk
            if (available() == 0 && !fill(kMaxBodyBuffer)) return would_block_ ? 0 : fail();
            const size_t k = take(out, n);
            if (remaining_ == 0) state_ = state_ == State::Length ? State::Done : State::ChunkEnd;
            return k;
        }
        case State::ChunkSize: {
            std::string_view line;
            if (!read_line(kMaxChunkLine, line)) return would_block_ ? 0 : fail();
            const size_t ext = line.find(';'); // chunk extensions are ignored (RFC 9112 §7.1.1)
            const std::string_view digits = line.substr(0, ext);
            if (digits.empty() || digits.size() > 15) return fail();
            uint64_t size = 0;
            for (char c : digits) {
                int v = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (v < 0) return fail();
                size = size * 16 + static_cast<uint64_t>(v);
            }
            for (unsigned char c : line.substr(digits.size()))
                if ((c < 0x20 && c != '\t') || c == 0x7f) return fail();
            remaining_ = size;
            state_ = size == 0 ? State::Trailers : State::ChunkData;
            continue;
        }
        case State::ChunkEnd: {
            std::string_view line;
            if (!read_line(0, line))
                return would_block_ ? 0 : fail(); // exactly CRLF after the data
            state_ = State::ChunkSize;
            continue;
        }
        case State::Trailers: {
            std::string_view line;
            if (!read_line(kMaxTrailerLine, line)) return would_block_ ? 0 : fail();
            if (line.empty()) {
                state_ = State::Done;
                return 0;
            }
            if (++trailer_lines_ > kMaxTrailerLines)
                return fail(); // trailer fields are read and dropped
            continue;
        }
        }
    }
}

} // namespace fastmcp::host
