// Internal: the claims check without copying the claims into the Result (verify moves them).
#pragma once

#include "fastmcp/jose/jws.hpp"

namespace fastmcp::jose::detail {

Result check_claims_in_place(const nlohmann::json &claims, const Policy &policy, int64_t now_seconds);

} // namespace fastmcp::jose::detail
