#pragma once
// Compact JSON text for the wire. Tool output may carry invalid UTF-8 (it comes from user code):
// replace it rather than throw.

#include <nlohmann/json.hpp>
#include <string>

namespace fastmcp::host {

inline std::string json_text(const nlohmann::json &j) {
    // What dump() does, into a string reserved up front: dump() grows its string a byte at a time
    // (a reallocation at 15, 30, 60, ... bytes), several per answer.
    std::string out;
    if (j.is_structured()) out.reserve(256); // a scalar (an id) fits the string's own room
    nlohmann::detail::serializer<nlohmann::json> writer(
        nlohmann::detail::output_adapter<char, std::string>(out), ' ',
        nlohmann::json::error_handler_t::replace);
    writer.dump(j, false, false, 0);
    return out;
}

} // namespace fastmcp::host
