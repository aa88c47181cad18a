// The listening side: one event loop per worker (Boost.Asio io_context + thread), an acceptor that
// hands each new connection to the next loop, a bounded pool for blocking work, a connection
// limit answered with 503, and a drain that lets in-flight requests finish and ends open streams.
#pragma once

#include "blocking_pool.hpp"
#include "connection.hpp"
#include "event_loop.hpp"

#include "fastmcp/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <vector>

namespace fastmcp::host {

class HttpServer {
  public:
    // Binds and listens at once (throws std::runtime_error when the address is unavailable).
    HttpServer(const std::string &host, int port, const ServerLimits &limits,
               std::shared_ptr<RequestHandler> handler);
    ~HttpServer();
    void start();
    int port() const { return port_; }
    size_t workers() const { return loops_.size(); }
    size_t max_connections() const { return max_connections_; }
    size_t open_connections() const { return context_.open.load(); }
    // Stops accepting, closes idle connections, ends streams, waits up to timeout_ms for busy
    // ones. Returns true when every connection finished in time. A verify the loop abandoned
    // (hung provider) is not waited for: its pool thread is left running at exit.
    bool drain(int timeout_ms);

    // Workers by default: the CPUs this process may run on. Connections by default: the
    // open-file limit (raised to its hard limit) less headroom for upstream fetches and files.
    static size_t default_workers();
    static size_t default_max_connections();

  private:
    void accept_next();
    void hand_off(boost::asio::ip::tcp::socket socket); // to the next loop, or 503 at the limit
    ServerContext context_;
    std::unique_ptr<BlockingPool> pool_;
    std::vector<std::unique_ptr<EventLoop>> loops_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    std::unique_ptr<boost::asio::steady_timer> retry_timer_; // after EMFILE
    std::string busy_response_;                              // the canned 503 at the limit
    size_t next_loop_ = 0;
    size_t max_connections_ = 0;
    int port_ = 0;
    bool started_ = false;
    bool stopped_ = false;
};

} // namespace fastmcp::host
