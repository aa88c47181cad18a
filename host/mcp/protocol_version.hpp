// MCP protocol revisions this host speaks, and version negotiation.
#pragma once

#include <string_view>

namespace fastmcp::host {

inline constexpr std::string_view kLatestProtocolVersion = "2025-06-18";
// Assumed when a request carries no MCP-Protocol-Version header (Streamable HTTP, 2025-06-18).
inline constexpr std::string_view kDefaultProtocolVersion = "2025-03-26";

bool is_supported_protocol_version(std::string_view version);
// The version to answer initialize with: the requested one when supported, else our latest.
std::string_view negotiate_protocol_version(std::string_view requested);
// JSON-RPC batches exist in 2025-03-26 only (removed in 2025-06-18).
bool protocol_allows_batches(std::string_view version);

} // namespace fastmcp::host
