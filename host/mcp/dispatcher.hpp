// The MCP JSON-RPC 2.0 dispatcher: one POST body in, one HTTP status and body out. No HTTP, no auth:
// the caller has already authenticated the request and set the request context.
//
// Batches: a JSON array body is accepted only when the request's protocol version is 2025-03-26
// (the only revision with batching; the version is the MCP-Protocol-Version header, which defaults
// to 2025-03-26 when absent). Under 2025-06-18 and later an array is answered with HTTP 400 and
// -32600. initialize is never allowed inside a batch.
#pragma once

#include "fastmcp/server.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fastmcp::host {

struct ServerInfo {
    std::string name;
    std::string version;
    std::string instructions;
};

struct DispatchReply {
    int http_status = 200;
    std::string body; // empty: 202 Accepted, no body
};

// One POST body, parsed: either an answer already (a parse error) or a document to execute.
struct ParsedBody {
    nlohmann::json doc;
    std::optional<DispatchReply> reply; // set: nothing to execute
    bool nonblocking = false;           // execute() may run on the I/O loop
};

class Dispatcher {
public:
    Dispatcher(ServerInfo info, std::map<std::string, Tool, std::less<>> tools, int max_json_depth = 64,
               size_t max_batch = 64);

    DispatchReply handle(std::string_view body, std::string_view protocol_version) const;
    // handle() in two steps, so the caller can run quick requests inline and the rest on a pool:
    // nonblocking is set for a single message whose method is answered from memory (ping,
    // initialize, tools/list, logging/setLevel, notifications, responses) or a call of a
    // nonblocking tool.
    ParsedBody parse(std::string_view body) const;
    DispatchReply execute(ParsedBody parsed, std::string_view protocol_version) const;

private:
    std::optional<std::string> handle_message(const nlohmann::json &message, bool in_batch) const;
    std::string call_method(std::string_view method, const nlohmann::json &params, const nlohmann::json &id) const;
    std::string call_tool(const nlohmann::json &params, const nlohmann::json &id) const;

    ServerInfo info_;
    std::map<std::string, Tool, std::less<>> tools_;
    std::string tools_list_json_; // serialised once: {"tools":[...]}
    int max_json_depth_;
    size_t max_batch_;
};

// JSON-RPC error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

std::string jsonrpc_error(const nlohmann::json &id, int code, std::string_view message);

} // namespace fastmcp::host
