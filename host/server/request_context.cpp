#include "request_context.hpp"

namespace fastmcp {
namespace {
thread_local std::shared_ptr<const AccessToken> t_current_token;
thread_local host::RequestChannel *t_current_channel = nullptr;
thread_local host::SessionState *t_current_session = nullptr;
} // namespace

std::shared_ptr<const AccessToken> get_access_token() { return t_current_token; }

namespace host {

RequestChannel *current_request_channel() { return t_current_channel; }
SessionState *current_session_state() { return t_current_session; }

RequestScope::RequestScope(std::shared_ptr<const AccessToken> token, RequestChannel *channel,
                           SessionState *session)
    : previous_(std::move(t_current_token)), previous_channel_(t_current_channel),
      previous_session_(t_current_session) {
    t_current_token = std::move(token);
    t_current_channel = channel;
    t_current_session = session;
}

RequestScope::~RequestScope() {
    t_current_token = std::move(previous_);
    t_current_channel = previous_channel_;
    t_current_session = previous_session_;
}

} // namespace host
} // namespace fastmcp
