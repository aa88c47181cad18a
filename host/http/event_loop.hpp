// One I/O thread: a Boost.Asio io_context (posts from other threads, timers), a coarse 100 ms tick
// that enforces every connection's deadlines (request, keep-alive, verify, stream keep-alive)
// without a timer per connection or per request, and an epoll set of the loop's own for its
// connections' sockets. A socket is added to that set once, edge-triggered for input and output,
// and Asio waits on the set's descriptor: one wake-up serves a batch of ready connections, and a
// request costs a receive and a send (Asio's own per-socket waits re-arm the registration with an
// epoll_ctl on every wait, a third system call per request).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

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

    // Loop thread only. attach() keeps the connection alive and watches `fd` for it (false when
    // epoll refuses it); detach() stops both. A detached connection lives on until the current
    // batch of events is handled (an event for it later in the batch finds it closed, never freed).
    bool attach(const std::shared_ptr<Connection> &c, int fd);
    void detach(Connection *c, int fd);
    size_t connections() const { return count_.load(std::memory_order_relaxed); }
    // Loop thread only. While a batch of events is handled, answers wait and go out together at
    // its end (flush_later): the client side wakes once per batch rather than once per answer.
    bool in_batch() const { return in_batch_; }
    void flush_later(const std::shared_ptr<Connection> &c) { to_flush_.push_back(c); }
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
    void wait_events();
    void on_events();
    boost::asio::io_context io_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    boost::asio::steady_timer timer_;
    boost::asio::posix::stream_descriptor events_; // the connections' epoll set
    std::unordered_map<Connection *, std::shared_ptr<Connection>> live_;
    std::vector<std::shared_ptr<Connection>> retired_;  // detached during this batch
    std::vector<std::shared_ptr<Connection>> to_flush_; // answers held to the batch's end
    bool in_batch_ = false;
    int64_t earliest_deadline_ms_ = 0; // no connection's deadline is before this
    std::atomic<size_t> count_{0};
    std::atomic<std::thread::id> thread_id_{};
    std::thread thread_;
};

} // namespace fastmcp::host
