// Fuzz target: the MCP JSON-RPC request handler (fastmcp::host::Dispatcher::handle), with an echo
// tool, a tool with a required argument and a tool that throws.
// Input: the POST body; an optional first line "V:<MCP-Protocol-Version>\n" sets the header value
// (absent: the 2025-03-26 default), so batch and non-batch revisions are both explored.
// Invariants: parse_json (simdjson into nlohmann's tree) gives exactly nlohmann's parse of the
// body, verdict, values and types; nothing throws; the status is 200, 202 (empty body) or 400;
// every body is valid JSON made of JSON-RPC 2.0 responses (jsonrpc "2.0", exactly one of
// result/error, an id that is a string, an integer or null); a single request with a valid id gets
// that id back.
#include "fuzz_support.hpp"

#include "json_same.hpp"
#include "mcp/dispatcher.hpp"
#include "mcp/json_parse.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace {
constexpr const char *kTarget = "jsonrpc";
using fastmcp::fuzz::invariant_failed;
using nlohmann::json;

const fastmcp::host::Dispatcher &dispatcher() {
    static const fastmcp::host::Dispatcher *d = [] {
        std::map<std::string, fastmcp::Tool, std::less<>> tools;
        tools["echo"] = {
            "echo", "Echo text",
            json::parse(R"({"type":"object","properties":{"text":{"type":"string"}}})"),
            [](const json &args) {
                return fastmcp::ToolResult::text(args.value("text", std::string()));
            }};
        tools["need"] = {
            "need", "", json::parse(R"({"type":"object","required":["x"]})"),
            [](const json &args) { return fastmcp::ToolResult::text(args.at("x").dump()); }};
        tools["boom"] = {
            "boom", "Throws", json::object({{"type", "object"}}),
            [](const json &) -> fastmcp::ToolResult { throw std::runtime_error("boom"); }};
        return new fastmcp::host::Dispatcher({"fuzz", "0.0.0", "fuzzing"}, std::move(tools), 64,
                                             64);
    }();
    return *d;
}

void check_response(const json &r) {
    if (!r.is_object()) invariant_failed(kTarget, "a response that is not an object");
    if (!r.contains("jsonrpc") || r["jsonrpc"] != "2.0")
        invariant_failed(kTarget, "a response without jsonrpc 2.0");
    if (r.contains("result") == r.contains("error"))
        invariant_failed(kTarget, "not exactly one of result and error");
    if (!r.contains("id")) invariant_failed(kTarget, "a response without id");
    const json &id = r["id"];
    if (!(id.is_null() || id.is_string() || id.is_number_integer() || id.is_number_unsigned()))
        invariant_failed(kTarget, "a response id that is not a string, integer or null");
    if (r.contains("error") && (!r["error"].is_object() || !r["error"].contains("code") ||
                                !r["error"]["code"].is_number_integer()))
        invariant_failed(kTarget, "an error without an integer code");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view body = fastmcp::fuzz::as_view(data, size);
    std::string_view version = "2025-03-26";
    if (body.substr(0, 2) == "V:") {
        const size_t nl = body.find('\n');
        if (nl == std::string_view::npos) return 0;
        version = body.substr(2, nl - 2);
        body.remove_prefix(nl + 1);
    }
    const json fast = fastmcp::host::parse_json(body);
    const json reference = json::parse(body, nullptr, false);
    if (fast.is_discarded() != reference.is_discarded())
        invariant_failed(kTarget, "parse_json and nlohmann disagree on whether the body is JSON");
    if (!reference.is_discarded() && !fastmcp::fuzz::same_tree(fast, reference))
        invariant_failed(kTarget, "parse_json and nlohmann build different trees");
    const auto reply = dispatcher().handle(body, version);
    if (reply.http_status == 202) {
        if (!reply.body.empty()) invariant_failed(kTarget, "202 with a body");
        return 0;
    }
    if (reply.http_status != 200 && reply.http_status != 400)
        invariant_failed(kTarget, "unexpected HTTP status");
    const json out = json::parse(reply.body, nullptr, false);
    if (out.is_discarded()) invariant_failed(kTarget, "the reply is not valid JSON");
    if (out.is_array()) {
        if (out.empty()) invariant_failed(kTarget, "an empty batch reply");
        for (const auto &r : out)
            check_response(r);
        return 0;
    }
    check_response(out);
    // A well-formed single request gets its own id back.
    const json in = json::parse(body, nullptr, false);
    if (reply.http_status == 200 && in.is_object() && in.contains("id") &&
        (in["id"].is_string() || in["id"].is_number_integer() || in["id"].is_number_unsigned()) &&
        out["id"] != in["id"])
        invariant_failed(kTarget, "the reply id differs from the request id");
    return 0;
}
