#pragma once
// JSON-RPC bodies as nlohmann::json, parsed by simdjson when it can: nlohmann's lexer reads one
// character at a time and was the largest user-space cost of a small tools/call after the kernel.

#include <nlohmann/json.hpp>

#include <string_view>

namespace fastmcp::host {

// What nlohmann::json::parse(text, nullptr, false) returns, value for value and type for type (a
// discarded value on any error). simdjson parses and a walk builds the tree; nlohmann parses
// whenever simdjson refuses the text, the text holds a \u escape or an integer -0 (where the two
// could disagree), or it is longer than 64 KB (simdjson's buffers grow to the largest text).
nlohmann::json parse_json(std::string_view text);

} // namespace fastmcp::host
