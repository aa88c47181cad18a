// Runs an operation for a fixed wall time on N threads and reports the total rate, by wall time
// and by CPU time. The machine may be shared: CPU time (each thread's own, CLOCK_THREAD_CPUTIME_ID)
// is what a row is judged by, since time spent descheduled is not the operation's cost. The clock
// is read once per batch so that sub-microsecond operations are not dominated by clock reads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <thread>
#include <vector>

namespace fastmcp::bench {

struct Rate {
    unsigned threads = 1;
    uint64_t ops = 0;
    double wall_seconds = 0;
    double cpu_seconds = 0; // summed over the threads

    Rate &operator+=(const Rate &o) {
        ops += o.ops;
        wall_seconds += o.wall_seconds;
        cpu_seconds += o.cpu_seconds;
        return *this;
    }
    // CPU time per operation: the cost of one operation on one core.
    double ns_per_op() const { return ops ? cpu_seconds * 1e9 / ops : 0; }
    // What `threads` cores would do if they were ours alone: threads / cost.
    double ops_per_second() const { return cpu_seconds > 0 ? threads * ops / cpu_seconds : 0; }
    // What they did, in wall time, on the machine as it was.
    double wall_ops_per_second() const { return wall_seconds > 0 ? ops / wall_seconds : 0; }
};

inline double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// `op(thread_index)` returns false on a wrong result: the run then stops and `failed` is set.
template <class Op>
Rate measure(unsigned threads, double seconds, unsigned batch, Op op, bool &failed) {
    using Clock = std::chrono::steady_clock;
    std::atomic<bool> start{false}, stop{false}, bad{false};
    std::atomic<unsigned> ready{0};
    std::vector<uint64_t> counts(threads, 0);
    std::vector<double> cpu(threads, 0);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            ready.fetch_add(1);
            while (!start.load(std::memory_order_acquire)) std::this_thread::yield();
            const double cpu_start = thread_cpu_seconds();
            uint64_t n = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                for (unsigned i = 0; i < batch; ++i)
                    if (!op(t)) {
                        bad = true;
                        stop = true;
                        break;
                    }
                n += batch;
            }
            cpu[t] = thread_cpu_seconds() - cpu_start;
            counts[t] = n;
        });
    while (ready.load() < threads) std::this_thread::yield();
    const auto begin = Clock::now();
    start.store(true, std::memory_order_release);
    const auto deadline = begin + std::chrono::duration<double>(seconds);
    while (Clock::now() < deadline && !bad.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stop = true;
    for (auto &th : pool) th.join();
    Rate r;
    r.threads = threads;
    for (unsigned t = 0; t < threads; ++t) {
        r.ops += counts[t];
        r.cpu_seconds += cpu[t];
    }
    r.wall_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    failed = failed || bad.load();
    return r;
}

} // namespace fastmcp::bench
