// HTTP/1.1 connections on a Poco TCPServer. Poco's own HTTPServerConnection answers every
// malformed or oversized header with 400, has no whole-request deadline and parses heads a
// character at a time, so this replaces it (request_head, socket_reader, server_exchange):
//  - header limits (field count, name/value length, whole head) answer 431, an over-long request
//    line 414, anything else malformed 400 (then the connection closes);
//  - every request (headers and body) must arrive within request_timeout_ms, or the reaper thread
//    shuts the socket (slowloris); idle keep-alive connections close after keep_alive_timeout_ms;
//  - a provider verify() past its deadline (ConnectionState::verifying) is answered 503 by the
//    reaper, which shuts the socket; the request thread discards the late verdict (finish_verify);
//  - on drain, idle connections are closed at once and busy ones finish their current request
//    (connections whose verify was abandoned are not waited for: they may never return).
#pragma once

#include "request_head.hpp"

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
#include <string>
#include <thread>
#include <unordered_set>

namespace fastmcp::host {

class VerifyWatchdog;

// What the reaper needs to give up on a verify call (owned by the handler, built once).
struct VerifyDeadline {
    const VerifyWatchdog *watchdog; // told about the abandoned call
    std::string response;           // a complete HTTP/1.1 503 with Connection: close
};

// One live connection, as seen by the reaper.
class ConnectionState {
  public:
    explicit ConnectionState(const Poco::Net::StreamSocket &socket) : socket_(socket) {}
    void reading(int64_t deadline_ms) {
        deadline_ms_.store(deadline_ms);
        state_.store(kReading);
    }
    void idle() { state_.store(kIdle); }
    // Called by the handler once the body is in: the request's own work has no deadline.
    void handling() { state_.store(kHandling); }
    bool timed_out() const { return timed_out_.load(); }

    // Called by the handler (while reading the request) just before the provider's verify: past
    // `deadline_ms` the reaper answers `deadline.response` itself and shuts the socket.
    void verifying(int64_t deadline_ms, const VerifyDeadline &deadline) {
        verify_deadline_ms_.store(deadline_ms, std::memory_order_relaxed);
        verify_.store(&deadline, std::memory_order_relaxed);
        state_.store(kVerifying);
    }
    // Called once verify returned. true: the verdict is this request's (back to reading). false:
    // the reaper already answered 503 and shut the socket (it has finished writing when this
    // returns); the verdict must be discarded and nothing more written.
    bool finish_verify() {
        int expected = kVerifying;
        if (state_.compare_exchange_strong(expected, kReading)) return true;
        reaper_done_.wait(false);
        return false;
    }

  private:
    friend class ConnectionTracker;
    enum { kIdle, kReading, kHandling, kVerifying, kAbandoned };
    Poco::Net::StreamSocket socket_;
    std::atomic<int> state_{kReading};
    std::atomic<int64_t> deadline_ms_{INT64_MAX}; // set by reading(); never "expired" before
    std::atomic<bool> timed_out_{false};
    std::atomic<int64_t> verify_deadline_ms_{INT64_MAX};
    std::atomic<const VerifyDeadline *> verify_{nullptr};
    std::atomic<bool> reaper_done_{false}; // the reaper wrote its 503 to an abandoned call
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
    size_t
    abandoned() const; // connections whose request thread is still inside an abandoned verify
    static int64_t now_ms();

  private:
    void reap_loop();
    static void abandon_verify(ConnectionState &c);
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
    virtual void handle(Poco::Net::HTTPServerRequest &request,
                        Poco::Net::HTTPServerResponse &response, ConnectionState &connection) = 0;
};

struct ConnectionSettings {
    int request_timeout_ms = 10000;
    int keep_alive_timeout_ms = 10000;
    size_t max_head_bytes = 32 * 1024; // request line and header fields; 431 above
    RequestHeadLimits head_limits;
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
  public:
    ConnectionFactory(std::shared_ptr<RequestHandler> handler,
                      std::shared_ptr<ConnectionTracker> tracker,
                      Poco::Net::HTTPServerParams::Ptr params, ConnectionSettings settings)
        : handler_(std::move(handler)), tracker_(std::move(tracker)), params_(std::move(params)),
          settings_(settings) {}
    Poco::Net::TCPServerConnection *
    createConnection(const Poco::Net::StreamSocket &socket) override;

  private:
    std::shared_ptr<RequestHandler> handler_;
    std::shared_ptr<ConnectionTracker> tracker_;
    Poco::Net::HTTPServerParams::Ptr params_;
    ConnectionSettings settings_;
};

} // namespace fastmcp::host
