#include "request_context.hpp"

namespace fastmcp {
namespace {
thread_local std::shared_ptr<const AccessToken> t_current_token;
}

std::shared_ptr<const AccessToken> get_access_token() { return t_current_token; }

namespace host {

RequestScope::RequestScope(std::shared_ptr<const AccessToken> token) : previous_(std::move(t_current_token)) {
    t_current_token = std::move(token);
}

RequestScope::~RequestScope() { t_current_token = std::move(previous_); }

} // namespace host
} // namespace fastmcp
