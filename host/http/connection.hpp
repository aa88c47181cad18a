// HTTP/1.1 connections on a Poco TCPServer. Poco's own HTTPServerConnection answers every
// malformed or oversized header with 400 and has no whole-request deadline, so this replaces it:
//  - header limits Poco enforces while parsing (field count, name/value length) answer 431,
//    an over-long request line 414;
//  - every request (headers and body) must arrive within request_timeout_ms, or the reaper thread
//    shuts the socket (slowloris); idle keep-alive connections close after keep_alive_timeout_ms;
//  - on drain, idle connections are closed at once and busy ones finish their current request.
#pragma once

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace fastmcp::host {

// One live connection, as seen by the reaper.
class ConnectionState {
public:
    explicit ConnectionState(const Poco::Net::StreamSocket &socket) : socket_(socket) {}
    void reading(int64_t deadline_ms) { deadline_ms_.store(deadline_ms); state_.store(kReading); }
    void idle() { state_.store(kIdle); }
    // Called by the handler once the body is in: the request's own work has no deadline.
    void handling() { state_.store(kHandling); }
    bool timed_out() const { return timed_out_.load(); }

private:
    friend class ConnectionTracker;
    enum { kIdle, kReading, kHandling };
    Poco::Net::StreamSocket socket_;
    std::atomic<int> state_{kReading};
    std::atomic<int64_t> deadline_ms_{INT64_MAX}; // set by reading(); never "expired" before
    std::atomic<bool> timed_out_{false};
};

class ConnectionTracker {
public:
    // When `max_busy` connections are live (the thread pool is full), idle keep-alive connections
    // are closed so that queued clients get a thread.
    explicit ConnectionTracker(size_t max_busy = 0);
    ~ConnectionTracker();
    std::shared_ptr<ConnectionState> add(const Poco::Net::StreamSocket &socket);
    void remove(const std::shared_ptr<ConnectionState> &c);
    void begin_drain(); // closes idle connections now, others after their request
    bool draining() const { return draining_.load(); }
    size_t count() const;
    static int64_t now_ms();

private:
    void reap_loop();
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::unordered_set<std::shared_ptr<ConnectionState>> live_;
    std::atomic<bool> draining_{false};
    size_t max_busy_;
    bool stop_ = false;
    std::thread reaper_;
};

// What the application does with one parsed request.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual void handle(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response,
                        ConnectionState &connection) = 0;
};

struct ConnectionSettings {
    int request_timeout_ms = 10000;
    int keep_alive_timeout_ms = 10000;
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    ConnectionFactory(std::shared_ptr<RequestHandler> handler, std::shared_ptr<ConnectionTracker> tracker,
                      Poco::Net::HTTPServerParams::Ptr params, ConnectionSettings settings)
        : handler_(std::move(handler)), tracker_(std::move(tracker)), params_(std::move(params)), settings_(settings) {}
    Poco::Net::TCPServerConnection *createConnection(const Poco::Net::StreamSocket &socket) override;

private:
    std::shared_ptr<RequestHandler> handler_;
    std::shared_ptr<ConnectionTracker> tracker_;
    Poco::Net::HTTPServerParams::Ptr params_;
    ConnectionSettings settings_;
};

// Maps a Poco header/request-line parse error to the HTTP status we answer with.
int status_for_parse_error(const std::string &message);

} // namespace fastmcp::host
