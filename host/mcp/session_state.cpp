#include "session_state.hpp"

#include <algorithm>

namespace fastmcp::host {

namespace {
constexpr const char *kLevels[] = {"debug", "info",     "notice", "warning",
                                   "error", "critical", "alert",  "emergency"};
}

int log_level_of(std::string_view name) {
    for (int i = 0; i < 8; ++i)
        if (name == kLevels[i]) return i;
    return -1;
}

const char *log_level_name(int level) { return kLevels[level < 0 ? 0 : level > 7 ? 7 : level]; }

bool ClientRequest::wait(std::chrono::milliseconds timeout, const std::atomic<bool> *cancelled,
                         nlohmann::json &out) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    // Short slices so a cancellation (a flag, not a notification on this cv) is seen quickly.
    while (!done_) {
        if (cancelled && cancelled->load()) return false;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                               deadline - now, std::chrono::milliseconds(50)));
    }
    out = std::move(response_);
    return true;
}

void ClientRequest::complete(nlohmann::json response) {
    {
        std::lock_guard lock(mutex_);
        if (done_) return;
        done_ = true;
        response_ = std::move(response);
    }
    cv_.notify_all();
}

void SessionState::set_client_capabilities(nlohmann::json capabilities) {
    std::lock_guard lock(mutex_);
    capabilities_ = capabilities.is_object() ? std::move(capabilities) : nlohmann::json::object();
}

bool SessionState::client_supports(std::string_view name) const {
    std::lock_guard lock(mutex_);
    return capabilities_.contains(std::string(name));
}

void SessionState::subscribe(const std::string &uri) {
    std::lock_guard lock(mutex_);
    if (subscriptions_.size() < 1024) subscriptions_.insert(uri); // bounded against a flood
}

void SessionState::unsubscribe(const std::string &uri) {
    std::lock_guard lock(mutex_);
    subscriptions_.erase(uri);
}

bool SessionState::subscribed(const std::string &uri) const {
    std::lock_guard lock(mutex_);
    return subscriptions_.count(uri) != 0;
}

std::shared_ptr<std::atomic<bool>> SessionState::begin_request(const nlohmann::json &id) {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard lock(mutex_);
    running_[key_of(id)] = flag;
    return flag;
}

void SessionState::end_request(const nlohmann::json &id) {
    std::lock_guard lock(mutex_);
    running_.erase(key_of(id));
}

bool SessionState::cancel(const nlohmann::json &id) {
    std::lock_guard lock(mutex_);
    auto it = running_.find(key_of(id));
    if (it == running_.end()) return false;
    it->second->store(true);
    return true;
}

std::pair<std::string, std::shared_ptr<ClientRequest>> SessionState::start_client_request() {
    auto waiter = std::make_shared<ClientRequest>();
    std::lock_guard lock(mutex_);
    std::string id = "s-" + std::to_string(next_client_request_++);
    waiting_[id] = waiter;
    return {std::move(id), std::move(waiter)};
}

void SessionState::forget_client_request(const std::string &id) {
    std::lock_guard lock(mutex_);
    waiting_.erase(id);
}

bool SessionState::deliver(const nlohmann::json &response) {
    auto id = response.find("id");
    if (id == response.end() || !id->is_string()) return false;
    std::shared_ptr<ClientRequest> waiter;
    {
        std::lock_guard lock(mutex_);
        auto it = waiting_.find(id->get_ref<const std::string &>());
        if (it == waiting_.end()) return false;
        waiter = std::move(it->second);
        waiting_.erase(it);
    }
    waiter->complete(response);
    return true;
}

} // namespace fastmcp::host
