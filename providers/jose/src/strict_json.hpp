// Internal: JSON parsing for token headers and claims that rejects duplicate member names
// (RFC 7515 §4, RFC 8725 §3.10: two "alg" or two "exp" must not be resolved silently) and
// absurd nesting. Never throws.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace fastmcp::jose::detail {

// True when `text` is one JSON object without duplicate names at any depth.
bool parse_strict_object(std::string_view text, nlohmann::json &out);

} // namespace fastmcp::jose::detail
