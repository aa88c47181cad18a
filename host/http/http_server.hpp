// The listening side: a Poco TCPServer with its own thread pool, our Connection class, and a
// drain that lets in-flight requests finish.
#pragma once

#include "connection.hpp"

#include "fastmcp/server.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>

namespace fastmcp::host {

class HttpServer {
  public:
    // Binds and listens at once (throws Poco::Exception when the address is unavailable).
    HttpServer(const std::string &host, int port, const ServerLimits &limits,
               std::shared_ptr<RequestHandler> handler);
    ~HttpServer();
    void start();
    int port() const;
    // Stops accepting, closes idle connections, waits up to timeout_ms for busy ones.
    // Returns true when every connection finished in time. Connections whose verify the reaper
    // abandoned are not waited for (the provider may never return): they are logged, and their
    // threads are left running at exit.
    bool drain(int timeout_ms);

  private:
    std::shared_ptr<ConnectionTracker> tracker_;
    std::unique_ptr<Poco::ThreadPool> pool_; // leaked when a thread is stuck in a provider
    Poco::Net::ServerSocket socket_;
    std::unique_ptr<Poco::Net::TCPServer> server_;
    bool stopped_ = false;
};

} // namespace fastmcp::host
