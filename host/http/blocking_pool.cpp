#include "blocking_pool.hpp"

#include <exception>

namespace fastmcp::host {

BlockingPool::BlockingPool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this] { work(); });
}

BlockingPool::~BlockingPool() { stop(true); }

bool BlockingPool::submit(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= max_queued_) return false;
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
    return true;
}

size_t BlockingPool::busy() const {
    std::lock_guard lock(mutex_);
    return busy_ + queue_.size();
}

void BlockingPool::stop(bool detach_stuck) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    const bool stuck = detach_stuck && busy() > 0;
    for (auto &t : threads_) {
        if (!t.joinable()) continue;
        if (stuck)
            t.detach(); // may never come back from a provider: left to the process exit
        else
            t.join();
    }
    threads_.clear();
}

void BlockingPool::work() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return; // stopping
            task = std::move(queue_.front());
            queue_.pop_front();
            ++busy_;
        }
        try {
            task();
        } catch (...) {
            // a task reports its own failures; nothing may escape a worker
        }
        std::lock_guard lock(mutex_);
        --busy_;
    }
}

} // namespace fastmcp::host
