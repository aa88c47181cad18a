// A linear pre-scan that bounds JSON nesting before the document is parsed, so hostile input
// cannot drive a parser (or the recursive destructor of a parsed tree) into deep recursion.
#pragma once

#include <string_view>

namespace fastmcp::host {

// True when arrays/objects in `text` nest deeper than `max_depth` (strings are skipped).
bool json_depth_exceeds(std::string_view text, int max_depth);

} // namespace fastmcp::host
