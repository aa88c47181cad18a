// A server module for `fastmcp run greeter.so --transport http --port 8000`.
// It uses only plugin_api/fastmcp/server_module.h: the host lends everything else.
//   greet   greets the caller by the subject of their verified access token (or "anonymous")
//   add     adds two numbers, answering with text and structured content
//   fail    always reports a tool-level error (isError: true)
#include "fastmcp/server_module.h"

#include <nlohmann/json.hpp>

#include <string>

namespace {

const fastmcp_server_host *g_host = nullptr;

void respond_text(fastmcp_tool_respond_fn respond, void *ctx, const std::string &text, int is_error = 0,
                  const std::string &structured = {}) {
    fastmcp_tool_result r{};
    r.struct_size = sizeof r;
    r.is_error = is_error;
    r.text = {text.data(), text.size()};
    r.structured_json = {structured.data(), structured.size()};
    respond(ctx, &r);
}

int greet(void *, fastmcp_str args_json, fastmcp_tool_respond_fn respond, void *ctx) {
    auto args = nlohmann::json::parse(std::string(args_json.data, args_json.size), nullptr, false);
    std::string greeting = args.is_object() ? args.value("greeting", "Hello") : "Hello";
    fastmcp_token_view token{};
    token.struct_size = sizeof token;
    std::string who = "anonymous";
    if (g_host->get_access_token(g_host->ctx, &token)) who.assign(token.subject.data, token.subject.size);
    respond_text(respond, ctx, greeting + ", " + who + "!");
    return 0;
}

int add(void *, fastmcp_str args_json, fastmcp_tool_respond_fn respond, void *ctx) {
    auto args = nlohmann::json::parse(std::string(args_json.data, args_json.size), nullptr, false);
    if (!args.is_object() || !args["a"].is_number() || !args["b"].is_number()) {
        respond_text(respond, ctx, "a and b must be numbers", 1);
        return 0;
    }
    double sum = args["a"].get<double>() + args["b"].get<double>();
    nlohmann::json structured = {{"sum", sum}};
    respond_text(respond, ctx, structured["sum"].dump(), 0, structured.dump());
    return 0;
}

int fail(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_text(respond, ctx, "this tool always fails", 1);
    return 1;
}

int register_tools(const fastmcp_server_host *host) {
    g_host = host;
    const fastmcp_tool_desc tools[] = {
        {sizeof(fastmcp_tool_desc), "greet", "Greet the caller by their verified identity",
         R"({"type":"object","properties":{"greeting":{"type":"string"}}})", greet, nullptr,
         nullptr, nullptr, nullptr, nullptr, 0},
        {sizeof(fastmcp_tool_desc), "add", "Add two numbers",
         R"({"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]})",
         add, nullptr, nullptr, nullptr, nullptr, nullptr, 0},
        {sizeof(fastmcp_tool_desc), "fail", "Always fails (shows isError results)", nullptr, fail,
         nullptr, nullptr, nullptr, nullptr, nullptr, 0},
    };
    for (const auto &t : tools)
        if (host->add_tool(host->ctx, &t) != 0) return 1;
    const char msg[] = "greeter module registered 3 tools";
    host->log(host->ctx, FASTMCP_LOG_DEBUG, msg, sizeof msg - 1);
    return 0;
}

} // namespace

extern "C" FASTMCP_AUTH_EXPORT const fastmcp_server_module *fastmcp_server_module_entry(void) {
    static const fastmcp_server_module module = {FASTMCP_SERVER_MODULE_ABI_MAJOR,
                                                 FASTMCP_SERVER_MODULE_ABI_MINOR,
                                                 sizeof(fastmcp_server_module),
                                                 "Greeter",
                                                 "1.0.0",
                                                 register_tools,
                                                 "Tools that greet you by your verified identity."};
    return &module;
}
