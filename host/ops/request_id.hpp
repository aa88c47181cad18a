// X-Request-Id: a client's id is kept when it is 1..64 characters of [A-Za-z0-9._:-] (safe in a
// header, a log line and a JSON string); anything else is replaced by a generated one.
#pragma once

#include <string>
#include <string_view>

namespace fastmcp::ops {

inline constexpr size_t kMaxRequestIdLength = 64;

bool acceptable_request_id(std::string_view id);
// 16 lower-case hex characters from a per-thread random generator (no lock, no syscall).
std::string generate_request_id();
// The client's id when acceptable, else a generated one.
std::string request_id_for(std::string_view client_value);

} // namespace fastmcp::ops
