// The fixture tools of the MCP conformance suite (@modelcontextprotocol/conformance server
// scenarios tools-call-*), as a server module:
//   fastmcp run build/examples/conformance.so --transport http --port 0
// Tools that need server-to-client messages during a call (logging, progress, sampling,
// elicitation) are not here yet. test_reconnection (scenario server-sse-polling, SEP-1699) needs
// `--stateful`: it closes its SSE stream mid-call and answers after the client reconnected.
#include "fastmcp/server_module.h"

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <thread>

namespace {

const fastmcp_server_host *g_host = nullptr; // valid until the server stops

// A 1x1 PNG and a 44-byte silent WAV header, as fixed base64 literals.
constexpr const char *kPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr const char *kWav = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

void respond_content(fastmcp_tool_respond_fn respond, void *ctx, const std::string &content_json, int is_error = 0) {
    fastmcp_tool_result r{};
    r.struct_size = sizeof r;
    r.is_error = is_error;
    r.content_json = {content_json.data(), content_json.size()};
    respond(ctx, &r);
}

int simple_text(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx, R"([{"type":"text","text":"This is a simple text response for testing."}])");
    return 0;
}

int image_content(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx, std::string(R"([{"type":"image","data":")") + kPng + R"(","mimeType":"image/png"}])");
    return 0;
}

int audio_content(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx, std::string(R"([{"type":"audio","data":")") + kWav + R"(","mimeType":"audio/wav"}])");
    return 0;
}

int embedded_resource(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx,
                    R"([{"type":"resource","resource":{"uri":"test://embedded-resource","mimeType":"text/plain",)"
                    R"("text":"This is an embedded resource content."}}])");
    return 0;
}

int multiple_content_types(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx,
                    std::string(R"([{"type":"text","text":"Multiple content types test:"},{"type":"image","data":")") + kPng +
                        R"(","mimeType":"image/png"},{"type":"resource","resource":{"uri":"test://mixed-content-resource",)"
                        R"("mimeType":"application/json","text":"{\"test\":\"data\",\"value\":123}"}}])");
    return 0;
}

int error_handling(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx, R"([{"type":"text","text":"This tool intentionally returns an error for testing"}])", 1);
    return 0;
}

// Ends the POST's SSE stream before the result (the client reconnects with Last-Event-ID).
int reconnection(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    const bool has_close = g_host->struct_size >= offsetof(fastmcp_server_host, close_sse_stream) +
                                                      sizeof(g_host->close_sse_stream) &&
                           g_host->close_sse_stream;
    if (has_close) g_host->close_sse_stream(g_host->ctx);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    respond_content(respond, ctx, R"([{"type":"text","text":"Reconnection test completed"}])");
    return 0;
}

int register_tools(const fastmcp_server_host *host) {
    g_host = host;
    constexpr const char *kNoArgs = R"({"type":"object","properties":{}})";
    const fastmcp_tool_desc tools[] = {
        {sizeof(fastmcp_tool_desc), "test_simple_text", "Returns one text block", kNoArgs, simple_text, nullptr},
        {sizeof(fastmcp_tool_desc), "test_image_content", "Returns a PNG image", kNoArgs, image_content, nullptr},
        {sizeof(fastmcp_tool_desc), "test_audio_content", "Returns a WAV clip", kNoArgs, audio_content, nullptr},
        {sizeof(fastmcp_tool_desc), "test_embedded_resource", "Returns an embedded text resource", kNoArgs,
         embedded_resource, nullptr},
        {sizeof(fastmcp_tool_desc), "test_multiple_content_types", "Returns text, image and resource", kNoArgs,
         multiple_content_types, nullptr},
        {sizeof(fastmcp_tool_desc), "test_error_handling", "Always returns an isError result", kNoArgs, error_handling,
         nullptr},
        {sizeof(fastmcp_tool_desc), "test_reconnection", "Closes its SSE stream mid-call, then answers", kNoArgs,
         reconnection, nullptr},
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
                                                 "fastmcp-cpp conformance fixtures",
                                                 "1.0.0",
                                                 register_tools,
                                                 nullptr};
    return &module;
}
