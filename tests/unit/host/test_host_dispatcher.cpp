// The JSON-RPC dispatcher, without HTTP.
#include <doctest/doctest.h>

#include "mcp/dispatcher.hpp"
#include "server/request_context.hpp"

using namespace fastmcp;
using namespace fastmcp::host;
using nlohmann::json;

namespace {

Dispatcher make() {
    std::map<std::string, Tool, std::less<>> tools;
    tools.emplace("echo", Tool{"echo", "Echo", json::parse(R"({"type":"object","required":["text"]})"),
                               [](const json &a) { return ToolResult::text(a.at("text").get<std::string>()); }});
    tools.emplace("boom", Tool{"boom", "", json::parse(R"({"type":"object"})"),
                               [](const json &) -> ToolResult { throw std::runtime_error("kaput"); }});
    tools.emplace("rich", Tool{"rich", "", json::parse(R"({"type":"object"})"), [](const json &) {
                                   ToolResult r;
                                   r.add_text("t").add_image("aGk=", "image/png").add_resource("file:///a", "body");
                                   return r;
                               }});
    tools.emplace("who", Tool{"who", "", json::parse(R"({"type":"object"})"), [](const json &) {
                                  auto t = get_access_token();
                                  return ToolResult::text(t ? t->subject : "nobody");
                              }});
    return Dispatcher({"Test", "1.2.3", "be nice"}, std::move(tools), 8, 4);
}

json result_of(const DispatchReply &r) { return json::parse(r.body); }

} // namespace

TEST_CASE("initialize echoes a supported version, else answers the latest") {
    auto d = make();
    auto r = d.handle(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})", "2025-06-18");
    CHECK(r.http_status == 200);
    json j = result_of(r);
    CHECK(j["result"]["protocolVersion"] == "2025-03-26");
    CHECK(j["result"]["serverInfo"] == json{{"name", "Test"}, {"version", "1.2.3"}});
    CHECK(j["result"]["instructions"] == "be nice");
    r = d.handle(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-01-01"}})", "2025-06-18");
    CHECK(result_of(r)["result"]["protocolVersion"] == "2025-06-18");
}

TEST_CASE("ids are echoed exactly; invalid ids are refused") {
    auto d = make();
    CHECK(result_of(d.handle(R"({"jsonrpc":"2.0","id":"x-1","method":"ping"})", "2025-06-18"))["id"] == "x-1");
    CHECK(result_of(d.handle(R"({"jsonrpc":"2.0","id":12345678901,"method":"ping"})", "2025-06-18"))["id"] == 12345678901);
    auto r = d.handle(R"({"jsonrpc":"2.0","id":null,"method":"ping"})", "2025-06-18");
    CHECK(r.http_status == 400);
    CHECK(result_of(r)["error"]["code"] == kInvalidRequest);
    r = d.handle(R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})", "2025-06-18");
    CHECK(result_of(r)["error"]["code"] == kInvalidRequest);
}

TEST_CASE("notifications get no reply, even for unknown methods") {
    auto d = make();
    CHECK(d.handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", "2025-06-18").http_status == 202);
    CHECK(d.handle(R"({"jsonrpc":"2.0","method":"whatever"})", "2025-06-18").body.empty());
}

TEST_CASE("error codes") {
    auto d = make();
    CHECK(result_of(d.handle("{", "2025-06-18"))["error"]["code"] == kParseError);
    CHECK(result_of(d.handle("", "2025-06-18"))["error"]["code"] == kParseError);
    CHECK(result_of(d.handle(R"({"jsonrpc":"2.0","id":1})", "2025-06-18"))["error"]["code"] == kInvalidRequest);
    CHECK(result_of(d.handle(R"({"jsonrpc":"2.0","id":1,"method":5})", "2025-06-18"))["error"]["code"] == kInvalidRequest);
    CHECK(result_of(d.handle(R"({"id":1,"method":"ping"})", "2025-06-18"))["error"]["code"] == kInvalidRequest);
    auto r = d.handle(R"({"jsonrpc":"2.0","id":1,"method":"nope"})", "2025-06-18");
    CHECK(r.http_status == 200);
    CHECK(result_of(r)["error"]["code"] == kMethodNotFound);
    CHECK(result_of(d.handle(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})", "2025-06-18"))["error"]["code"] ==
          kInvalidParams);
    CHECK(result_of(d.handle(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"zzz"}})", "2025-06-18"))
              ["error"]["code"] == kInvalidParams);
    CHECK(result_of(d.handle(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}})", "2025-06-18"))
              ["error"]["code"] == kInvalidParams);
}

TEST_CASE("nesting beyond the limit is refused before parsing") {
    auto d = make();
    auto r = d.handle(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":[[[[[[[[[]]]]]]]]]}})", "2025-06-18");
    CHECK(r.http_status == 400);
    CHECK(result_of(r)["error"]["code"] == kParseError);
    // Brackets inside strings do not count.
    r = d.handle(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"[[[[[[[[[[[["}}})",
                 "2025-06-18");
    CHECK(result_of(r)["result"]["content"][0]["text"] == "[[[[[[[[[[[[");
}

TEST_CASE("tools/call: content kinds, exceptions become isError results") {
    auto d = make();
    json rich = result_of(d.handle(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"rich"}})", "2025-06-18"));
    auto &c = rich["result"]["content"];
    CHECK(c[0]["type"] == "text");
    CHECK(c[1] == json{{"type", "image"}, {"data", "aGk="}, {"mimeType", "image/png"}});
    CHECK(c[2]["resource"]["uri"] == "file:///a");
    CHECK(c[2]["resource"]["text"] == "body");
    json boom = result_of(d.handle(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"boom"}})", "2025-06-18"));
    CHECK(boom["result"]["isError"] == true);
    CHECK(boom["result"]["content"][0]["text"].get<std::string>().find("kaput") != std::string::npos);
}

TEST_CASE("the request scope is what get_access_token() sees") {
    auto d = make();
    const char *call = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"who"}})";
    CHECK(result_of(d.handle(call, "2025-06-18"))["result"]["content"][0]["text"] == "nobody");
    auto token = std::make_shared<AccessToken>();
    token->subject = "alice";
    {
        RequestScope scope(token);
        CHECK(result_of(d.handle(call, "2025-06-18"))["result"]["content"][0]["text"] == "alice");
    }
    CHECK(get_access_token() == nullptr);
}

TEST_CASE("batches per protocol version") {
    auto d = make();
    const char *batch = R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"n"},5])";
    auto r = d.handle(batch, "2025-03-26");
    CHECK(r.http_status == 200);
    json arr = result_of(r);
    CHECK(arr.size() == 2);
    CHECK(arr[1]["error"]["code"] == kInvalidRequest);
    CHECK(d.handle(batch, "2025-06-18").http_status == 400);
    CHECK(d.handle(batch, "2025-11-25").http_status == 400);
    CHECK(d.handle(R"([1,2,3,4,5])", "2025-03-26").http_status == 400); // over the batch limit of 4
}
