// The fixtures of the MCP conformance suite (@modelcontextprotocol/conformance 0.1.11, server
// scenarios), as a server module on the plain C ABI (1.3):
//   fastmcp run build/examples/conformance.so --stateful --port 0
// Tools, resources, a resource template, prompts and completions. Logging, progress, sampling,
// elicitation and test_reconnection (SEP-1699) need `--stateful`: they talk to the client on the
// POST's SSE stream during the call.
#include "fastmcp/server_module.h"

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

const fastmcp_server_host *g_host = nullptr; // valid until the server stops

// A 1x1 PNG and a 44-byte silent WAV header, as fixed base64 literals.
constexpr const char *kPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFB"
                             "QIAX8jx0gAAAABJRU5ErkJggg==";
constexpr const char *kWav = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

void respond_content(fastmcp_tool_respond_fn respond, void *ctx, const std::string &content_json,
                     int is_error = 0) {
    fastmcp_tool_result r{};
    r.struct_size = sizeof r;
    r.is_error = is_error;
    r.content_json = {content_json.data(), content_json.size()};
    respond(ctx, &r);
}

int simple_text(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx,
                    R"([{"type":"text","text":"This is a simple text response for testing."}])");
    return 0;
}

int image_content(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx,
                    std::string(R"([{"type":"image","data":")") + kPng +
                        R"(","mimeType":"image/png"}])");
    return 0;
}

int audio_content(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(respond, ctx,
                    std::string(R"([{"type":"audio","data":")") + kWav +
                        R"(","mimeType":"audio/wav"}])");
    return 0;
}

int embedded_resource(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(
        respond, ctx,
        R"([{"type":"resource","resource":{"uri":"test://embedded-resource","mimeType":"text/plain",)"
        R"("text":"This is an embedded resource content."}}])");
    return 0;
}

int multiple_content_types(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(
        respond, ctx,
        std::string(
            R"([{"type":"text","text":"Multiple content types test:"},{"type":"image","data":")") +
            kPng +
            R"(","mimeType":"image/png"},{"type":"resource","resource":{"uri":"test://mixed-content-resource",)"
            R"("mimeType":"application/json","text":"{\"test\":\"data\",\"value\":123}"}}])");
    return 0;
}

int error_handling(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(
        respond, ctx,
        R"([{"type":"text","text":"This tool intentionally returns an error for testing"}])", 1);
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

bool host_has(size_t offset) { return g_host->struct_size >= offset + sizeof(void *); }
#define HOST_HAS(fn) (host_has(offsetof(fastmcp_server_host, fn)) && g_host->fn)

void log_info(const char *text) {
    if (!HOST_HAS(log_message)) return;
    const std::string data = std::string("\"") + text + "\"";
    g_host->log_message(g_host->ctx, FASTMCP_MCP_LOG_INFO, data.data(), data.size(), "conformance",
                        11);
}

int with_logging(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    log_info("Tool execution started");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log_info("Tool processing data");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log_info("Tool execution completed");
    respond_content(respond, ctx,
                    R"([{"type":"text","text":"Tool with logging executed successfully"}])");
    return 0;
}

int with_progress(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    for (int step = 0; step <= 2; ++step) {
        if (step) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (HOST_HAS(report_progress))
            g_host->report_progress(g_host->ctx, step * 50.0, 100.0, nullptr, 0);
    }
    respond_content(respond, ctx,
                    R"([{"type":"text","text":"Tool with progress executed successfully"}])");
    return 0;
}

// A JSON string literal for `text` (quotes and backslashes escaped; the fixtures are ASCII).
std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out += c;
    }
    return out + "\"";
}

// The value of a top-level string member of a flat JSON object (fixture arguments only).
std::string string_member(fastmcp_str json, const char *name) {
    const std::string text(json.data, json.size);
    const std::string key = std::string("\"") + name + "\"";
    size_t at = text.find(key);
    if (at == std::string::npos) return {};
    at = text.find('"', text.find(':', at + key.size()));
    if (at == std::string::npos) return {};
    std::string out;
    for (size_t i = at + 1; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        out += text[i];
    }
    return out;
}

void respond_client_answer(fastmcp_tool_respond_fn respond, void *ctx, const char *prefix,
                           int status, const fastmcp_client_result &r) {
    const std::string body(r.result_json.data, r.result_json.size);
    if (status != FASTMCP_CLIENT_OK) {
        respond_content(respond, ctx,
                        "[{\"type\":\"text\",\"text\":" +
                            json_string(std::string(prefix) + "failed: " + body) + "}]",
                        1);
        return;
    }
    respond_content(respond, ctx,
                    "[{\"type\":\"text\",\"text\":" + json_string(prefix + body) + "}]");
}

int sampling(void *, fastmcp_str args, fastmcp_tool_respond_fn respond, void *ctx) {
    const std::string params = R"({"messages":[{"role":"user","content":{"type":"text","text":)" +
                               json_string(string_member(args, "prompt")) +
                               R"(}}],"maxTokens":100})";
    fastmcp_client_result r{};
    r.struct_size = sizeof r;
    const int status = HOST_HAS(sample)
                           ? g_host->sample(g_host->ctx, params.data(), params.size(), 0, &r)
                           : FASTMCP_CLIENT_UNSUPPORTED;
    respond_client_answer(respond, ctx, "LLM response: ", status, r);
    return 0;
}

int elicit_with(fastmcp_tool_respond_fn respond, void *ctx, const std::string &message,
                const char *schema, const char *prefix) {
    fastmcp_client_result r{};
    r.struct_size = sizeof r;
    const int status = HOST_HAS(elicit)
                           ? g_host->elicit(g_host->ctx, message.data(), message.size(), schema,
                                            std::strlen(schema), 0, &r)
                           : FASTMCP_CLIENT_UNSUPPORTED;
    respond_client_answer(respond, ctx, prefix, status, r);
    return 0;
}

int elicitation(void *, fastmcp_str args, fastmcp_tool_respond_fn respond, void *ctx) {
    return elicit_with(
        respond, ctx, string_member(args, "message"),
        R"({"type":"object","properties":{"username":{"type":"string","description":"User's response"},)"
        R"("email":{"type":"string","description":"User's email address"}},"required":["username","email"]})",
        "User response: ");
}

int elicitation_defaults(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    return elicit_with(
        respond, ctx, "Please review and update the form fields with defaults",
        R"({"type":"object","properties":{)"
        R"("name":{"type":"string","description":"User name","default":"John Doe"},)"
        R"("age":{"type":"integer","description":"User age","default":30},)"
        R"("score":{"type":"number","description":"User score","default":95.5},)"
        R"("status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},)"
        R"("verified":{"type":"boolean","description":"Verification status","default":true}}})",
        "Elicitation completed: ");
}

int elicitation_enums(void *, fastmcp_str, fastmcp_tool_respond_fn respond, void *ctx) {
    return elicit_with(
        respond, ctx, "Please select options from the enum fields",
        R"({"type":"object","properties":{)"
        R"("untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},)"
        R"("titledSingle":{"type":"string","description":"Select one option with titles","oneOf":[)"
        R"({"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},)"
        R"("legacyEnum":{"type":"string","description":"Select one option, legacy style","enum":["opt1","opt2","opt3"],)"
        R"("enumNames":["Option One","Option Two","Option Three"]},)"
        R"("untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,)"
        R"("items":{"type":"string","enum":["option1","option2","option3"]}},)"
        R"("titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,)"
        R"("items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},)"
        R"({"const":"value3","title":"Third Choice"}]}}}})",
        "Elicitation completed: ");
}

int json_schema_tool(void *, fastmcp_str args, fastmcp_tool_respond_fn respond, void *ctx) {
    respond_content(
        respond, ctx,
        "[{\"type\":\"text\",\"text\":" + json_string(std::string(args.data, args.size)) + "}]");
    return 0;
}

// ---- resources ----

void respond_resource(fastmcp_resource_respond_fn respond, void *ctx, const std::string &mime,
                      const std::string &data, int is_blob) {
    fastmcp_resource_content c{};
    c.struct_size = sizeof c;
    c.mime_type = {mime.data(), mime.size()};
    c.is_blob = is_blob;
    c.data = {data.data(), data.size()};
    fastmcp_resource_result r{};
    r.struct_size = sizeof r;
    r.contents = &c;
    r.content_count = 1;
    respond(ctx, &r);
}

int static_text(void *, fastmcp_str, fastmcp_str, fastmcp_resource_respond_fn respond, void *ctx) {
    respond_resource(respond, ctx, "text/plain", "This is the content of the static text resource.",
                     0);
    return 0;
}

int static_binary(void *, fastmcp_str, fastmcp_str, fastmcp_resource_respond_fn respond,
                  void *ctx) {
    // The 1x1 PNG's bytes: the host base64-encodes a blob.
    static const unsigned char png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
        0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
        0xda, 0x63, 0xfc, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x05, 0x02, 0x00, 0x5f, 0xc8,
        0xf1, 0xd2, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    respond_resource(respond, ctx, "image/png",
                     std::string(reinterpret_cast<const char *>(png), sizeof png), 1);
    return 0;
}

int watched(void *, fastmcp_str, fastmcp_str, fastmcp_resource_respond_fn respond, void *ctx) {
    respond_resource(respond, ctx, "text/plain", "Watched resource content", 0);
    return 0;
}

int template_data(void *, fastmcp_str, fastmcp_str vars, fastmcp_resource_respond_fn respond,
                  void *ctx) {
    const std::string id = string_member(vars, "id");
    respond_resource(respond, ctx, "application/json",
                     "{\"id\":" + json_string(id) + ",\"templateTest\":true,\"data\":" +
                         json_string("Data for ID: " + id) + "}",
                     0);
    return 0;
}

// ---- prompts ----

void respond_prompt(fastmcp_prompt_respond_fn respond, void *ctx, const std::string &messages) {
    fastmcp_prompt_result r{};
    r.struct_size = sizeof r;
    r.messages_json = {messages.data(), messages.size()};
    respond(ctx, &r);
}

int simple_prompt(void *, fastmcp_str, fastmcp_prompt_respond_fn respond, void *ctx) {
    respond_prompt(
        respond, ctx,
        R"([{"role":"user","content":{"type":"text","text":"This is a simple prompt for testing."}}])");
    return 0;
}

int prompt_with_arguments(void *, fastmcp_str args, fastmcp_prompt_respond_fn respond, void *ctx) {
    const std::string text = "Prompt with arguments: arg1='" + string_member(args, "arg1") +
                             "', arg2='" + string_member(args, "arg2") + "'";
    respond_prompt(
        respond, ctx,
        "[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":" + json_string(text) + "}}]");
    return 0;
}

int prompt_with_embedded_resource(void *, fastmcp_str args, fastmcp_prompt_respond_fn respond,
                                  void *ctx) {
    respond_prompt(
        respond, ctx,
        "[{\"role\":\"user\",\"content\":{\"type\":\"resource\",\"resource\":{\"uri\":" +
            json_string(string_member(args, "resourceUri")) +
            R"(,"mimeType":"text/plain","text":"Embedded resource content for testing."}}},)"
            R"({"role":"user","content":{"type":"text","text":"Please process the embedded resource above."}}])");
    return 0;
}

int prompt_with_image(void *, fastmcp_str, fastmcp_prompt_respond_fn respond, void *ctx) {
    respond_prompt(
        respond, ctx,
        std::string(R"([{"role":"user","content":{"type":"image","data":")") + kPng +
            R"(","mimeType":"image/png"}},{"role":"user","content":{"type":"text","text":"Please analyze the image above."}}])");
    return 0;
}

// Completes arg1 (and template ids) from a fixed list by prefix.
int complete_values(void *, fastmcp_str, fastmcp_str value, fastmcp_str,
                    fastmcp_completion_respond_fn respond, void *ctx) {
    static const char *const kWords[] = {"paris", "park", "party", "test", "testing", "tests"};
    const std::string prefix(value.data, value.size);
    std::vector<fastmcp_str> out;
    for (const char *w : kWords)
        if (std::strncmp(w, prefix.c_str(), prefix.size()) == 0) out.push_back({w, std::strlen(w)});
    fastmcp_completion_result r{};
    r.struct_size = sizeof r;
    r.values = out.data();
    r.value_count = out.size();
    r.total = static_cast<int64_t>(out.size());
    respond(ctx, &r);
    return 0;
}

int register_tools(const fastmcp_server_host *host) {
    g_host = host;
    constexpr const char *kNoArgs = R"({"type":"object","properties":{}})";
    auto tool = [&](const char *name, const char *description, const char *schema,
                    fastmcp_tool_fn fn) {
        fastmcp_tool_desc t{};
        t.struct_size = sizeof t;
        t.name = name;
        t.description = description;
        t.input_schema_json = schema;
        t.handler = fn;
        return host->add_tool(host->ctx, &t);
    };
    if (tool("test_simple_text", "Returns one text block", kNoArgs, simple_text) ||
        tool("test_image_content", "Returns a PNG image", kNoArgs, image_content) ||
        tool("test_audio_content", "Returns a WAV clip", kNoArgs, audio_content) ||
        tool("test_embedded_resource", "Returns an embedded text resource", kNoArgs,
             embedded_resource) ||
        tool("test_multiple_content_types", "Returns text, image and resource", kNoArgs,
             multiple_content_types) ||
        tool("test_error_handling", "Always returns an isError result", kNoArgs, error_handling) ||
        tool("test_reconnection", "Closes its SSE stream mid-call, then answers", kNoArgs,
             reconnection))
        return 1;
    if (!HOST_HAS(add_prompt)) return 0; // a 1.2 host: the tools above only

    constexpr const char *kPrompt =
        R"({"type":"object","properties":{"prompt":{"type":"string"}},"required":["prompt"]})";
    constexpr const char *kMessage =
        R"({"type":"object","properties":{"message":{"type":"string"}},"required":["message"]})";
    constexpr const char *k2020 =
        R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",)"
        R"("$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},)"
        R"("properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false})";
    if (tool("test_tool_with_logging", "Sends three log notifications during the call", kNoArgs,
             with_logging) ||
        tool("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100", kNoArgs,
             with_progress) ||
        tool("test_sampling", "Asks the client's LLM (sampling/createMessage)", kPrompt,
             sampling) ||
        tool("test_elicitation", "Asks the user for input (elicitation/create)", kMessage,
             elicitation) ||
        tool("test_elicitation_sep1034_defaults",
             "Elicitation with defaults for every primitive type", kNoArgs, elicitation_defaults) ||
        tool("test_elicitation_sep1330_enums", "Elicitation with the five enum schema variants",
             kNoArgs, elicitation_enums) ||
        tool("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features", k2020,
             json_schema_tool))
        return 1;

    auto resource = [&](bool is_template, const char *uri, const char *name,
                        const char *description, const char *mime, fastmcp_resource_fn fn,
                        fastmcp_completion_fn complete) {
        fastmcp_resource_desc r{};
        r.struct_size = sizeof r;
        r.uri = uri;
        r.name = name;
        r.description = description;
        r.mime_type = mime;
        r.handler = fn;
        r.complete = complete;
        return is_template ? host->add_resource_template(host->ctx, &r)
                           : host->add_resource(host->ctx, &r);
    };
    if (resource(false, "test://static-text", "Static Text Resource",
                 "A static text resource for testing", "text/plain", static_text, nullptr) ||
        resource(false, "test://static-binary", "Static Binary Resource",
                 "A static binary resource (PNG)", "image/png", static_binary, nullptr) ||
        resource(false, "test://watched-resource", "Watched Resource",
                 "A resource clients can subscribe to", "text/plain", watched, nullptr) ||
        resource(true, "test://template/{id}/data", "Resource Template",
                 "A resource template with an id", "application/json", template_data,
                 complete_values))
        return 1;

    static const fastmcp_prompt_argument kArgs[] = {
        {sizeof(fastmcp_prompt_argument), "arg1", "First test argument", 1, nullptr},
        {sizeof(fastmcp_prompt_argument), "arg2", "Second test argument", 1, nullptr},
    };
    static const fastmcp_prompt_argument kUri[] = {
        {sizeof(fastmcp_prompt_argument), "resourceUri", "URI of the resource to embed", 1,
         nullptr},
    };
    auto prompt = [&](const char *name, const char *description,
                      const fastmcp_prompt_argument *args, size_t n, fastmcp_prompt_fn fn,
                      fastmcp_completion_fn complete) {
        fastmcp_prompt_desc p{};
        p.struct_size = sizeof p;
        p.name = name;
        p.description = description;
        p.arguments = args;
        p.argument_count = n;
        p.handler = fn;
        p.complete = complete;
        return host->add_prompt(host->ctx, &p);
    };
    if (prompt("test_simple_prompt", "A simple prompt without arguments", nullptr, 0, simple_prompt,
               nullptr) ||
        prompt("test_prompt_with_arguments", "A prompt with two required arguments", kArgs, 2,
               prompt_with_arguments, complete_values) ||
        prompt("test_prompt_with_embedded_resource", "A prompt that embeds a resource", kUri, 1,
               prompt_with_embedded_resource, nullptr) ||
        prompt("test_prompt_with_image", "A prompt with an image", nullptr, 0, prompt_with_image,
               nullptr))
        return 1;
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
