// Tools through the authoring layer, driven by a fake host: what is registered, what each kind of
// handler answers, and that every call gets exactly one answer whatever the handler does.
#include "fake_host.hpp"

#include "fastmcp/module.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace fastmcp::module;
using nlohmann::json;

namespace {

struct Fixture {
    fake::Host host;
    Server server{&host.api};
    explicit Fixture(unsigned minor = FASTMCP_SERVER_MODULE_ABI_MINOR) : host(minor) {}
};

} // namespace

TEST_CASE("a tool's description, schema built from arguments, title, annotations, outputSchema and "
          "scopes reach the host") {
    Fixture f;
    f.server
        .tool("add", "Add two numbers",
              [](const Args &a) { return a.get<double>("a") + a.get<double>("b"); })
        .title("Adder")
        .argument("a", "number", "first")
        .argument("b", "number")
        .argument("note", "string", "", false)
        .annotations({{"readOnlyHint", true}})
        .output_schema({{"type", "object"}, {"properties", {{"sum", {{"type", "number"}}}}}})
        .scopes({"math:use", "beta"});
    REQUIRE(f.server.install() == 0);
    const fake::Tool &t = f.host.tools.at("add");
    CHECK(t.description == "Add two numbers");
    CHECK(t.title == "Adder");
    CHECK(t.input_schema ==
          json::parse(R"({"type":"object","properties":{"a":{"type":"number","description":"first"},
        "b":{"type":"number"},"note":{"type":"string"}},"required":["a","b"]})"));
    CHECK(json::parse(t.annotations) == json{{"readOnlyHint", true}});
    CHECK(json::parse(t.output_schema)["properties"]["sum"]["type"] == "number");
    CHECK(t.scopes == std::vector<std::string>{"math:use", "beta"});
}

TEST_CASE("a tool without settings: no title, annotations, outputSchema or scopes; schema {type: "
          "object}") {
    Fixture f;
    f.server.tool("ping", "", [] { return std::string("pong"); });
    REQUIRE(f.server.install() == 0);
    const fake::Tool &t = f.host.tools.at("ping");
    CHECK(t.input_schema == json{{"type", "object"}});
    CHECK(t.title.empty());
    CHECK(t.annotations.empty());
    CHECK(t.output_schema.empty());
    CHECK(t.scopes.empty());
}

TEST_CASE("what a handler returns becomes one answer: string, json object, json scalar, "
          "ToolResult, void") {
    Fixture f;
    f.server.tool("text", "", [](const Args &a) { return "hi " + a.get<std::string>("who"); });
    f.server.tool("object", "", [] { return json{{"sum", 5}}; });
    f.server.tool("scalar", "", [] { return json(42); });
    f.server.tool("rich", "", [] {
        return ToolResult::text("look")
            .add_image("iVBORw0KGgo=", "image/png")
            .add_resource("test://r", "text/plain", "body");
    });
    f.server.tool("nothing", "", [](Context &) {});
    REQUIRE(f.server.install() == 0);

    auto a = f.host.call("text", R"({"who":"Ada"})");
    CHECK(a.responses == 1);
    CHECK_FALSE(a.is_error);
    CHECK(a.text() == "hi Ada");

    a = f.host.call("object");
    CHECK(a.structured == json{{"sum", 5}});
    CHECK(json::parse(a.text()) == json{{"sum", 5}});

    a = f.host.call("scalar");
    CHECK(a.text() == "42");
    CHECK(a.structured.is_null());

    a = f.host.call("rich");
    REQUIRE(a.content.size() == 3);
    CHECK(a.content[1] ==
          json{{"type", "image"}, {"data", "iVBORw0KGgo="}, {"mimeType", "image/png"}});
    CHECK(a.content[2]["resource"]["uri"] == "test://r");

    a = f.host.call("nothing");
    CHECK(a.responses == 1);
    CHECK_FALSE(a.is_error);
    CHECK(a.content == json::array());
}

TEST_CASE("a handler that throws: an isError result, never an exception across the ABI") {
    Fixture f;
    f.server.tool("tool_error", "", []() -> std::string { throw ToolError("quota exceeded"); });
    f.server.tool("runtime", "", []() -> std::string { throw std::runtime_error("db down"); });
    f.server.tool("int", "", []() -> std::string { throw 42; });
    f.server.tool("needs_arg", "", [](const Args &a) { return a.get<std::string>("body"); });
    REQUIRE(f.server.install() == 0);

    auto a = f.host.call("tool_error");
    CHECK(a.responses == 1);
    CHECK(a.is_error);
    CHECK(a.text() == "quota exceeded"); // a ToolError's message, verbatim
    CHECK(a.rc == 0);

    a = f.host.call("runtime");
    CHECK(a.responses == 1);
    CHECK(a.is_error);
    CHECK(a.text() == "tool runtime failed: db down");
    CHECK(f.host.server_log.back() == "tool runtime threw: db down");

    a = f.host.call("int");
    CHECK(a.responses == 1);
    CHECK(a.is_error);
    CHECK(a.text() == "tool int failed");

    a = f.host.call("needs_arg");
    CHECK(a.is_error);
    CHECK(a.text() == "missing required argument 'body'");

    a = f.host.call("needs_arg", "[1,2]");
    CHECK(a.is_error);
    CHECK(a.text() == "tool needs_arg: arguments must be a JSON object");

    f.server.mask_error_details(true);
    a = f.host.call("runtime");
    CHECK(a.text() == "tool runtime failed"); // masked: the message stays in the server log
    CHECK(f.host.call("tool_error").text() == "quota exceeded");
}

TEST_CASE(
    "a handler that never responds still yields exactly one answer; a second answer is dropped") {
    Fixture f;
    f.server.tool("silent", "", [](const Args &, Context &, Reply &) {});
    f.server.tool("twice", "", [](const Args &, Context &, Reply &r) {
        CHECK(r.send(ToolResult::text("first")));
        CHECK_FALSE(r.send(ToolResult::text("second")));
    });
    f.server.tool("answers_then_throws", "", [](const Args &, Context &, Reply &r) {
        r.send(ToolResult::text("done"));
        throw std::runtime_error("late failure");
    });
    REQUIRE(f.server.install() == 0);

    auto a = f.host.call("silent");
    CHECK(a.responses == 1);
    CHECK(a.is_error);
    CHECK(a.text() == "tool silent gave no result");

    a = f.host.call("twice");
    CHECK(a.responses == 1);
    CHECK(a.text() == "first");

    a = f.host.call("answers_then_throws");
    CHECK(a.responses == 1);
    CHECK_FALSE(a.is_error);
    CHECK(a.text() == "done");
}

TEST_CASE("Context: the caller's token, client logging, progress, cancellation") {
    Fixture f;
    f.server.tool("ctx", "", [](Context &ctx) {
        const auto t = ctx.get_access_token();
        ctx.info("working");
        ctx.log(LogLevel::warning, json{{"step", 1}}, "worker");
        ctx.report_progress(1, 2, "half");
        ctx.report_progress(2);
        return json{{"subject", t ? t->subject : "anonymous"},
                    {"scoped", t && t->has_scope("notes:read")},
                    {"claims_sub", t ? t->claims.value("sub", "") : ""},
                    {"cancelled", ctx.is_cancelled()}};
    });
    REQUIRE(f.server.install() == 0);

    auto a = f.host.call("ctx");
    CHECK(a.structured["subject"] == "anonymous"); // auth off
    f.host.token.emplace();
    f.host.token->scopes = {"notes:read"};
    f.host.cancelled = true;
    a = f.host.call("ctx");
    CHECK(a.structured == json{{"subject", "user-1"},
                               {"scoped", true},
                               {"claims_sub", "user-1"},
                               {"cancelled", true}});
    REQUIRE(f.host.client_log.size() == 4);
    CHECK(f.host.client_log[0] ==
          json{{"level", FASTMCP_MCP_LOG_INFO}, {"data", "working"}, {"logger", ""}});
    CHECK(f.host.client_log[1] ==
          json{{"level", FASTMCP_MCP_LOG_WARNING}, {"data", {{"step", 1}}}, {"logger", "worker"}});
    CHECK(f.host.progress[0] == json{{"progress", 1.0}, {"total", 2.0}, {"message", "half"}});
    CHECK(f.host.progress[1] ==
          json{{"progress", 2.0}, {"total", -1.0}, {"message", ""}}); // total unknown
}

TEST_CASE(
    "Context: elicit and sample return the client's answer, or a clear tool error without one") {
    Fixture f;
    f.server.tool("ask", "", [](Context &ctx) {
        const Elicitation e = ctx.elicit(
            "Your name?", {{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}});
        return e.accepted() ? "hello " + e.content.value("name", "") : "declined: " + e.action;
    });
    f.server.tool("llm", "", [](Context &ctx) { return ctx.sample_text("What is 2+2?", 16); });
    REQUIRE(f.server.install() == 0);

    f.host.client_answer = R"({"action":"accept","content":{"name":"Ada"}})";
    CHECK(f.host.call("ask").text() == "hello Ada");
    CHECK(f.host.last_elicit_message == "Your name?");
    CHECK(json::parse(f.host.last_elicit_schema)["properties"]["name"]["type"] == "string");
    f.host.client_answer = R"({"action":"decline"})";
    CHECK(f.host.call("ask").text() == "declined: decline");

    f.host.client_answer =
        R"({"role":"assistant","content":{"type":"text","text":"4"},"model":"m"})";
    CHECK(f.host.call("llm").text() == "4");
    const json params = json::parse(f.host.last_sample_params);
    CHECK(params["maxTokens"] == 16);
    CHECK(params["messages"][0]["content"]["text"] == "What is 2+2?");

    f.host.client_status = FASTMCP_CLIENT_UNSUPPORTED;
    f.host.client_answer = R"x({"message":"elicitation needs a session (stateful mode)"})x";
    auto a = f.host.call("ask");
    CHECK(a.responses == 1);
    CHECK(a.is_error);
    CHECK(a.text() == "elicitation is not available: elicitation needs a session (stateful mode)");
    f.host.client_status = FASTMCP_CLIENT_TIMEOUT;
    f.host.client_answer = "";
    CHECK(f.host.call("llm").text() == "sampling: no answer from the client in time");
}

TEST_CASE("Context: the client's whole elicitation answer, and the host's answer to a failed "
          "client request, reach the handler") {
    Fixture f;
    f.server.tool("ask", "", [](Context &ctx) {
        try {
            return ToolResult::text(ctx.elicit("?", json::object()).result.dump());
        } catch (const ClientRequestError &e) {
            return ToolResult::error(std::to_string(e.status) + " " + e.answer);
        }
    });
    REQUIRE(f.server.install() == 0);

    f.host.client_answer = R"({"_meta":{"k":1},"action":"accept","content":{"a":true}})";
    CHECK(json::parse(f.host.call("ask").text()) == json::parse(f.host.client_answer));
    f.host.client_answer = R"({"action":"decline"})";
    CHECK(f.host.call("ask").text() == R"({"action":"decline"})"); // no content invented

    f.host.client_status = FASTMCP_CLIENT_ERROR;
    f.host.client_answer = R"({"code":-1,"message":"User rejected"})";
    auto a = f.host.call("ask");
    CHECK(a.is_error);
    CHECK(a.text() ==
          std::to_string(FASTMCP_CLIENT_ERROR) + R"( {"code":-1,"message":"User rejected"})");
    f.host.client_status = FASTMCP_CLIENT_TIMEOUT;
    f.host.client_answer = "";
    CHECK(f.host.call("ask").text() == std::to_string(FASTMCP_CLIENT_TIMEOUT) + " ");
}

TEST_CASE("on a 1.2 host: tools still work, scopes are enforced by the layer, 1.3 calls degrade") {
    Fixture f(2);
    f.server
        .tool("scoped", "",
              [](Context &ctx) {
                  CHECK_FALSE(ctx.report_progress(1)); // the host has no such call
                  CHECK_FALSE(ctx.info("x"));
                  return std::string("ok");
              })
        .scopes({"admin"});
    f.server.tool("ask", "", [](Context &ctx) { return ctx.elicit("?", json::object()).action; });
    REQUIRE(f.server.install() == 0);

    auto a = f.host.call("scoped"); // no token at all: fail closed
    CHECK(a.is_error);
    CHECK(a.text() == "tool scoped needs scopes the caller's token lacks");
    f.host.token.emplace();
    CHECK(f.host.call("scoped").is_error);
    f.host.token->scopes = {"admin"};
    a = f.host.call("scoped");
    CHECK_FALSE(a.is_error);
    CHECK(a.text() == "ok");
    CHECK(f.host.call("ask").text() ==
          "elicitation is not supported by this host (server module ABI < 1.3)");
}

TEST_CASE("a 1.3 host enforces scopes itself: the layer does not second-guess it (auth off = no "
          "scopes)") {
    Fixture f;
    f.server.tool("scoped", "", [] { return std::string("ok"); }).scopes({"admin"});
    REQUIRE(f.server.install() == 0);
    CHECK(f.host.call("scoped").text() == "ok");
}

TEST_CASE(
    "a tool the host refuses stops registration with a logged reason; bad schemas fail at setup") {
    Fixture f;
    f.host.refuse = true;
    f.server.tool("t", "", [] {});
    CHECK(f.server.install() == 1);
    CHECK(f.host.server_log.back() == "the host refused tool t");

    Fixture g;
    CHECK_THROWS_AS(g.server.tool("t", "", [] {}).input_schema("not json"), std::invalid_argument);
    CHECK_THROWS_AS(g.server.tool("u", "", [] {}).output_schema(json::array()),
                    std::invalid_argument);
}

TEST_CASE("server-level services: get_env through the host, notifications at any time") {
    Fixture f;
    f.host.env["SUPABASE_URL"] = "http://127.0.0.1:1";
    CHECK(f.server.get_env("SUPABASE_URL") == std::optional<std::string>("http://127.0.0.1:1"));
    CHECK_FALSE(f.server.get_env("NOT_SET_ANYWHERE").has_value());
    CHECK(f.server.notify_resource_updated("test://x") == 0); // the fake host leaves these unset
}
