// The fixtures of the MCP conformance suite (@modelcontextprotocol/conformance 0.1.11, server
// scenarios), as a server module on the C++ authoring layer (fastmcp/module.hpp):
//   fastmcp run build/examples/conformance.so --stateful --port 0
// Tools, resources, a resource template, prompts and completions. Logging, progress, sampling,
// elicitation and test_reconnection (SEP-1699) need `--stateful`: they talk to the client on the
// POST's SSE stream during the call.
#include "fastmcp/module.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace fastmcp::module;
using nlohmann::json;

namespace {

// A 1x1 PNG and a 44-byte silent WAV header, as fixed base64 literals.
constexpr const char *kPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFB"
                             "QIAX8jx0gAAAABJRU5ErkJggg==";
constexpr const char *kWav = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

// The same 1x1 PNG as bytes, for the blob resource (the host base64-encodes a blob).
constexpr unsigned char kPngBytes[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
    0xda, 0x63, 0xfc, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x05, 0x02, 0x00, 0x5f, 0xc8,
    0xf1, 0xd2, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

constexpr const char *kNoArgs = R"({"type":"object","properties":{}})";

// "<prefix><the client's answer as JSON>", or an isError "<prefix>failed: <the host's answer>"
// (the suite's sampling and elicitation scenarios read the answer back from this text).
template <class Ask> ToolResult client_answer(const std::string &prefix, Ask ask) {
    try {
        return ToolResult::text(prefix +
                                ask().dump(-1, ' ', false, json::error_handler_t::replace));
    } catch (const ClientRequestError &e) {
        return ToolResult::error(prefix + "failed: " + e.answer);
    }
}

ToolResult elicit_with(Context &ctx, const std::string &message, const char *schema,
                       const std::string &prefix) {
    return client_answer(prefix, [&] { return ctx.elicit(message, json::parse(schema)).result; });
}

// Completes arg1 (and template ids) from a fixed list by prefix.
Completion complete_values(const std::string &, const std::string &prefix) {
    Completion c;
    for (const char *w : {"paris", "park", "party", "test", "testing", "tests"})
        if (std::string_view(w).substr(0, prefix.size()) == prefix) c.values.emplace_back(w);
    c.total = static_cast<long long>(c.values.size());
    return c;
}

void add_tools(Server &server) {
    server
        .tool("test_simple_text", "Returns one text block",
              [] { return std::string("This is a simple text response for testing."); })
        .input_schema(kNoArgs);
    server
        .tool("test_image_content", "Returns a PNG image",
              [] { return ToolResult().add_image(kPng, "image/png"); })
        .input_schema(kNoArgs);
    server
        .tool("test_audio_content", "Returns a WAV clip",
              [] { return ToolResult().add_audio(kWav, "audio/wav"); })
        .input_schema(kNoArgs);
    server
        .tool("test_embedded_resource", "Returns an embedded text resource",
              [] {
                  return ToolResult().add_resource("test://embedded-resource", "text/plain",
                                                   "This is an embedded resource content.");
              })
        .input_schema(kNoArgs);
    server
        .tool("test_multiple_content_types", "Returns text, image and resource",
              [] {
                  return ToolResult()
                      .add_text("Multiple content types test:")
                      .add_image(kPng, "image/png")
                      .add_resource("test://mixed-content-resource", "application/json",
                                    R"({"test":"data","value":123})");
              })
        .input_schema(kNoArgs);
    server
        .tool("test_error_handling", "Always returns an isError result",
              [] {
                  return ToolResult::error("This tool intentionally returns an error for testing");
              })
        .input_schema(kNoArgs);
    // Ends the POST's SSE stream before the result (the client reconnects with Last-Event-ID).
    server
        .tool("test_reconnection", "Closes its SSE stream mid-call, then answers",
              [](Context &ctx) {
                  ctx.close_sse_stream();
                  std::this_thread::sleep_for(std::chrono::milliseconds(200));
                  return std::string("Reconnection test completed");
              })
        .input_schema(kNoArgs);
}

void add_session_tools(Server &server) {
    server
        .tool("test_tool_with_logging", "Sends three log notifications during the call",
              [](Context &ctx) {
                  ctx.log(LogLevel::info, "Tool execution started", "conformance");
                  std::this_thread::sleep_for(std::chrono::milliseconds(50));
                  ctx.log(LogLevel::info, "Tool processing data", "conformance");
                  std::this_thread::sleep_for(std::chrono::milliseconds(50));
                  ctx.log(LogLevel::info, "Tool execution completed", "conformance");
                  return std::string("Tool with logging executed successfully");
              })
        .input_schema(kNoArgs);
    server
        .tool("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100",
              [](Context &ctx) {
                  for (int step = 0; step <= 2; ++step) {
                      if (step) std::this_thread::sleep_for(std::chrono::milliseconds(50));
                      ctx.report_progress(step * 50.0, 100.0);
                  }
                  return std::string("Tool with progress executed successfully");
              })
        .input_schema(kNoArgs);
    server
        .tool("test_sampling", "Asks the client's LLM (sampling/createMessage)",
              [](const Args &args, Context &ctx) {
                  const json params = {
                      {"messages",
                       json::array({{{"role", "user"},
                                     {"content",
                                      {{"type", "text"},
                                       {"text", args.get<std::string>("prompt", "")}}}}})},
                      {"maxTokens", 100}};
                  return client_answer("LLM response: ", [&] { return ctx.sample(params); });
              })
        .input_schema(
            R"({"type":"object","properties":{"prompt":{"type":"string"}},"required":["prompt"]})");
    server
        .tool(
            "test_elicitation", "Asks the user for input (elicitation/create)",
            [](const Args &args, Context &ctx) {
                return elicit_with(
                    ctx, args.get<std::string>("message", ""),
                    R"({"type":"object","properties":{"username":{"type":"string","description":"User's response"},)"
                    R"("email":{"type":"string","description":"User's email address"}},"required":["username","email"]})",
                    "User response: ");
            })
        .input_schema(
            R"({"type":"object","properties":{"message":{"type":"string"}},"required":["message"]})");
    server
        .tool(
            "test_elicitation_sep1034_defaults",
            "Elicitation with defaults for every primitive type",
            [](Context &ctx) {
                return elicit_with(
                    ctx, "Please review and update the form fields with defaults",
                    R"({"type":"object","properties":{)"
                    R"("name":{"type":"string","description":"User name","default":"John Doe"},)"
                    R"("age":{"type":"integer","description":"User age","default":30},)"
                    R"("score":{"type":"number","description":"User score","default":95.5},)"
                    R"("status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},)"
                    R"("verified":{"type":"boolean","description":"Verification status","default":true}}})",
                    "Elicitation completed: ");
            })
        .input_schema(kNoArgs);
    server
        .tool(
            "test_elicitation_sep1330_enums", "Elicitation with the five enum schema variants",
            [](Context &ctx) {
                return elicit_with(
                    ctx, "Please select options from the enum fields",
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
            })
        .input_schema(kNoArgs);
    // Echoes its arguments (as JSON text); the scenario checks the schema in tools/list.
    server
        .tool("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
              [](const Args &args) {
                  return ToolResult::text(
                      args.json().dump(-1, ' ', false, json::error_handler_t::replace));
              })
        .input_schema(
            R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",)"
            R"("$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},)"
            R"("properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false})");
}

void add_resources(Server &server) {
    server
        .resource("test://static-text", "Static Text Resource",
                  [] {
                      return ResourceContent::text(
                          "This is the content of the static text resource.", "text/plain");
                  })
        .description("A static text resource for testing")
        .mime_type("text/plain");
    server
        .resource("test://static-binary", "Static Binary Resource",
                  [] {
                      return ResourceContent::blob(
                          std::string(reinterpret_cast<const char *>(kPngBytes), sizeof kPngBytes),
                          "image/png");
                  })
        .description("A static binary resource (PNG)")
        .mime_type("image/png");
    server
        .resource("test://watched-resource", "Watched Resource",
                  [] { return ResourceContent::text("Watched resource content", "text/plain"); })
        .description("A resource clients can subscribe to")
        .mime_type("text/plain");
    server
        .resource_template("test://template/{id}/data", "Resource Template",
                           [](const Args &vars) {
                               // Written out: the fixture's key order (id, templateTest, data).
                               const std::string id = vars.get<std::string>("id", "");
                               return ResourceContent::text("{\"id\":" + json(id).dump() +
                                                                ",\"templateTest\":true,\"data\":" +
                                                                json("Data for ID: " + id).dump() +
                                                                "}",
                                                            "application/json");
                           })
        .description("A resource template with an id")
        .mime_type("application/json")
        .complete(complete_values);
}

void add_prompts(Server &server) {
    server.prompt("test_simple_prompt", "A simple prompt without arguments",
                  [] { return std::string("This is a simple prompt for testing."); });
    server
        .prompt("test_prompt_with_arguments", "A prompt with two required arguments",
                [](const Args &args) {
                    return "Prompt with arguments: arg1='" + args.get<std::string>("arg1", "") +
                           "', arg2='" + args.get<std::string>("arg2", "") + "'";
                })
        .argument("arg1", "First test argument")
        .argument("arg2", "Second test argument")
        .complete(complete_values);
    server
        .prompt("test_prompt_with_embedded_resource", "A prompt that embeds a resource",
                [](const Args &args) {
                    return std::vector<PromptMessage>{
                        PromptMessage::resource(args.get<std::string>("resourceUri", ""),
                                                "text/plain",
                                                "Embedded resource content for testing."),
                        PromptMessage::user("Please process the embedded resource above.")};
                })
        .argument("resourceUri", "URI of the resource to embed");
    server.prompt("test_prompt_with_image", "A prompt with an image", [] {
        return std::vector<PromptMessage>{PromptMessage::image(kPng, "image/png"),
                                          PromptMessage::user("Please analyze the image above.")};
    });
}

} // namespace

FASTMCP_MODULE(server, "fastmcp-cpp conformance fixtures", "1.0.0") {
    add_tools(server);
    if (!server.speaks_1_3()) return; // a 1.2 host: the tools above only
    add_session_tools(server);
    add_resources(server);
    add_prompts(server);
}
