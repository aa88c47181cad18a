#include "connection.hpp"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Timestamp.h>

#include <chrono>

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
        Poco::Net::HTTPServerSession session(socket(), params_);
        bool first = true;
        state.reading(ConnectionTracker::now_ms() + settings_.request_timeout_ms);
        while (!tracker_->draining()) {
            if (!first) {
                state.idle();
                if (tracker_->draining() || !session.hasMoreRequests()) break;
                state.reading(ConnectionTracker::now_ms() + settings_.request_timeout_ms);
            }
            first = false;
            try {
                Poco::Net::HTTPServerResponseImpl response(session);
                Poco::Net::HTTPServerRequestImpl request(response, session, params_.get());
                response.setDate(Poco::Timestamp());
                response.setVersion(request.getVersion());
                response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && session.canKeepAlive() &&
                                      !tracker_->draining());
                handler_->handle(request, response, state);
                session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() && session.canKeepAlive() &&
                                     !tracker_->draining());
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
