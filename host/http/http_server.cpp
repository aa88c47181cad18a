#include "http_server.hpp"

#include "host_services.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace fastmcp::host {

namespace asio = boost::asio;
using asio::ip::tcp;

size_t HttpServer::default_workers() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

size_t HttpServer::default_max_connections() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur < limit.rlim_max) { // as nginx's worker_rlimit_nofile: use what we may
        rlimit raised = limit;
        raised.rlim_cur = std::min<rlim_t>(limit.rlim_max, 1u << 20);
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    const auto files = static_cast<size_t>(std::min<rlim_t>(limit.rlim_cur, 1u << 20));
    const size_t headroom = std::max<size_t>(64, files / 8);
    return files > headroom + 16 ? files - headroom : 16;
}

HttpServer::HttpServer(const std::string &host, int port, const ServerLimits &limits,
                       std::shared_ptr<RequestHandler> handler) {
    ConnectionSettings &s = context_.settings;
    s.request_timeout_ms = limits.request_timeout_ms;
    s.keep_alive_timeout_ms = limits.keep_alive_timeout_ms;
    s.stream_keep_alive_ms = limits.stream_keep_alive_ms;
    s.head_limits.max_fields = limits.max_header_count;
    s.head_limits.max_fields_bytes = limits.max_header_bytes;
    // Room for the request line and every field those limits allow, with some optional whitespace.
    s.max_head_bytes =
        s.head_limits.max_request_line + limits.max_header_bytes + 4 * s.head_limits.max_fields + 4;
    context_.handler = std::move(handler);
    context_.params = new Poco::Net::HTTPServerParams;
    context_.params->setSoftwareVersion("");
    max_connections_ = limits.max_connections > 0 ? static_cast<size_t>(limits.max_connections)
                                                  : default_max_connections();
    const size_t workers =
        limits.workers > 0 ? static_cast<size_t>(limits.workers) : default_workers();
    pool_ = std::make_unique<BlockingPool>(static_cast<size_t>(std::max(1, limits.max_threads)),
                                           static_cast<size_t>(std::max(1, limits.max_queued)));
    context_.pool = pool_.get();
    for (size_t i = 0; i < workers; ++i)
        loops_.push_back(std::make_unique<EventLoop>());

    const std::string body =
        R"({"error":"server_busy","error_description":"too many connections"})";
    busy_response_ = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                     "Retry-After: 1\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;

    try {
        boost::system::error_code ec;
        auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
        if (ec) throw std::runtime_error("'" + host + "' is not an IP address");
        acceptor_ = std::make_unique<tcp::acceptor>(loops_[0]->io());
        tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
        acceptor_->open(endpoint.protocol());
        acceptor_->set_option(tcp::acceptor::reuse_address(true));
        acceptor_->bind(endpoint);
        acceptor_->listen(4096); // the kernel caps it at net.core.somaxconn
        acceptor_->non_blocking(true);
        port_ = acceptor_->local_endpoint().port();
    } catch (const boost::system::system_error &e) {
        throw std::runtime_error(e.code().message());
    }
    retry_timer_ = std::make_unique<asio::steady_timer>(loops_[0]->io());
}

HttpServer::~HttpServer() {
    if (started_ && !stopped_) drain(0);
    if (pool_ && pool_->busy() > 0) {
        // A thread stuck in a provider may come back and post to a loop: leave the pool and the
        // loops (and what they run) to the process exit.
        (void)pool_.release();
        for (auto &loop : loops_)
            (void)loop.release();
        // The acceptor and the retry timer (closed by drain) go: their io_context stays.
    }
}

void HttpServer::start() {
    started_ = true;
    for (auto &loop : loops_)
        loop->start();
    asio::post(loops_[0]->io(), [this] { accept_next(); });
}

void HttpServer::hand_off(tcp::socket socket) {
    if (context_.open.load() >= max_connections_ || context_.draining.load()) {
        ::send(socket.native_handle(), busy_response_.data(), busy_response_.size(),
               MSG_DONTWAIT | MSG_NOSIGNAL);
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        socket.close(ignored);
        return;
    }
    EventLoop &target = *loops_[next_loop_];
    next_loop_ = (next_loop_ + 1) % loops_.size();
    // The socket was accepted on loop 0's io_context; its descriptor moves to the target loop.
    boost::system::error_code ec;
    const int fd = socket.release(ec); // the connection sends and receives with MSG_DONTWAIT
    if (ec) return;
    context_.open.fetch_add(1); // counted from the accept, so a burst cannot overshoot the limit
    asio::post(target.io(), [this, &target, fd] {
        std::make_shared<Connection>(target, fd, context_)->start();
    });
}

void HttpServer::accept_next() {
    acceptor_->async_accept([this](const boost::system::error_code &ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
        if (ec) {
            // Out of file descriptors (or a transient error): back off instead of spinning.
            log_message(FASTMCP_LOG_WARNING, "accept failed: " + ec.message());
            retry_timer_->expires_after(std::chrono::milliseconds(100));
            retry_timer_->async_wait([this](const boost::system::error_code &e) {
                if (!e) accept_next();
            });
            return;
        }
        hand_off(std::move(socket));
        // Empty the backlog before the next wait: accepting one connection per pass of a busy
        // loop leaves thousands of new clients waiting (measured: bench/loop_prototypes).
        for (int i = 0; i < 1024; ++i) {
            boost::system::error_code e;
            tcp::socket next(loops_[0]->io());
            acceptor_->accept(next, e);
            if (e) break; // would_block: the backlog is empty (other errors: the next wait says)
            hand_off(std::move(next));
        }
        accept_next();
    });
}

bool HttpServer::drain(int timeout_ms) {
    if (stopped_) return true;
    stopped_ = true;
    context_.draining.store(true);
    if (started_) {
        asio::post(loops_[0]->io(), [this] {
            boost::system::error_code ec;
            acceptor_->close(ec);
            retry_timer_->cancel();
        });
        for (auto &loop : loops_)
            loop->for_each([](Connection &c) { c.begin_drain(); });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool drained = true;
    while (started_ && context_.open.load() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            drained = false;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto &loop : loops_)
        loop->stop_now();
    for (auto &loop : loops_)
        loop->join();
    if (pool_->busy() > 0)
        log_message(FASTMCP_LOG_WARNING,
                    std::to_string(pool_->busy()) +
                        " blocking call(s) (a provider verify or a tool) still hung at shutdown; "
                        "the module stays loaded");
    pool_->stop(true);
    return drained;
}

} // namespace fastmcp::host
