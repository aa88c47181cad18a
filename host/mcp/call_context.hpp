// What a handler (tool, resource, prompt, completion) can do about the request it serves: log to
// the client, report progress, see a cancellation, and ask the client (sampling, elicitation).
// The dispatcher opens a CallScope around each handler on the handler's thread; the functions
// below act on the innermost one and do nothing outside a handler.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string_view>

namespace fastmcp::host {

class SessionState;
class RequestChannel;

class CallScope {
  public:
    // `id`: the JSON-RPC id of the request; `params`: its params (for _meta.progressToken).
    CallScope(const nlohmann::json &id, const nlohmann::json &params);
    ~CallScope();
    CallScope(const CallScope &) = delete;
    CallScope &operator=(const CallScope &) = delete;

    SessionState *session = nullptr;
    RequestChannel *channel = nullptr;
    const nlohmann::json &id; // outlives the scope (the request being dispatched)
    const nlohmann::json *progress_token = nullptr; // the request's _meta.progressToken, if any
    std::shared_ptr<std::atomic<bool>> cancelled;

  private:
    CallScope *previous_;
};

// notifications/message, when `level` (0 debug .. 7 emergency) passes the session's setLevel.
bool call_log(int level, nlohmann::json data, std::string_view logger);
// notifications/progress, when the request carried a progressToken. total < 0: unknown.
bool call_progress(double progress, double total, std::string_view message);
bool call_cancelled();

// How a server-to-client request ended (values of fastmcp_client_status).
struct ClientAnswer {
    int status = 3;      // 0 ok, 1 error, 2 timeout, 3 unsupported, 4 cancelled
    nlohmann::json body; // the result or error object; {"message": why} otherwise
};
// Sends `method` with `params` to the client on the request's stream and waits for its answer.
// `capability`: what initialize must have declared (e.g. "sampling").
ClientAnswer call_client(std::string_view method, nlohmann::json params,
                         std::string_view capability, std::chrono::milliseconds timeout);

} // namespace fastmcp::host
