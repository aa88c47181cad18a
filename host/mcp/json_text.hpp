#pragma once
// Compact JSON text for the wire. Tool output may carry invalid UTF-8 (it comes from user code):
// replace it rather than throw.

#include <nlohmann/json.hpp>
#include <string>

namespace fastmcp::host {

inline std::string json_text(const nlohmann::json &j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace fastmcp::host
