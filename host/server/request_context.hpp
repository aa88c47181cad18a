// The per-request context behind get_access_token(): a thread-local pointer set by the HTTP layer
// for the duration of one dispatch (tool handlers run on the request's thread).
#pragma once

#include "fastmcp/access_token.hpp"

namespace fastmcp::host {

class RequestScope {
public:
    explicit RequestScope(std::shared_ptr<const AccessToken> token);
    ~RequestScope();
    RequestScope(const RequestScope &) = delete;
    RequestScope &operator=(const RequestScope &) = delete;

private:
    std::shared_ptr<const AccessToken> previous_;
};

} // namespace fastmcp::host
