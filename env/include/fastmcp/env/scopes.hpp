// Scope and list values: "a, b c", "a,b", or a JSON array of non-empty strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::env {

// Comma- and/or whitespace-separated, or a JSON array of non-empty strings. Empty or blank means
// none. Duplicates are dropped keeping first-seen order. A value that starts with `[` but is not a
// JSON array of non-empty strings throws ValueError; it is never guessed at.
std::vector<std::string> parse_scopes(std::string_view value);

// Same grammar as parse_scopes, duplicates kept.
std::vector<std::string> parse_list(std::string_view value);

} // namespace fastmcp::env
