// Reading a text/event-stream body (WHATWG HTML §9.2) into the JSON-RPC messages it carries.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>
#include <vector>

namespace fastmcp::client {

// The `data` of each event, parsed as JSON; events whose data is not JSON are skipped.
std::vector<nlohmann::json> sse_json_messages(std::string_view body);

} // namespace fastmcp::client
