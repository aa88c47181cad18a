// HTTP/1.1 connections on the event loops. A connection is a small state machine owned by one
// loop: it waits for readability (no buffer is held while idle), parses heads with our strict
// RFC 9112 parser (request_head, socket_reader), hands each request to the RequestHandler as an
// HttpExchange, and writes the answer with non-blocking sends. Nothing on a loop blocks:
//  - header limits answer 431, an over-long request line 414, other malformed heads 400, then a
//    lingering close (the client may still be sending);
//  - every request (head and body) must arrive within request_timeout_ms, or the connection is
//    closed (slowloris); idle keep-alive connections close after keep_alive_timeout_ms;
//  - a provider verify() running on the blocking pool past its deadline is answered with the
//    canned 503 by the loop, which closes the connection; the late verdict is discarded;
//  - a streamed response (SSE) stays open with comment keep-alives until ended;
//  - on drain, idle connections close at once, busy ones after their response, streams end.
#pragma once

#include "event_loop.hpp"
#include "request_head.hpp"
#include "server_exchange.hpp"
#include "socket_reader.hpp"

#include <Poco/Net/HTTPServerParams.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace fastmcp::host {

class VerifyWatchdog;
class BlockingPool;
class Connection;
class HttpExchange;

// What the loop needs to give up on a verify call (owned by the handler, built once).
struct VerifyDeadline {
    const VerifyWatchdog *watchdog; // told about the abandoned call
    std::string response;           // a complete HTTP/1.1 503 with Connection: close
};

// What the application does with one request. Called on the connection's loop with the head
// parsed and the body not yet read; it must eventually call exchange->finish() (from any thread)
// or start a stream.
class RequestHandler {
  public:
    virtual ~RequestHandler() = default;
    virtual void handle(const std::shared_ptr<HttpExchange> &exchange) = 0;
};

struct ConnectionSettings {
    int request_timeout_ms = 10000;
    int keep_alive_timeout_ms = 10000;
    int stream_keep_alive_ms = 15000;    // a comment line on an idle SSE stream
    size_t max_head_bytes = 32 * 1024;   // request line and header fields; 431 above
    int max_keep_alive_requests = 1000;  // per connection; then the client reconnects
    size_t max_stream_backlog = 4 << 20; // unsent stream bytes before a slow reader is dropped
    RequestHeadLimits head_limits;
};

// Shared by every connection of one server.
struct ServerContext {
    ConnectionSettings settings;
    std::shared_ptr<RequestHandler> handler;
    BlockingPool *pool = nullptr;
    Poco::Net::HTTPServerParams::Ptr params; // what ParsedRequest::serverParams() reports
    std::atomic<bool> draining{false};
    std::atomic<size_t> open{0}; // connections on every loop
};

// An open streamed response body (text/event-stream), written from any thread. Every call is
// posted to the connection's loop; after close (client gone, end(), drain) sends are dropped.
class EventStream {
  public:
    EventStream(std::weak_ptr<Connection> connection, uint64_t id);
    // Queues bytes (one or more complete SSE events). False when the stream is closed.
    bool send(std::string bytes);
    // Ends the response cleanly (terminating chunk); the connection may serve the next request.
    void end();
    bool closed() const { return closed_.load(); }
    // Called once when the stream closes for any reason: posted to the loop (never inside the
    // call that closed it), or at once when it is already closed.
    void on_closed(std::function<void()> callback);

  private:
    friend class Connection;
    void mark_closed(boost::asio::io_context &io);
    std::weak_ptr<Connection> connection_;
    const uint64_t id_; // this connection's n-th stream: a late send never reaches a later one
    std::atomic<bool> closed_{false};
    std::mutex mutex_;
    std::function<void()> on_closed_;
};

// One request on one connection, handed to the RequestHandler.
class HttpExchange : public std::enable_shared_from_this<HttpExchange> {
  public:
    HttpExchange(std::shared_ptr<Connection> connection, const RequestHead &head);

    ParsedRequest &request() { return request_; }
    BufferedResponse &response() { return response_; }
    bool on_loop() const;

    enum class BodyResult { Ok, TooLarge, Broken };
    // Loop only. Reads the whole body (at most `max_bytes`, else TooLarge without reading it),
    // answering Expect: 100-continue first; `done` runs on the loop. Broken: the client closed or
    // sent a malformed chunked body (the connection is closed after the answer).
    void read_body(size_t max_bytes, std::function<void(BodyResult)> done);
    // Loop only: reads and drops a small body of known length so that an early answer keeps the
    // connection; false (close after the answer) when it is larger, chunked or expects 100.
    bool discard_small_body();

    // Any thread: runs `f` on the loop while the connection is open (dropped after a close).
    void post(std::function<void()> f);
    // Any thread: runs `f` on the blocking pool; false when the pool's queue is full.
    bool run_blocking(std::function<void()> f);
    // Any thread: the response is complete; the loop writes it.
    void finish();
    // Loop only: the response head goes out now (status 200 and the fields set on response())
    // with a chunked body (close-delimited for HTTP/1.0); the stream writes the rest.
    std::shared_ptr<EventStream> start_stream();

    // Loop only. Arms the verify deadline: past it the loop writes d.response and closes.
    void arm_verify_deadline(int64_t deadline_ms, const VerifyDeadline &d);
    // Loop only. True: the verdict is this request's. False: the loop already answered 503.
    bool disarm_verify_deadline();

    // Loop only: keep the connection after this response (false: close after it).
    bool may_keep_alive() const;

  private:
    friend class Connection;
    std::shared_ptr<Connection> connection_;
    BufferedResponse response_;
    ParsedRequest request_;
    bool head_request_;
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    // Takes ownership of `fd`, a connected non-blocking TCP socket.
    Connection(EventLoop &loop, int fd, ServerContext &server);
    ~Connection();
    void start(); // loop thread

    // Loop thread only.
    void on_events(uint32_t epoll_events); // the loop's epoll set reported the socket
    void on_tick(int64_t now_ms);
    int64_t next_deadline_ms() const { return deadline_ms_; }
    void begin_drain();
    EventLoop &loop() { return loop_; }
    ServerContext &server() { return server_; }
    bool closed() const { return state_ == State::Closed; }
    void close();
    void flush_held(); // the batch that held this connection's answer ended

  private:
    friend class HttpExchange;
    friend class EventStream;
    enum class State {
        Idle,        // keep-alive, waiting for the next request's first byte
        ReadingHead, // request deadline running
        Handling,    // the handler has the exchange (no deadline of its own)
        ReadingBody, // for the handler (request deadline running)
        Verifying,   // a verify on the pool, with a deadline
        Writing,     // a complete response going out
        Streaming,   // a streamed response body
        Lingering,   // error answer sent; draining input briefly before the close
        Closed,
    };
    void wait_readable();
    void on_readable();
    void process_input();
    void read_body_step();
    void dispatch(const RequestHead &head);
    void finish_exchange();
    void after_response();
    void next_request();
    void send_error_and_close(int status);
    void write(std::string bytes);
    void flush();
    void wait_writable();
    void stream_send(std::string bytes);
    void stream_end();
    void set_deadline(int64_t ms) {
        deadline_ms_ = ms;
        loop_.note_deadline(ms);
    }

    EventLoop &loop_;
    ServerContext &server_;
    int fd_; // owned: closed by close() or the destructor
    SocketReader reader_;
    State state_ = State::ReadingHead;
    int64_t deadline_ms_ = INT64_MAX;         // the next thing due in on_tick
    int64_t request_deadline_ms_ = INT64_MAX; // head and body must be in by then
    bool linger_ = false;                     // after an error answer: lingering close
    size_t lingered_bytes_ = 0;
    int served_ = 0;
    bool want_read_ = false;   // the next readiness event goes to on_readable()
    bool read_posted_ = false; // on_readable() is posted (input was already waiting)
    bool want_write_ = false;  // a send found no room: the next writability event flushes
    bool flush_held_ = false;  // bytes wait for the end of the loop's batch
    bool close_after_write_ = false;
    std::string out_; // bytes not yet sent
    size_t out_sent_ = 0;
    int64_t last_write_ms_ = 0;
    std::shared_ptr<HttpExchange> exchange_; // the request being handled
    std::function<void(HttpExchange::BodyResult)> body_done_;
    size_t body_max_ = 0;
    const VerifyDeadline *verify_ = nullptr;
    std::shared_ptr<EventStream> stream_;
    bool stream_chunked_ = true;
    uint64_t streams_ = 0;
    Poco::Net::SocketAddress client_address_;
    Poco::Net::SocketAddress server_address_;
};

} // namespace fastmcp::host
