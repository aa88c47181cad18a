// The MCP protocol state of one stateful session, apart from its streams: what the client
// declared in initialize, its logging/setLevel, its resource subscriptions, the requests in
// flight (so notifications/cancelled reaches their handlers), and the server-to-client requests
// (sampling, elicitation) waiting for the client's POSTed response. Thread-safe; never blocks
// except in ClientRequest::wait.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace fastmcp::host {

// MCP logging levels, in order (debug = 0 ... emergency = 7); -1 when the name is unknown.
int log_level_of(std::string_view name);
const char *log_level_name(int level);

// A server-to-client request waiting for its response.
class ClientRequest {
  public:
    // The response message ({"result":...} or {"error":...}); false on timeout or cancellation.
    bool wait(std::chrono::milliseconds timeout, const std::atomic<bool> *cancelled,
              nlohmann::json &out);
    void complete(nlohmann::json response);

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    nlohmann::json response_;
};

class SessionState {
  public:
    void set_client_capabilities(nlohmann::json capabilities);
    // Whether initialize's capabilities had `name` (e.g. "sampling", "elicitation").
    bool client_supports(std::string_view name) const;

    void set_log_level(int level) { log_level_.store(level, std::memory_order_relaxed); }
    // debug (send everything) until the client sets a level.
    int log_level() const { return log_level_.load(std::memory_order_relaxed); }

    void subscribe(const std::string &uri);
    void unsubscribe(const std::string &uri);
    bool subscribed(const std::string &uri) const;

    // A request of this session starts running; the flag turns true on notifications/cancelled.
    std::shared_ptr<std::atomic<bool>> begin_request(const nlohmann::json &id);
    void end_request(const nlohmann::json &id);
    // False when no such request is running.
    bool cancel(const nlohmann::json &id);

    // A new server-to-client request id ("s-N") and its waiter.
    std::pair<std::string, std::shared_ptr<ClientRequest>> start_client_request();
    void forget_client_request(const std::string &id);
    // A response POSTed by the client; false when nobody waits for that id.
    bool deliver(const nlohmann::json &response);

  private:
    static std::string key_of(const nlohmann::json &id) { return id.dump(); }
    mutable std::mutex mutex_;
    nlohmann::json capabilities_ = nlohmann::json::object();
    std::atomic<int> log_level_{0};
    std::set<std::string, std::less<>> subscriptions_;
    std::map<std::string, std::shared_ptr<std::atomic<bool>>, std::less<>> running_;
    std::map<std::string, std::shared_ptr<ClientRequest>, std::less<>> waiting_;
    uint64_t next_client_request_ = 1;
};

} // namespace fastmcp::host
