#include "connection.hpp"

#include "../auth/verify_watchdog.hpp"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServerConnection.h>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <ctime>

namespace fastmcp::host {

int status_for_parse_error(const std::string &m) {
    if (m.find("Too many header fields") != std::string::npos || m.find("Field name too long") != std::string::npos ||
        m.find("Field value too long") != std::string::npos)
        return 431;
    if (m.find("URI invalid or too long") != std::string::npos) return 414;
    return 400;
}

int64_t ConnectionTracker::now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

ConnectionTracker::ConnectionTracker(size_t max_busy) : max_busy_(max_busy), reaper_([this] { reap_loop(); }) {}

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
    return c;
}

void ConnectionTracker::remove(const std::shared_ptr<ConnectionState> &c) {
    std::lock_guard lock(mutex_);
    live_.erase(c);
}

size_t ConnectionTracker::count() const {
    std::lock_guard lock(mutex_);
    return live_.size();
}

size_t ConnectionTracker::abandoned() const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto &c : live_) n += c->state_.load() == ConnectionState::kAbandoned;
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
            if (state == ConnectionState::kVerifying && now > c->verify_deadline_ms_.load(std::memory_order_relaxed) &&
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

void send_error(Poco::Net::HTTPServerSession &session, int status) {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setKeepAlive(false);
    response.setContentType("application/json");
    std::string body = status == 431   ? R"({"error":"request_header_fields_too_large"})"
                       : status == 414 ? R"({"error":"uri_too_long"})"
                                       : R"({"error":"bad_request"})";
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
}

// Exposes whether a pipelined request is already buffered (HTTPSession::buffered() is protected).
class Session : public Poco::Net::HTTPServerSession {
public:
    using HTTPServerSession::HTTPServerSession;
    bool has_buffered_input() const { return buffered() > 0; }
};

// Waits until the next request's first byte arrives (true), or the keep-alive timeout, EOF or an
// error (false: close). Poco's hasMoreRequests() waits with Socket::poll, which on Linux creates,
// arms and closes an epoll instance per call: four syscalls and a file descriptor per request.
// One poll(2) does the same.
bool wait_for_next_request(Session &session, int timeout_ms) {
    if (session.has_buffered_input()) return true;
    pollfd p{session.socket().impl()->sockfd(), POLLIN, 0};
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
        cached.assign(buffer, std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm));
    }
    return cached;
}

class Connection : public Poco::Net::TCPServerConnection {
public:
    Connection(const Poco::Net::StreamSocket &socket, ConnectionFactory &owner, std::shared_ptr<RequestHandler> handler,
               std::shared_ptr<ConnectionTracker> tracker, Poco::Net::HTTPServerParams::Ptr params,
               ConnectionSettings settings)
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
        Session session(socket(), params_);
        const int max_requests = params_->getMaxKeepAliveRequests(); // per connection; then the client reconnects
        int served = 0;
        state.reading(ConnectionTracker::now_ms() + settings_.request_timeout_ms);
        while (!tracker_->draining()) {
            if (served > 0) {
                state.idle();
                if (tracker_->draining() || !wait_for_next_request(session, settings_.keep_alive_timeout_ms)) break;
                state.reading(ConnectionTracker::now_ms() + settings_.request_timeout_ms);
            }
            ++served;
            const bool may_keep_alive = params_->getKeepAlive() && (max_requests <= 0 || served < max_requests);
            try {
                Poco::Net::HTTPServerResponseImpl response(session);
                Poco::Net::HTTPServerRequestImpl request(response, session, params_.get());
                response.set("Date", http_date_now());
                response.setVersion(request.getVersion());
                response.setKeepAlive(may_keep_alive && request.getKeepAlive() && !tracker_->draining());
                handler_->handle(request, response, state);
                session.setKeepAlive(may_keep_alive && response.getKeepAlive() && !tracker_->draining());
                if (!session.getKeepAlive()) break;
            } catch (const Poco::Net::NoMessageException &) {
                break;
            } catch (const Poco::Net::MessageException &e) {
                if (!state.timed_out()) {
                    try {
                        send_error(session, status_for_parse_error(e.message()));
                    } catch (...) {
                    }
                }
                break;
            }
        }
    }

    std::shared_ptr<RequestHandler> handler_;
    std::shared_ptr<ConnectionTracker> tracker_;
    Poco::Net::HTTPServerParams::Ptr params_;
    ConnectionSettings settings_;
};

} // namespace

Poco::Net::TCPServerConnection *ConnectionFactory::createConnection(const Poco::Net::StreamSocket &socket) {
    return new Connection(socket, *this, handler_, tracker_, params_, settings_);
}

} // namespace fastmcp::host
