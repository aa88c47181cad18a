#include "request_context.hpp"

namespace fastmcp {
namespace {
thread_local std::shared_ptr<const AccessToken> t_current_token;
thread_local host::RequestChannel *t_current_channel = nullptr;
} // namespace

std::shared_ptr<const AccessToken> get_access_token() { return t_current_token; }

namespace host {

RequestChannel *current_request_channel() { return t_current_channel; }

RequestScope::RequestScope(std::shared_ptr<const AccessToken> token, RequestChannel *channel)
    : previous_(std::move(t_current_token)), previous_channel_(t_current_channel) {
    t_current_token = std::move(token);
    t_current_channel = channel;
}

RequestScope::~RequestScope() {
    t_current_token = std::move(previous_);
    t_current_channel = previous_channel_;
}

} // namespace host
} // namespace fastmcp
