#include "verify_watchdog.hpp"

#include "host_services.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace fastmcp::host {
namespace {

AuthVerdict timeout_verdict(const char *description) {
    AuthVerdict v;
    v.reason = FASTMCP_REASON_PROVIDER_TIMEOUT;
    v.description = description;
    return v;
}

} // namespace

// Shared with the workers (each holds a reference), so a stuck worker outlives the watchdog safely.
struct VerifyWatchdog::State {
    struct Slot {
        std::string token; // a copy: the request's buffer is gone once the caller gives up
        std::condition_variable done_cv;
        bool started = false, done = false, abandoned = false;
        AuthVerdict verdict;
    };

    std::mutex mutex;
    std::condition_variable work_cv;
    std::deque<std::shared_ptr<Slot>> queue;
    int idle = 0, workers = 0, stuck = 0;
    bool stopping = false;
    std::string label;
    std::shared_ptr<const AuthBackend> inner; // kept alive by every worker

    static void work(std::shared_ptr<State> self) {
        std::unique_lock lock(self->mutex);
        for (;;) {
            self->work_cv.wait(lock, [&] { return self->stopping || !self->queue.empty(); });
            if (self->queue.empty()) break; // stopping
            auto slot = std::move(self->queue.front());
            self->queue.pop_front();
            --self->idle;
            slot->started = true;
            lock.unlock();
            AuthVerdict verdict;
            try {
                verdict = self->inner->verify(slot->token);
            } catch (...) {
                verdict.reason = FASTMCP_REASON_INTERNAL_ERROR;
                verdict.description = "the auth provider failed";
            }
            lock.lock();
            if (slot->abandoned) {
                // The caller already answered 503; this answer belongs to nobody.
                --self->stuck;
                log_message(FASTMCP_LOG_WARNING, "auth provider " + self->label +
                                                     ": a verify call returned after its deadline; its verdict (" +
                                                     fastmcp_reason_name(verdict.reason) + ") was discarded");
            } else {
                slot->verdict = std::move(verdict);
                slot->done = true;
                slot->done_cv.notify_one();
            }
            ++self->idle;
        }
        --self->idle;
        --self->workers;
        self->work_cv.notify_all(); // the destructor waits for workers to leave
    }
};

VerifyWatchdog::VerifyWatchdog(VerifyWatchdogOptions options, std::string label, std::shared_ptr<const AuthBackend> inner)
    : options_(options), inner_(std::move(inner)), state_(std::make_shared<State>()) {
    state_->label = std::move(label);
    state_->inner = inner_;
}

VerifyWatchdog::~VerifyWatchdog() {
    std::unique_lock lock(state_->mutex);
    state_->stopping = true;
    state_->work_cv.notify_all();
    // Idle workers leave at once and busy ones after their call; stuck ones may never return.
    state_->work_cv.wait_for(lock, std::chrono::seconds(2), [&] { return state_->workers <= state_->stuck; });
    if (state_->workers > 0)
        log_message(FASTMCP_LOG_WARNING, "auth provider " + state_->label + ": " + std::to_string(state_->workers) +
                                             " verify call(s) still hung at shutdown; the module stays loaded");
}

int VerifyWatchdog::stuck() const {
    std::lock_guard lock(state_->mutex);
    return state_->stuck;
}

int VerifyWatchdog::workers() const {
    std::lock_guard lock(state_->mutex);
    return state_->workers;
}

AuthVerdict VerifyWatchdog::verify(std::string_view token) const {
    if (options_.timeout.count() <= 0) return inner_->verify(token);
    auto &s = *state_;
    auto slot = std::make_shared<State::Slot>();
    slot->token.assign(token);
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    std::unique_lock lock(s.mutex);
    if (s.stuck >= options_.max_stuck) return timeout_verdict("the auth provider is not answering");
    if (s.idle <= static_cast<int>(s.queue.size())) {
        if (s.workers >= options_.max_workers) return timeout_verdict("the auth provider is overloaded");
        try {
            std::thread(State::work, state_).detach();
        } catch (...) {
            return timeout_verdict("the auth provider is overloaded");
        }
        ++s.workers;
        ++s.idle;
    }
    s.queue.push_back(slot);
    s.work_cv.notify_one();
    if (slot->done_cv.wait_until(lock, deadline, [&] { return slot->done; })) return std::move(slot->verdict);

    slot->abandoned = true;
    if (slot->started) {
        ++s.stuck;
        log_message(FASTMCP_LOG_ERROR, "auth provider " + s.label + ": verify did not answer within " +
                                           std::to_string(options_.timeout.count()) + " ms (" + std::to_string(s.stuck) +
                                           " call(s) stuck" + (s.stuck >= options_.max_stuck ? "; provider unhealthy" : "") +
                                           ")");
    } else {
        for (auto it = s.queue.begin(); it != s.queue.end(); ++it)
            if (*it == slot) {
                s.queue.erase(it);
                break;
            }
    }
    return timeout_verdict("the auth provider did not answer in time");
}

} // namespace fastmcp::host
