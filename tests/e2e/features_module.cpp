// A server module for the e2e tests of the MCP features a handler reaches through the host
// (server-module ABI 1.3): logging and progress during a call, cancellation, elicitation,
// sampling, and a tool that needs a scope (step-up).
#include "fastmcp/server_module.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace {

const fastmcp_server_host *g_host = nullptr;
std::atomic<int> g_cancelled_calls{0}; // slow calls that saw is_cancelled()

void respond_text(fastmcp_tool_respond_fn respond, void *ctx, const std::string &text,
                  int is_error = 0) {
    fastmcp_tool_result r{};
    r.struct_size = sizeof r;
    r.is_error = is_error;
    r.text = {text.data(), text.size()};
    respond(ctx, &r);
}

// Three log lines and three progress steps, 30 ms apart, then the result.
int chatty(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    for (int i = 0; i < 3; ++i) {
        const std::string data = nlohmann::json{{"step", i}}.dump();
        g_host->log_message(g_host->ctx, FASTMCP_MCP_LOG_INFO, data.data(), data.size(), "chatty",
                            6);
        g_host->report_progress(g_host->ctx, i + 1, 3, "working", 7);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    respond_text(respond, ctx, "chatty done");
    return 0;
}

// Runs until the client cancels (at most 10 s).
int slow(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    for (int i = 0; i < 1000; ++i) {
        if (g_host->is_cancelled(g_host->ctx)) {
            ++g_cancelled_calls;
            respond_text(respond, ctx, "cancelled");
            return 0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    respond_text(respond, ctx, "finished without a cancellation");
    return 0;
}

int cancelled_calls(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_text(respond, ctx, std::to_string(g_cancelled_calls.load()));
    return 0;
}

void respond_answer(fastmcp_tool_respond_fn respond, void *ctx, int status,
                    const fastmcp_client_result &r) {
    const std::string body(r.result_json.data, r.result_json.size);
    respond_text(
        respond, ctx,
        nlohmann::json{{"status", status}, {"answer", nlohmann::json::parse(body, nullptr, false)}}
            .dump(),
        status == FASTMCP_CLIENT_OK ? 0 : 1);
}

int ask_user(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    const std::string message = "Your name?";
    const std::string schema =
        R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})";
    fastmcp_client_result r{};
    r.struct_size = sizeof r;
    const int status = g_host->elicit(g_host->ctx, message.data(), message.size(), schema.data(),
                                      schema.size(), 5000, &r);
    respond_answer(respond, ctx, status, r);
    return 0;
}

int ask_llm(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    const std::string params =
        R"({"messages":[{"role":"user","content":{"type":"text","text":"Say hi"}}],"maxTokens":20})";
    fastmcp_client_result r{};
    r.struct_size = sizeof r;
    const int status = g_host->sample(g_host->ctx, params.data(), params.size(), 5000, &r);
    respond_answer(respond, ctx, status, r);
    return 0;
}

int admin_only(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_text(respond, ctx, "admin secrets");
    return 0;
}

int register_tools(const fastmcp_server_host *host) {
    g_host = host;
    if (host->struct_size < sizeof(fastmcp_server_host)) return 1; // needs a 1.3 host
    constexpr const char *kNoArgs = R"({"type":"object","properties":{}})";
    static const char *const kAdmin[] = {"notes:admin"};
    struct Entry {
        const char *name;
        fastmcp_tool_fn fn;
        bool admin;
    } entries[] = {{"chatty", chatty, false},
                   {"slow", slow, false},
                   {"cancelled_calls", cancelled_calls, false},
                   {"ask_user", ask_user, false},
                   {"ask_llm", ask_llm, false},
                   {"admin_only", admin_only, true}};
    for (const Entry &e : entries) {
        fastmcp_tool_desc t{};
        t.struct_size = sizeof t;
        t.name = e.name;
        t.description = e.name;
        t.input_schema_json = kNoArgs;
        t.handler = e.fn;
        if (e.admin) {
            t.required_scopes = kAdmin;
            t.required_scope_count = 1;
        }
        if (host->add_tool(host->ctx, &t) != 0) return 1;
    }
    return 0;
}

} // namespace

extern "C" FASTMCP_AUTH_EXPORT const fastmcp_server_module *fastmcp_server_module_entry(void) {
    static const fastmcp_server_module module = {FASTMCP_SERVER_MODULE_ABI_MAJOR,
                                                 FASTMCP_SERVER_MODULE_ABI_MINOR,
                                                 sizeof(fastmcp_server_module),
                                                 "fastmcp-cpp e2e features",
                                                 "1.0.0",
                                                 register_tools,
                                                 nullptr};
    return &module;
}
