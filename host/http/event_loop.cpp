#include "event_loop.hpp"

#include "connection.hpp"

#include <boost/asio/post.hpp>

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

namespace fastmcp::host {

namespace {
int new_epoll_set() {
    const int fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
    return fd;
}
} // namespace

EventLoop::EventLoop() : guard_(io_.get_executor()), timer_(io_), events_(io_, new_epoll_set()) {}

EventLoop::~EventLoop() {
    stop_now();
    join();
    // Connections still open when the loop ends (a drain that timed out) close here: the loop no
    // longer runs, so nothing else touches them.
    std::vector<std::shared_ptr<Connection>> open;
    for (auto &[c, owner] : live_)
        open.push_back(owner);
    for (auto &c : open)
        c->close();
    retired_.clear();
}

int64_t EventLoop::now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void EventLoop::start() {
    thread_ = std::thread([this] {
        thread_id_.store(std::this_thread::get_id());
        tick();
        wait_events();
        io_.run();
    });
}

void EventLoop::stop_now() { io_.stop(); }

void EventLoop::join() {
    if (thread_.joinable()) thread_.join();
}

bool EventLoop::attach(const std::shared_ptr<Connection> &c, int fd) {
    // Edge-triggered: an event means new bytes or new room since the connection last looked, and
    // the connection remembers what it has not consumed yet (SocketReader::socket_ready).
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = c.get();
    if (::epoll_ctl(events_.native_handle(), EPOLL_CTL_ADD, fd, &ev) != 0) return false;
    live_.emplace(c.get(), c);
    count_.store(live_.size(), std::memory_order_relaxed);
    return true;
}

void EventLoop::detach(Connection *c, int fd) {
    ::epoll_ctl(events_.native_handle(), EPOLL_CTL_DEL, fd, nullptr);
    auto it = live_.find(c);
    if (it == live_.end()) return;
    retired_.push_back(std::move(it->second));
    live_.erase(it);
    count_.store(live_.size(), std::memory_order_relaxed);
}

void EventLoop::wait_events() {
    events_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code &ec) {
                           if (!ec) on_events();
                       });
}

void EventLoop::on_events() {
    // One batch per wake-up; Asio's own handlers (posts, the tick) run between batches. When more
    // events are waiting, re-arming the wait finds the set readable at once.
    constexpr int kBatch = 64; // ready connections served per wake-up
    epoll_event events[kBatch];
    int n;
    do {
        n = ::epoll_wait(events_.native_handle(), events, kBatch, 0);
    } while (n < 0 && errno == EINTR);
    in_batch_ = true;
    for (int i = 0; i < n; ++i) {
        // With thousands of connections the next one's state is out of cache: start loading it
        // while this one is served (a request takes microseconds, a miss a fraction of one).
        if (i + 1 < n) {
            const char *next = static_cast<const char *>(events[i + 1].data.ptr);
            constexpr int kCacheLine = 64;
            for (int line = 0; line < 4; ++line) // what on_events reads spans its first lines
                __builtin_prefetch(next + kCacheLine * line);
        }
        static_cast<Connection *>(events[i].data.ptr)->on_events(events[i].events);
    }
    in_batch_ = false;
    for (size_t i = 0; i < to_flush_.size(); ++i) // a flush may read and answer a pipelined request
        to_flush_[i]->flush_held();
    to_flush_.clear();
    retired_.clear();
    wait_events();
}

void EventLoop::for_each(std::function<void(Connection &)> f) {
    boost::asio::post(io_, [this, f = std::move(f)] {
        // A callback may close (and detach) connections: walk a copy, keeping each alive.
        std::vector<std::shared_ptr<Connection>> all;
        all.reserve(live_.size());
        for (auto &[c, owner] : live_)
            all.push_back(owner);
        for (auto &c : all)
            f(*c);
    });
}

void EventLoop::tick() {
    const int64_t now = now_ms();
    // Only connections with something due are touched, and the walk over all of them (a cache miss
    // each: 10,000 idle ones cost the busy ones measurably at ten walks a second) happens only
    // when the earliest deadline noted is due.
    if (now >= earliest_deadline_ms_) {
        earliest_deadline_ms_ = INT64_MAX;
        std::vector<std::shared_ptr<Connection>> due;
        for (auto &[c, owner] : live_) {
            const int64_t deadline = c->next_deadline_ms();
            if (deadline <= now)
                due.push_back(owner);
            else
                note_deadline(deadline);
        }
        for (auto &c : due)
            c->on_tick(now); // a new deadline of theirs is noted through set_deadline
    }
    retired_.clear();
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([this](const boost::system::error_code &ec) {
        if (!ec) tick();
    });
}

} // namespace fastmcp::host
