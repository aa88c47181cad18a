#include "connection.hpp"

#include "../auth/verify_watchdog.hpp"
#include "../ops/metrics.hpp"

#include "server_exchange.hpp"
#include "socket_reader.hpp"

#include <Poco/Net/TCPServerConnection.h>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <ctime>

namespace fastmcp::host {

int64_t ConnectionTracker::now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

ConnectionTracker::ConnectionTracker(size_t max_busy)
    : max_busy_(max_busy), reaper_([this] { reap_loop(); }) {}

ConnectionTracker::~ConnectionTracker() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    reaper_.join();
}

std::shared_ptr<ConnectionState> ConnectionTracker::add(const Poco::Net::StreamSocket &socket) {
    auto c = std::make_shared<ConnectionState>(socket);
    std::lock_guard lock(mutex_);
    live_.insert(c);
    ops::metrics().connection_opened();
    return c;
}

void ConnectionTracker::remove(const std::shared_ptr<ConnectionState> &c) {
    std::lock_guard lock(mutex_);
    if (live_.erase(c)) ops::metrics().connection_closed();
}

size_t ConnectionTracker::count() const {
    std::lock_guard lock(mutex_);
    return live_.size();
}

size_t ConnectionTracker::abandoned() const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto &c : live_)
        n += c->state_.load() == ConnectionState::kAbandoned;
    return n;
}

// The request thread is stuck inside the provider (it touches nothing until verify returns and
// finish_verify sees kAbandoned, then waits for reaper_done_), so the socket is the reaper's.
void ConnectionTracker::abandon_verify(ConnectionState &c) {
    const VerifyDeadline *d = c.verify_.load(std::memory_order_relaxed);
    c.timed_out_.store(true);
    // Counted stuck before the client can see the 503, so health never lags what clients observed.
    d->watchdog->abandoned();
    // Non-blocking: the reaper must never wait on a client. The response is small and the send
    // buffer of a connection that is waiting for its answer is empty, so it goes out whole.
    const int fd = c.socket_.impl()->sockfd();
    ssize_t sent;
    do {
        sent = ::send(fd, d->response.data(), d->response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    try {
        c.socket_.shutdown();
    } catch (...) {
    }
    c.reaper_done_.store(true);
    c.reaper_done_.notify_all();
}

void ConnectionTracker::begin_drain() {
    draining_.store(true);
    wake_.notify_all();
}

void ConnectionTracker::reap_loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        wake_.wait_for(lock, std::chrono::milliseconds(100));
        const int64_t now = now_ms();
        const bool draining = draining_.load();
        const bool saturated = max_busy_ > 0 && live_.size() >= max_busy_;
        for (const auto &c : live_) {
            int state = c->state_.load();
            if (state == ConnectionState::kVerifying &&
                now > c->verify_deadline_ms_.load(std::memory_order_relaxed) &&
                c->state_.compare_exchange_strong(state, ConnectionState::kAbandoned)) {
                abandon_verify(*c);
                continue;
            }
            bool expired = state == ConnectionState::kReading && now > c->deadline_ms_.load();
            bool close_idle = (draining || saturated) && state == ConnectionState::kIdle;
            if ((expired || close_idle) && !c->timed_out_.exchange(true)) {
                try {
                    c->socket_.shutdown(); // wakes the blocked reader with EOF
                } catch (...) {
                }
            }
        }
    }
}

namespace {

// An answer to a request we could not parse, then a lingering close: the client may still be
// sending (an oversized head), and closing with unread input would reset the connection before
// it read the status.
void send_error_and_close(int fd, int status) {
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
    const std::string response =
        "HTTP/1.1 " + std::to_string(answer.status) + " " + answer.reason +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    if (!send_all(fd, response)) return;
    ::shutdown(fd, SHUT_WR);
    // At most 1 MiB and 1 s, so that a client trickling bytes cannot keep the thread.
    char sink[16 * 1024];
    size_t drained = 0;
    const int64_t until = ConnectionTracker::now_ms() + 1000;
    pollfd p{fd, POLLIN, 0};
    for (int64_t left = 1000; drained < 1024 * 1024 && left > 0;
         left = until - ConnectionTracker::now_ms()) {
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
        const ssize_t n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n <= 0) break;
        drained += static_cast<size_t>(n);
    }
}

// Waits until the next request's first byte arrives (true), or the keep-alive timeout, EOF or an
// error (false: close). One poll(2); Poco's Socket::poll creates an epoll instance per call.
bool wait_for_next_request(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    int n;
    do {
        n = ::poll(&p, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    return n > 0 && (p.revents & (POLLIN | POLLHUP)) != 0;
}

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

class Connection : public Poco::Net::TCPServerConnection {
  public:
    Connection(const Poco::Net::StreamSocket &socket, ConnectionFactory &owner,
               std::shared_ptr<RequestHandler> handler, std::shared_ptr<ConnectionTracker> tracker,
               Poco::Net::HTTPServerParams::Ptr params, ConnectionSettings settings)
        : TCPServerConnection(socket), handler_(std::move(handler)), tracker_(std::move(tracker)),
          params_(std::move(params)), settings_(settings) {
        (void)owner;
    }

    void run() override {
        auto state = tracker_->add(socket());
        struct Remove {
            ConnectionTracker &t;
            std::shared_ptr<ConnectionState> &s;
            ~Remove() { t.remove(s); }
        } remove{*tracker_, state};
        try {
            serve(*state);
        } catch (...) {
            // network errors and timeouts end the connection; nothing to answer
        }
    }

  private:
    void serve(ConnectionState &state) {
        Poco::Net::StreamSocket &sock = socket();
        // Bounds every blocking read and write; the reaper enforces the whole-request deadline.
        const Poco::Timespan io_timeout(static_cast<long>(settings_.request_timeout_ms) * 1000);
        sock.setReceiveTimeout(io_timeout);
        sock.setSendTimeout(io_timeout);
        sock.setNoDelay(true);
        const int fd = sock.impl()->sockfd();
        const Poco::Net::SocketAddress client = sock.peerAddress();
        const Poco::Net::SocketAddress server = sock.address();
        SocketReader reader(fd);
        const int max_requests =
            params_->getMaxKeepAliveRequests(); // per connection; then the client reconnects
        int served = 0;
        state.reading(ConnectionTracker::now_ms() + settings_.request_timeout_ms);
        while (!tracker_->draining()) {
            if (served > 0) {
                state.idle();
                if (tracker_->draining()) break;
                if (!reader.has_buffered_input()) {
                    // With equal timeouts the receive itself waits (SO_RCVTIMEO): one syscall, not
                    // two.
                    if (settings_.keep_alive_timeout_ms != settings_.request_timeout_ms &&
                        !wait_for_next_request(fd, settings_.keep_alive_timeout_ms))
                        break;
                    if (!reader.receive())
                        break; // EOF, timeout, or the reaper closed an idle connection
                }
                state.reading(ConnectionTracker::now_ms() + settings_.request_timeout_ms);
            }
            ++served;
            std::string_view head_text;
            switch (reader.read_head(settings_.max_head_bytes, head_text)) {
            case SocketReader::Head::Ok:
                break;
            case SocketReader::Head::Closed:
                return; // EOF, error or timeout: nobody to answer
            case SocketReader::Head::TooLarge:
                return send_error_and_close(fd, 431);
            }
            RequestHead head;
            if (const int status = parse_request_head(head_text, settings_.head_limits, head)) {
                if (!state.timed_out()) send_error_and_close(fd, status);
                return;
            }
            const bool head_request = head.method == "HEAD";
            BufferedResponse response(fd);
            ParsedRequest request(head, response, reader, client, server, *params_);
            reader.consume_head(); // `head` views the buffer: not used past this point
            reader.begin_body(head.body, head.content_length);
            const bool may_keep_alive =
                params_->getKeepAlive() && (max_requests <= 0 || served < max_requests);
            response.set("Date", http_date_now());
            response.setVersion(request.getVersion());
            response.setKeepAlive(may_keep_alive && request.getKeepAlive() &&
                                  !tracker_->draining());
            handler_->handle(request, response, state);
            // Not sent: the reaper answered (verify deadline) and shut the socket, or the handler
            // gave up on the connection. Nothing more may be written.
            if (!response.sent()) return;
            // A body the handler left unread would be taken for the next request: close instead.
            const bool keep_alive = may_keep_alive && response.getKeepAlive() &&
                                    !tracker_->draining() && reader.body_complete();
            if (!keep_alive) response.setKeepAlive(false);
            if (!response.commit(head_request) || !keep_alive) return;
        }
    }

    std::shared_ptr<RequestHandler> handler_;
    std::shared_ptr<ConnectionTracker> tracker_;
    Poco::Net::HTTPServerParams::Ptr params_;
    ConnectionSettings settings_;
};

} // namespace

Poco::Net::TCPServerConnection *
ConnectionFactory::createConnection(const Poco::Net::StreamSocket &socket) {
    return new Connection(socket, *this, handler_, tracker_, params_, settings_);
}

} // namespace fastmcp::host
