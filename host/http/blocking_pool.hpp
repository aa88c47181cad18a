// A bounded pool of threads for work that may block: a provider's verify() on a cache miss (JWKS
// or introspection I/O) and tool handlers (user code). The I/O loops never run such work; they
// submit it here and get the answer posted back.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fastmcp::host {

class BlockingPool {
  public:
    // `threads` workers, at most `max_queued` tasks waiting for one.
    BlockingPool(size_t threads, size_t max_queued);
    ~BlockingPool();
    BlockingPool(const BlockingPool &) = delete;
    BlockingPool &operator=(const BlockingPool &) = delete;

    // False when the queue is full (the caller answers 503) or the pool is stopping.
    bool submit(std::function<void()> task);
    // Stops taking work and joins the workers once they are idle; a worker stuck in foreign code
    // (a hung provider) is detached instead of waited for when `detach_stuck` is set.
    void stop(bool detach_stuck);
    size_t busy() const;

  private:
    void work();
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    std::vector<std::thread> threads_;
    size_t max_queued_;
    size_t busy_ = 0;
    bool stopping_ = false;
};

} // namespace fastmcp::host
