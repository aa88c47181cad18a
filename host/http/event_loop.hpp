// One I/O thread: a Boost.Asio io_context that owns its connections' sockets, plus a coarse
// 100 ms tick that enforces every connection's deadlines (request, keep-alive, verify, stream
// keep-alive) without a timer per connection or per request.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <unordered_set>

namespace fastmcp::host {

class Connection;

class EventLoop {
  public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop &) = delete;
    EventLoop &operator=(const EventLoop &) = delete;

    boost::asio::io_context &io() { return io_; }
    void start();
    // Ends the thread once the io_context runs out of work or stop_now() is called.
    void stop_now();
    void join();
    bool in_loop() const { return std::this_thread::get_id() == thread_id_.load(); }

    // Loop thread only.
    void attach(Connection *c);
    void detach(Connection *c);
    size_t connections() const { return count_.load(std::memory_order_relaxed); }
    // Loop thread only: a connection's next deadline is now `ms` (the tick skips its scan of
    // every connection while nothing is due).
    void note_deadline(int64_t ms) {
        if (ms < earliest_deadline_ms_) earliest_deadline_ms_ = ms;
    }
    // Applies `f` to every connection on the loop thread (drain, close idle).
    void for_each(std::function<void(Connection &)> f);

    static int64_t now_ms();

  private:
    void tick();
    boost::asio::io_context io_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    boost::asio::steady_timer timer_;
    std::unordered_set<Connection *> live_;
    int64_t earliest_deadline_ms_ = 0; // no connection's deadline is before this
    std::atomic<size_t> count_{0};
    std::atomic<std::thread::id> thread_id_{};
    std::thread thread_;
};

} // namespace fastmcp::host
