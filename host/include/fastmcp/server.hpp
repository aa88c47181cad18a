// The library API of the fastmcp host:
//
//   fastmcp::Server server{"AuthKit Secured App"};
//   server.tool("echo", "Echo text", R"({"type":"object","properties":{"text":{"type":"string"}}})",
//               [](const nlohmann::json &args) { return fastmcp::ToolResult::text(args.value("text", "")); });
//   return server.run({.host = "127.0.0.1", .port = 8000});
//
// Auth: an AuthBackend given with server.auth(...) wins; otherwise run() loads the provider named by
// FASTMCP_SERVER_AUTH (process environment, then .env / --env-file). Unset means auth off.
#pragma once

#include "fastmcp/access_token.hpp"
#include "fastmcp/auth_backend.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp {

// The result of tools/call: MCP content blocks plus the isError flag.
struct ToolResult {
    nlohmann::json content = nlohmann::json::array();
    bool is_error = false;
    nlohmann::json structured; // structuredContent when not null

    static ToolResult text(std::string text);
    static ToolResult error(std::string message);
    ToolResult &add_text(std::string text);
    ToolResult &add_image(std::string base64_data, std::string mime_type);
    // An embedded text resource.
    ToolResult &add_resource(std::string uri, std::string text, std::string mime_type = "text/plain");
};

using ToolHandler = std::function<ToolResult(const nlohmann::json &arguments)>;

struct Tool {
    std::string name;
    std::string description;
    nlohmann::json input_schema; // a JSON Schema object
    ToolHandler handler;
    // The handler is pure and quick (microseconds, no I/O, no locks held across I/O), so it may
    // run on the I/O loop. Otherwise (the default) it runs on the blocking pool.
    bool nonblocking = false;
    std::string title{};                        // optional
    nlohmann::json annotations{};               // optional ToolAnnotations object (null = none)
    nlohmann::json output_schema{};             // optional JSON Schema object (null = none)
    std::vector<std::string> required_scopes{}; // a caller's token must hold all of them
};

// A JSON-RPC error answered by a resource, prompt or completion handler (e.g. -32002 not found).
struct McpError : std::runtime_error {
    McpError(int code, const std::string &message) : std::runtime_error(message), code(code) {}
    int code{};
};

// completion/complete's answer (at most 100 values are sent).
struct Completion {
    std::vector<std::string> values{};
    int64_t total = -1; // < 0: not given
    bool has_more = false;
};
// (argument name, partial value, context.arguments object)
using CompletionHandler = std::function<Completion(
    const std::string &name, const std::string &value, const nlohmann::json &context)>;

// One item of resources/read's contents. `data` is text, or raw bytes when is_blob (base64-encoded
// on the wire). Empty uri / mime_type: the read URI / the resource's declared mimeType.
struct ResourceContent {
    std::string uri{};
    std::string mime_type{};
    std::string data{};
    bool is_blob = false;
};
// (the URI read, the template's variables as a JSON object of strings; {} for a static resource)
using ResourceHandler = std::function<std::vector<ResourceContent>(
    const std::string &uri, const nlohmann::json &variables)>;

// A static resource (uri is exact) or a template (uri is an RFC 6570 level 1 uriTemplate).
struct Resource {
    std::string uri{};
    std::string name{};
    std::string title{};
    std::string description{};
    std::string mime_type{};
    nlohmann::json annotations{}; // null = none
    std::vector<std::string> required_scopes{};
    ResourceHandler handler{};
    CompletionHandler complete{}; // templates: completes variables
};

struct PromptArgument {
    std::string name{};
    std::string title{};
    std::string description{};
    bool required = false;
};
struct PromptResult {
    std::string description{};
    nlohmann::json messages = nlohmann::json::array(); // PromptMessage objects
};
using PromptHandler = std::function<PromptResult(const nlohmann::json &arguments)>;

struct Prompt {
    std::string name{};
    std::string title{};
    std::string description{};
    std::vector<PromptArgument> arguments{};
    std::vector<std::string> required_scopes{};
    PromptHandler handler{};
    CompletionHandler complete{}; // completes arguments
};

// Limits against hostile input; the defaults suit a public server.
struct ServerLimits {
    size_t max_body_bytes = 1 << 20;      // 413 above this
    size_t max_header_count = 64;         // 431 above this
    size_t max_header_bytes = 16 * 1024;  // 431 above this (names + values)
    int max_json_depth = 64;              // -32700 above this
    int request_timeout_ms = 10000;       // whole request (headers + body) must arrive within this
    int keep_alive_timeout_ms = 10000;    // idle connection closed after this
    int max_threads = 64;                 // blocking pool: threads for verify misses and tools
    int max_queued = 4096;                // blocking pool: tasks waiting for a thread (503 above)
    int workers = 0;                      // event loops (0: one per CPU this process may use)
    int max_connections = 0;              // open connections (0: from the open-file limit); 503 above
    int stream_keep_alive_ms = 15000;     // a comment line on an idle SSE stream
    int max_sessions = 10000;             // stateful mode: live sessions (initialize gets 503 above)
    int session_idle_timeout_ms = 30 * 60 * 1000; // stateful mode: no request and no open stream
    int drain_timeout_ms = 10000;         // SIGINT/SIGTERM: wait this long for in-flight requests
    // Deadline per provider verify() call (503 provider_timeout past it; 0 = no watchdog).
    // -1: $FASTMCP_PROVIDER_VERIFY_TIMEOUT, else 15 s (docs/plugin-abi.md, "Hangs").
    int verify_timeout_ms = -1;
};

struct RunOptions {
    std::string transport = "http"; // only "http" (Streamable HTTP) is supported
    std::string host = "127.0.0.1";
    int port = 8000; // 0: the OS picks one
    std::string path = "/mcp";
    std::string env_file;        // optional .env file (precedence: process env > this file)
    std::string log_level;       // debug|info|warning|error; empty = info
    // Stateful Streamable HTTP (Mcp-Session-Id, GET streams, resumable SSE). Also turned on by
    // FASTMCP_STATELESS_HTTP=false (environment or .env), FastMCP's own variable.
    bool stateful = false;
    bool handle_signals = true;  // SIGINT/SIGTERM drain and return 0
    bool print_ready_line = true; // "Listening on http://H:P/mcp" on stdout, once
    ServerLimits limits{};
    // Called once the port accepts connections, with the MCP URL (real port filled in).
    std::function<void(const std::string &url)> on_ready;
    // A second, loopback-only listener for /healthz, /readyz and /metrics (0: the OS picks;
    // -1: none). Its URL is printed as "Admin on http://H:P" before the "Listening on" line.
    int admin_port = -1;
    std::string admin_host = "127.0.0.1";
    std::string log_format; // text|json; empty = $FASTMCP_LOG_FORMAT, else text
};

// A configuration or load error that stops the server (exit status 2), never "no auth".
struct StartupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Server {
public:
    explicit Server(std::string name, std::string version = "0.1.0");
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Registers a tool; input_schema_json must be a JSON object (throws std::invalid_argument).
    Server &tool(std::string name, std::string description, std::string_view input_schema_json, ToolHandler handler);
    Server &tool(Tool tool);
    // Registers a pure, quick tool that may run on the I/O loop (see Tool::nonblocking).
    Server &nonblocking_tool(std::string name, std::string description, std::string_view input_schema_json,
                             ToolHandler handler);
    // Resources, resource templates and prompts (throw std::invalid_argument when incomplete or
    // registered twice).
    Server &resource(Resource resource);
    Server &resource_template(Resource resource_template);
    Server &prompt(Prompt prompt);
    // Server-to-client notifications on the sessions' GET streams (stateful mode; any thread).
    // Return the number of sessions notified.
    int notify_resource_updated(const std::string &uri);
    int notify_list_changed(std::string_view method); // e.g. "notifications/resources/list_changed"
    // An explicit auth backend; wins over the environment.
    Server &auth(std::shared_ptr<const AuthBackend> backend);
    Server &instructions(std::string text);

    // Serves until stop() or SIGINT/SIGTERM. Returns the process exit code: 0 after a clean drain,
    // 2 on a configuration or start-up error (message on stderr).
    int run(const RunOptions &options);
    // Asks a running server to drain and return (thread-safe).
    void stop();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace fastmcp
