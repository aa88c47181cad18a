// The MCP JSON-RPC 2.0 dispatcher: one POST body in, one HTTP status and body out. No HTTP, no auth:
// the caller has already authenticated the request and set the request context.
//
// Batches: a JSON array body is accepted only when the request's protocol version is 2025-03-26
// (the only revision with batching; the version is the MCP-Protocol-Version header, which defaults
// to 2025-03-26 when absent). Under 2025-06-18 and later an array is answered with HTTP 400 and
// -32600. initialize is never allowed inside a batch.
#pragma once

#include "fastmcp/server.hpp"

#include "uri_template.hpp"

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

// What a server offers besides its info: tools, resources, resource templates, prompts.
struct Catalog {
    std::map<std::string, Tool, std::less<>> tools;
    std::map<std::string, Resource, std::less<>> resources; // by URI
    std::vector<Resource> resource_templates;               // in registration order
    std::map<std::string, Prompt, std::less<>> prompts;
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
    Dispatcher(ServerInfo info, Catalog catalog, int max_json_depth = 64, size_t max_batch = 64);

    // Per-item scopes: for a single tools/call, resources/read or prompts/get of an item that
    // declares required scopes the caller's token lacks, the scopes it requires (the HTTP layer
    // answers 403 insufficient_scope). nullopt when allowed, when auth is off (no token), or when
    // nothing declares scopes (the common case: one flag test).
    std::optional<std::vector<std::string>> missing_scopes(const nlohmann::json &doc,
                                                           const AccessToken *token) const;

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
    std::string read_resource(const nlohmann::json &params, const nlohmann::json &id) const;
    std::string get_prompt(const nlohmann::json &params, const nlohmann::json &id) const;
    std::string complete(const nlohmann::json &params, const nlohmann::json &id) const;
    void on_notification(std::string_view method, const nlohmann::json &params) const;
    std::string list(std::string_view method) const;
    // The template (and its variables) that `uri` matches, or nullptr.
    const Resource *find_template(std::string_view uri, nlohmann::json *variables) const;
    bool
    allowed(const std::vector<std::string> &required_scopes) const; // the current request's token

    ServerInfo info_;
    std::map<std::string, Tool, std::less<>> tools_;
    std::map<std::string, Resource, std::less<>> resources_;
    std::vector<Resource> templates_;
    std::vector<UriTemplate> template_matchers_; // parallel to templates_
    std::map<std::string, Prompt, std::less<>> prompts_;
    bool scoped_ = false; // some item declares required scopes: lists are filtered per caller
    bool completes_ = false; // a prompt or template has a completer: announce completions
    std::string tools_list_json_; // serialised once: {"tools":[...]}
    std::string capabilities_json_;
    int max_json_depth_;
    size_t max_batch_;
};

// JSON-RPC error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kResourceNotFound = -32002;

std::string jsonrpc_error(const nlohmann::json &id, int code, std::string_view message);

} // namespace fastmcp::host
