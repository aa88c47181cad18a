// The per-request context behind get_access_token(): a thread-local pointer set by the HTTP layer
// for the duration of one dispatch (tool handlers run on the request's thread).
#pragma once

#include "fastmcp/access_token.hpp"

#include <string>

namespace fastmcp::host {

// The way back to the client while a request runs: an SSE stream in stateful mode (notifications,
// SEP-1699 stream close). Absent for a request answered with plain JSON.
class RequestChannel {
public:
    virtual ~RequestChannel() = default;
    // Sends one JSON-RPC message (a notification) before the result. False when it cannot.
    virtual bool notify(std::string json_message) = 0;
    // Ends the HTTP response carrying the stream now; the result still comes, to a client that
    // reconnects with Last-Event-ID. False when there is no stream.
    virtual bool close_stream() = 0;
};

class SessionState;

// The current request's channel, or nullptr (JSON response, or not inside a request).
RequestChannel *current_request_channel();
// The current request's session state (stateful mode), or nullptr.
SessionState *current_session_state();

class RequestScope {
public:
  explicit RequestScope(std::shared_ptr<const AccessToken> token, RequestChannel *channel = nullptr,
                        SessionState *session = nullptr);
  ~RequestScope();
  RequestScope(const RequestScope &) = delete;
  RequestScope &operator=(const RequestScope &) = delete;

private:
    std::shared_ptr<const AccessToken> previous_;
    RequestChannel *previous_channel_;
    SessionState *previous_session_;
};

} // namespace fastmcp::host
