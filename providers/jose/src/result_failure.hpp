// Internal: a failed jose::Result with its reason code, shared by the JWS and claims checks.
#pragma once

#include "fastmcp/jose/jws.hpp"

#include <string>
#include <utility>

namespace fastmcp::jose::detail {

inline Result fail(fastmcp_reason reason, std::string detail) {
    Result r;
    r.reason = reason;
    r.detail = std::move(detail);
    return r;
}

} // namespace fastmcp::jose::detail
