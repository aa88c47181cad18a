#include "connection.hpp"

#include "../auth/verify_watchdog.hpp"
#include "blocking_pool.hpp"
#include "recycling_allocator.hpp"

#include <boost/asio/post.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace fastmcp::host {

namespace {

constexpr size_t kMaxLingerBytes = 1024 * 1024; // drained after an error answer, at most
constexpr int kLingerMs = 1000;

// The Date header, formatted once per second per thread rather than once per response.
const std::string &http_date_now() {
    thread_local std::time_t cached_second = 0;
    thread_local std::string cached;
    const std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        cached_second = now;
        std::tm tm{};
        gmtime_r(&now, &tm);
        char buffer[64];
        cached.assign(buffer,
                      std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm));
    }
    return cached;
}

std::string error_response(int status) {
    struct Answer {
        int status;
        const char *reason, *error;
    };
    static constexpr Answer kAnswers[] = {
        {414, "URI Too Long", "uri_too_long"},
        {431, "Request Header Fields Too Large", "request_header_fields_too_large"},
        {501, "Not Implemented", "not_implemented"},
        {505, "HTTP Version Not Supported", "http_version_not_supported"},
    };
    Answer answer{400, "Bad Request", "bad_request"};
    for (const auto &a : kAnswers)
        if (a.status == status) answer = a;
    const std::string body = std::string(R"({"error":")") + answer.error + "\"}";
    return "HTTP/1.1 " + std::to_string(answer.status) + " " + answer.reason +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

Poco::Net::SocketAddress address_of(int fd, bool peer) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    auto *sa = reinterpret_cast<sockaddr *>(&ss);
    if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0)
        return Poco::Net::SocketAddress();
    return Poco::Net::SocketAddress(sa, len);
}

} // namespace

// ---- EventStream ----

EventStream::EventStream(std::weak_ptr<Connection> connection, uint64_t id)
    : connection_(std::move(connection)), id_(id) {}

bool EventStream::send(std::string bytes) {
    if (closed_.load()) return false;
    auto c = connection_.lock();
    if (!c) return false;
    // On the loop, write now: a post from the loop thread waits in its private queue until the
    // current handler returns, behind posts other threads made meanwhile (the priming event would
    // arrive after the first notification).
    if (c->loop_.in_loop()) {
        if (c->stream_ && c->stream_->id_ == id_) c->stream_send(std::move(bytes));
        return true;
    }
    boost::asio::post(c->loop_.io(), [c, id = id_, bytes = std::move(bytes)]() mutable {
        if (c->stream_ && c->stream_->id_ == id) c->stream_send(std::move(bytes));
    });
    return true;
}

void EventStream::end() {
    auto c = connection_.lock();
    if (!c || closed_.load()) return;
    // Always posted, also from the loop: ending a stream may close the connection and serve a
    // pipelined request, which must not run inside the caller (a session holding its lock).
    boost::asio::post(c->loop_.io(), [c, id = id_] {
        if (c->stream_ && c->stream_->id_ == id) c->stream_end();
    });
}

void EventStream::on_closed(std::function<void()> callback) {
    std::unique_lock lock(mutex_);
    if (!closed_.load()) {
        on_closed_ = std::move(callback);
        return;
    }
    lock.unlock();
    if (callback) callback();
}

void EventStream::mark_closed(boost::asio::io_context &io) {
    std::function<void()> callback;
    {
        std::lock_guard lock(mutex_);
        if (closed_.exchange(true)) return;
        callback = std::move(on_closed_);
    }
    // Later, on the loop: the stream may close inside a call that holds the owner's lock.
    if (callback) boost::asio::post(io, std::move(callback));
}

// ---- HttpExchange ----

HttpExchange::HttpExchange(std::shared_ptr<Connection> connection, const RequestHead &head)
    : connection_(std::move(connection)),
      request_(head, response_, connection_->client_address_, connection_->server_address_,
               *connection_->server_.params),
      head_request_(head.method == "HEAD") {}

bool HttpExchange::on_loop() const { return connection_->loop_.in_loop(); }

bool HttpExchange::may_keep_alive() const {
    const auto &c = *connection_;
    const int max = c.server_.settings.max_keep_alive_requests;
    return !c.server_.draining.load() && (max <= 0 || c.served_ < max);
}

void HttpExchange::post(std::function<void()> f) {
    boost::asio::post(connection_->loop_.io(),
                      [self = shared_from_this(), f = std::move(f)] { f(); });
}

bool HttpExchange::run_blocking(std::function<void()> f) {
    return connection_->server_.pool->submit(std::move(f));
}

void HttpExchange::finish() {
    if (on_loop()) {
        if (connection_->exchange_.get() == this) connection_->finish_exchange();
        return;
    }
    boost::asio::post(connection_->loop_.io(), [self = shared_from_this()] {
        if (self->connection_->exchange_ == self) self->connection_->finish_exchange();
    });
}

bool HttpExchange::discard_small_body() {
    constexpr uint64_t kLimit = 64 * 1024;
    if (request_.framing() == RequestHead::Body::None) return true;
    if (request_.framing() != RequestHead::Body::Length || request_.getExpectContinue() ||
        request_.declared_length() > kLimit)
        return false;
    // Only what has already arrived: the loop never waits here.
    char buffer[8192];
    auto &reader = connection_->reader_;
    while (!reader.body_complete())
        if (reader.read_body(buffer, sizeof buffer) == 0) break;
    return reader.body_complete();
}

void HttpExchange::read_body(size_t max_bytes, std::function<void(BodyResult)> done) {
    Connection &c = *connection_;
    switch (request_.framing()) {
    case RequestHead::Body::None:
        request_.body_complete();
        return done(BodyResult::Ok);
    case RequestHead::Body::Length:
        if (request_.declared_length() > max_bytes) return done(BodyResult::TooLarge);
        request_.body().reserve(static_cast<size_t>(request_.declared_length()));
        break;
    case RequestHead::Body::Chunked:
        break;
    }
    // curl and others wait for this before sending a larger body (only now, after auth and size).
    if (request_.getExpectContinue() && request_.getVersion() != ParsedRequest::HTTP_1_0)
        c.write("HTTP/1.1 100 Continue\r\n\r\n");
    c.body_done_ = std::move(done);
    c.body_max_ = max_bytes;
    c.state_ = Connection::State::ReadingBody;
    c.set_deadline(c.request_deadline_ms_);
    c.read_body_step();
}

void HttpExchange::arm_verify_deadline(int64_t deadline_ms, const VerifyDeadline &d) {
    Connection &c = *connection_;
    c.verify_ = &d;
    c.state_ = Connection::State::Verifying;
    c.set_deadline(deadline_ms);
}

bool HttpExchange::disarm_verify_deadline() {
    Connection &c = *connection_;
    if (c.exchange_.get() != this || c.state_ != Connection::State::Verifying) return false;
    c.verify_ = nullptr;
    c.state_ = Connection::State::Handling;
    c.set_deadline(INT64_MAX);
    return true;
}

std::shared_ptr<EventStream> HttpExchange::start_stream() {
    Connection &c = *connection_;
    c.stream_chunked_ = request_.getVersion() != ParsedRequest::HTTP_1_0;
    if (c.stream_chunked_)
        response_.setChunkedTransferEncoding(true);
    else
        response_.setKeepAlive(false); // the body ends with the connection
    if (c.server_.draining.load()) response_.setKeepAlive(false);
    std::string head = response_.serialize_stream_head();
    c.stream_ = std::make_shared<EventStream>(c.weak_from_this(), ++c.streams_);
    c.state_ = Connection::State::Streaming;
    c.close_after_write_ =
        !c.stream_chunked_ || !response_.getKeepAlive() || !c.reader_.body_complete();
    c.last_write_ms_ = EventLoop::now_ms(); // the stream's writes are timed from its start
    c.write(std::move(head));
    c.set_deadline(c.last_write_ms_ + c.server_.settings.stream_keep_alive_ms);
    c.wait_readable(); // to notice the client going away
    return c.stream_;
}

// ---- Connection ----

Connection::Connection(EventLoop &loop, int fd, ServerContext &server)
    : loop_(loop), server_(server), fd_(fd), reader_(fd_) {
} // counted in server.open by the acceptor

Connection::~Connection() {
    if (state_ != State::Closed) {
        server_.open.fetch_sub(1);
        ::close(fd_);
    }
}

void Connection::start() {
    if (!loop_.attach(shared_from_this(), fd_)) return close();
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    client_address_ = address_of(fd_, true);
    server_address_ = address_of(fd_, false);
    state_ = State::ReadingHead;
    request_deadline_ms_ = EventLoop::now_ms() + server_.settings.request_timeout_ms;
    set_deadline(request_deadline_ms_);
    process_input();
}

void Connection::on_events(uint32_t events) {
    if (state_ == State::Closed) return; // closed earlier in the same batch
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) reader_.mark_socket_ready();
    if (want_write_ && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
        want_write_ = false;
        flush();
    }
    if (want_read_ && reader_.socket_ready() && state_ != State::Closed) {
        want_read_ = false;
        on_readable();
    }
}

void Connection::wait_readable() {
    if (state_ == State::Closed) return;
    want_read_ = true;
    // Bytes may already be waiting (they arrived while the connection was busy, or the last
    // receive filled the buffer): no new event will report them, so look on the next turn of the
    // loop (posted: this runs inside the handler that finished the previous step).
    if (!reader_.socket_ready() || read_posted_) return;
    read_posted_ = true;
    boost::asio::post(loop_.io(), [self = shared_from_this()] {
        self->read_posted_ = false;
        if (self->want_read_ && self->reader_.socket_ready() && self->state_ != State::Closed) {
            self->want_read_ = false;
            self->on_readable();
        }
    });
}

void Connection::wait_writable() {
    if (want_write_ || state_ == State::Closed) return;
    want_write_ = true; // the send that found no room set up the event that says there is some
    if (state_ == State::Writing)
        set_deadline(EventLoop::now_ms() + server_.settings.request_timeout_ms);
}

void Connection::on_readable() {
    switch (state_) {
    case State::Idle:
        state_ = State::ReadingHead;
        request_deadline_ms_ = EventLoop::now_ms() + server_.settings.request_timeout_ms;
        set_deadline(request_deadline_ms_);
        return process_input();
    case State::ReadingHead:
        return process_input();
    case State::ReadingBody:
        return read_body_step();
    case State::Lingering: {
        char sink[16 * 1024];
        for (;;) {
            const ssize_t n = ::recv(fd_, sink, sizeof sink, MSG_DONTWAIT);
            if (n > 0) {
                lingered_bytes_ += static_cast<size_t>(n);
                if (lingered_bytes_ > kMaxLingerBytes) return close();
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                reader_.mark_socket_drained();
                return wait_readable();
            }
            if (n < 0 && errno == EINTR) continue;
            return close(); // EOF or error
        }
    }
    case State::Streaming: {
        // The client sends nothing on a stream: EOF or an error means it went away. Bytes (a
        // pipelined request) stay in the socket until the stream ends.
        char c;
        const ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return close();
        if (n < 0) {
            if (errno != EINTR) reader_.mark_socket_drained();
            wait_readable();
        }
        return;
    }
    default:
        return; // busy: the next request is read after the response
    }
}

void Connection::process_input() {
    std::string_view head_text;
    switch (reader_.read_head(server_.settings.max_head_bytes, head_text)) {
    case SocketReader::Head::Ok:
        break;
    case SocketReader::Head::NeedMore:
        return wait_readable();
    case SocketReader::Head::Closed:
        return close(); // EOF or error before a whole head: nobody to answer
    case SocketReader::Head::TooLarge:
        return send_error_and_close(431);
    }
    // One per thread, reused: its field list keeps its capacity (dispatch copies what it needs
    // out).
    thread_local RequestHead head;
    if (const int status = parse_request_head(head_text, server_.settings.head_limits, head))
        return send_error_and_close(status);
    ++served_;
    dispatch(head);
}

void Connection::dispatch(const RequestHead &head) {
    exchange_ = std::allocate_shared<HttpExchange>(RecyclingAllocator<HttpExchange>(),
                                                   shared_from_this(), head);
    reader_.consume_head(); // `head` views the buffer: not used past this point
    reader_.begin_body(exchange_->request_.framing(), exchange_->request_.declared_length());
    state_ = State::Handling;
    set_deadline(INT64_MAX);
    auto &response = exchange_->response_;
    const auto &request = exchange_->request_;
    response.add_fixed("Date", http_date_now());
    response.setVersion(request.getVersion());
    response.setKeepAlive(exchange_->may_keep_alive() && request.getKeepAlive());
    auto exchange = exchange_; // the handler may finish (and drop exchange_) before it returns
    server_.handler->handle(exchange);
}

void Connection::read_body_step() {
    std::string &body = exchange_->request_.body();
    char buffer[16 * 1024];
    HttpExchange::BodyResult result;
    for (;;) {
        const size_t n = reader_.read_body(buffer, sizeof buffer);
        if (n > 0) {
            if (body.size() + n > body_max_) {
                result = HttpExchange::BodyResult::TooLarge;
                break;
            }
            body.append(buffer, n);
            continue;
        }
        if (reader_.body_complete()) {
            exchange_->request_.body_complete();
            result = HttpExchange::BodyResult::Ok;
            break;
        }
        if (reader_.would_block()) return wait_readable();
        result = HttpExchange::BodyResult::Broken; // EOF or malformed chunked framing
        break;
    }
    state_ = State::Handling;
    set_deadline(INT64_MAX);
    auto done = std::move(body_done_);
    body_done_ = nullptr;
    done(result);
}

void Connection::finish_exchange() {
    if (state_ == State::Closed || !exchange_) return;
    auto exchange = std::move(exchange_);
    BufferedResponse &response = exchange->response_;
    // Nothing to send: the handler gave up on the connection.
    if (!response.sent()) return close();
    // A body the handler left unread would be taken for the next request: close instead.
    const bool keep_alive =
        exchange->may_keep_alive() && response.getKeepAlive() && reader_.body_complete();
    if (!keep_alive) response.setKeepAlive(false);
    // The request is consumed: the buffer is free for the next connection of this batch to read
    // into (answers are sent at the batch's end; a buffer per held answer would be 64 of them).
    // next_request() releases it too, for the paths that do not come through here (streams).
    reader_.release_when_empty();
    state_ = State::Writing;
    close_after_write_ = !keep_alive;
    write(response.serialize(exchange->head_request_));
}

void Connection::send_error_and_close(int status) {
    exchange_.reset();
    state_ = State::Writing;
    close_after_write_ = true;
    linger_ = true;
    write(error_response(status));
}

void Connection::write(std::string bytes) {
    if (state_ == State::Closed) return;
    if (out_.empty())
        out_ = std::move(bytes);
    else
        out_ += bytes;
    if (want_write_ || flush_held_) return;
    if (loop_.in_batch()) {
        flush_held_ = true;
        loop_.flush_later(shared_from_this());
        return;
    }
    flush();
}

void Connection::flush_held() {
    flush_held_ = false;
    if (state_ != State::Closed && !want_write_) flush();
}

void Connection::flush() {
    while (out_sent_ < out_.size()) {
        const ssize_t n = ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            out_sent_ += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
        return close(); // the peer is gone
    }
    std::string().swap(out_); // freed while in cache, not at the next answer
    out_sent_ = 0;
    if (state_ == State::Streaming) last_write_ms_ = EventLoop::now_ms(); // only streams look
    if (state_ == State::Writing) after_response();
}

void Connection::after_response() {
    if (!close_after_write_) return next_request();
    if (!linger_) return close();
    // An error answer: the client may still be sending (an oversized head), and closing with
    // unread input would reset the connection before it read the status.
    ::shutdown(fd_, SHUT_WR);
    state_ = State::Lingering;
    set_deadline(EventLoop::now_ms() + kLingerMs);
    wait_readable();
}

void Connection::next_request() {
    if (server_.draining.load()) return close();
    if (reader_.has_buffered_input()) { // pipelined: the next head is already here
        state_ = State::ReadingHead;
        request_deadline_ms_ = EventLoop::now_ms() + server_.settings.request_timeout_ms;
        set_deadline(request_deadline_ms_);
        boost::asio::post(loop_.io(), [self = shared_from_this()] {
            if (self->state_ == State::ReadingHead) self->process_input();
        });
        return;
    }
    state_ = State::Idle;
    // Between requests a connection holds no buffer: the read buffer goes back to the loop's pool
    // (the next connection to read takes it while it is still in cache).
    reader_.release_when_empty();
    set_deadline(EventLoop::now_ms() + server_.settings.keep_alive_timeout_ms);
    wait_readable();
}

void Connection::stream_send(std::string bytes) {
    if (state_ != State::Streaming) return;
    if (stream_chunked_) {
        char size[24];
        const int n = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
        bytes.insert(0, size, static_cast<size_t>(n));
        bytes += "\r\n";
    }
    if (out_.size() - out_sent_ + bytes.size() > server_.settings.max_stream_backlog)
        return close(); // a reader this slow would hold unbounded memory
    write(std::move(bytes));
    set_deadline(EventLoop::now_ms() + server_.settings.stream_keep_alive_ms);
}

void Connection::stream_end() {
    if (state_ != State::Streaming) return;
    auto stream = std::move(stream_);
    stream_ = nullptr;
    state_ = State::Writing;
    if (server_.draining.load()) close_after_write_ = true;
    write(stream_chunked_ ? "0\r\n\r\n" : "");
    if (stream) stream->mark_closed(loop_.io());
}

void Connection::on_tick(int64_t now) {
    if (now < deadline_ms_) return;
    switch (state_) {
    case State::Verifying: {
        // The provider is past its deadline: answer 503 (never 200) and close; the verdict, when it
        // comes back, finds the exchange gone (disarm_verify_deadline() is false).
        const VerifyDeadline *d = verify_;
        verify_ = nullptr;
        exchange_.reset();
        d->watchdog->abandoned(); // counted stuck before the client can see the 503
        state_ = State::Writing;
        close_after_write_ = true;
        linger_ = false;
        set_deadline(now + server_.settings.request_timeout_ms);
        return write(d->response);
    }
    case State::Streaming:
        if (out_sent_ < out_.size() && now - last_write_ms_ > server_.settings.request_timeout_ms)
            return close(); // the client stopped reading
        return stream_send(": keep-alive\n\n");
    case State::Handling:
        set_deadline(INT64_MAX);
        return;
    default:
        // Idle past the keep-alive timeout, a request past its deadline (slowloris), a response
        // the client does not read, or the end of a lingering close.
        return close();
    }
}

void Connection::begin_drain() {
    switch (state_) {
    case State::Idle:
        return close();
    case State::Streaming:
        close_after_write_ = true;
        return stream_end();
    default:
        return; // busy: closes after its response (may_keep_alive() is false while draining)
    }
}

void Connection::close() {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    server_.open.fetch_sub(1);
    want_read_ = want_write_ = false;
    loop_.detach(this, fd_); // out of the epoll set before the descriptor number can be reused
    ::close(fd_);
    exchange_.reset(); // an exchange on the pool keeps this object until it returns
    body_done_ = nullptr;
    if (auto stream = std::move(stream_)) stream->mark_closed(loop_.io());
}

} // namespace fastmcp::host
