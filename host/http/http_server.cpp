#include "http_server.hpp"

#include "host_services.hpp"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <thread>

namespace fastmcp::host {

HttpServer::HttpServer(const std::string &host, int port, const ServerLimits &limits,
                       std::shared_ptr<RequestHandler> handler)
    : tracker_(std::make_shared<ConnectionTracker>(static_cast<size_t>(limits.max_threads))),
      pool_(std::make_unique<Poco::ThreadPool>(2, limits.max_threads, 60, 256 * 1024)) {
    Poco::Net::SocketAddress address(host, static_cast<Poco::UInt16>(port));
    socket_.bind(address, true, false);
    socket_.listen(256);

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(limits.max_threads);
    params->setMaxQueued(limits.max_queued);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(
        1000); // then the client reconnects (0 would mean no keep-alive)
    params->setKeepAliveTimeout(
        Poco::Timespan(static_cast<long>(limits.keep_alive_timeout_ms) * 1000));
    params->setTimeout(Poco::Timespan(static_cast<long>(limits.request_timeout_ms) * 1000));
    params->setSoftwareVersion("");
    ConnectionSettings settings;
    settings.request_timeout_ms = limits.request_timeout_ms;
    settings.keep_alive_timeout_ms = limits.keep_alive_timeout_ms;
    settings.head_limits.max_fields = limits.max_header_count;
    settings.head_limits.max_fields_bytes = limits.max_header_bytes;
    // Room for the request line and every field those limits allow, with some optional whitespace.
    settings.max_head_bytes = settings.head_limits.max_request_line + limits.max_header_bytes +
                              4 * settings.head_limits.max_fields + 4;
    auto factory = new ConnectionFactory(std::move(handler), tracker_, params, settings);
    server_ = std::make_unique<Poco::Net::TCPServer>(factory, *pool_, socket_, params);
}

HttpServer::~HttpServer() {
    if (!stopped_) drain(0);
    // Poco's pool would wait 10 s per busy thread, and a thread stuck in a provider may never
    // come back: leave it (and what it runs in) to the process exit.
    if (tracker_->abandoned() > 0) (void)pool_.release();
}

void HttpServer::start() { server_->start(); }

int HttpServer::port() const { return socket_.address().port(); }

bool HttpServer::drain(int timeout_ms) {
    stopped_ = true;
    server_->stop(); // no new connections; queued ones are dropped
    tracker_->begin_drain();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const size_t stuck = tracker_->abandoned();
        if (tracker_->count() <= stuck &&
            static_cast<size_t>(server_->currentConnections()) <= stuck) {
            if (stuck == 0) {
                pool_->joinAll();
            } else {
                log_message(FASTMCP_LOG_WARNING,
                            std::to_string(stuck) + " verify call(s) still hung at shutdown; the "
                                                    "auth provider module stays loaded");
            }
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace fastmcp::host
