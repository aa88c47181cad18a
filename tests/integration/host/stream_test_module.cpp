// A server module for the stream tests (test_host_sessions): tools that send notifications on
// their request's SSE stream and close it midway (server-module ABI 1.2: notify,
// close_sse_stream).
//   notify {count}                    `count` notifications/message, then a text result
//   close_midway {before, after}      `before` notifications, the stream closed, `after` more,
//                                     then the result (what a reconnecting client must replay)
//   sleep {ms}                        answers after `ms` milliseconds
#include "fastmcp/server_module.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace {

const fastmcp_server_host *g_host = nullptr;

void text_result(fastmcp_tool_respond_fn respond, void *ctx, const std::string &text) {
    const std::string content = nlohmann::json::array({{{"type", "text"}, {"text", text}}}).dump();
    fastmcp_tool_result r{};
    r.struct_size = sizeof r;
    r.content_json = {content.data(), content.size()};
    respond(ctx, &r);
}

void notify(int n) {
    const std::string method = "notifications/message";
    const std::string params = nlohmann::json{{"level", "info"}, {"data", {{"n", n}}}}.dump();
    g_host->notify(g_host->ctx, method.data(), method.size(), params.data(), params.size());
}

int notify_tool(void *, fastmcp_str args, fastmcp_tool_respond_fn respond, void *ctx) {
    const auto a = nlohmann::json::parse(std::string_view(args.data, args.size));
    const int count = a.value("count", 1);
    for (int i = 1; i <= count; ++i)
        notify(i);
    text_result(respond, ctx, "sent " + std::to_string(count));
    return 0;
}

int close_midway(void *, fastmcp_str args, fastmcp_tool_respond_fn respond, void *ctx) {
    const auto a = nlohmann::json::parse(std::string_view(args.data, args.size));
    const int before = a.value("before", 1), after = a.value("after", 1);
    int n = 0;
    for (int i = 0; i < before; ++i)
        notify(++n);
    // Let the events reach the client before its stream is cut.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    g_host->close_sse_stream(g_host->ctx);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (int i = 0; i < after; ++i)
        notify(++n);
    text_result(respond, ctx, "done after " + std::to_string(n));
    return 0;
}

int sleep_tool(void *, fastmcp_str args, fastmcp_tool_respond_fn respond, void *ctx) {
    const auto a = nlohmann::json::parse(std::string_view(args.data, args.size));
    std::this_thread::sleep_for(std::chrono::milliseconds(a.value("ms", 100)));
    text_result(respond, ctx, "slept");
    return 0;
}

int register_tools(const fastmcp_server_host *host) {
    g_host = host;
    if (host->struct_size < sizeof(fastmcp_server_host)) return 1; // needs a 1.2 host
    constexpr const char *kObject = R"({"type":"object"})";
    const fastmcp_tool_desc tools[] = {
        {sizeof(fastmcp_tool_desc), "notify", "Sends notifications, then answers", kObject,
         notify_tool, nullptr, nullptr, nullptr, nullptr, nullptr, 0},
        {sizeof(fastmcp_tool_desc), "close_midway", "Closes its stream midway", kObject,
         close_midway, nullptr, nullptr, nullptr, nullptr, nullptr, 0},
        {sizeof(fastmcp_tool_desc), "sleep", "Answers after a while", kObject, sleep_tool, nullptr,
         nullptr, nullptr, nullptr, nullptr, 0},
    };
    for (const auto &t : tools)
        if (host->add_tool(host->ctx, &t) != 0) return 1;
    return 0;
}

} // namespace

extern "C" FASTMCP_AUTH_EXPORT const fastmcp_server_module *fastmcp_server_module_entry(void) {
    static const fastmcp_server_module module = {FASTMCP_SERVER_MODULE_ABI_MAJOR,
                                                 FASTMCP_SERVER_MODULE_ABI_MINOR,
                                                 sizeof(fastmcp_server_module),
                                                 "stream tests",
                                                 "1.0.0",
                                                 register_tools,
                                                 nullptr};
    return &module;
}
