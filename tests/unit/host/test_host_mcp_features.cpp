// Resources, templates, prompts, completion, per-item scopes and the in-handler context
// (logging, progress, cancellation, client requests), through the dispatcher without HTTP.
#include <doctest/doctest.h>

#include "mcp/call_context.hpp"
#include "mcp/dispatcher.hpp"
#include "mcp/session_state.hpp"
#include "mcp/uri_template.hpp"
#include "server/request_context.hpp"

#include <mutex>
#include <thread>

using namespace fastmcp;
using namespace fastmcp::host;
using nlohmann::json;

namespace {

json call(const Dispatcher &d, const json &request) {
    auto r = d.handle(request.dump(), "2025-11-25");
    return r.body.empty() ? json() : json::parse(r.body);
}

json request(std::string method, json params) {
    return {{"jsonrpc", "2.0"},
            {"id", 7},
            {"method", std::move(method)},
            {"params", std::move(params)}};
}

Catalog catalog() {
    Catalog c;
    Tool secret{"secret", "needs admin", json{{"type", "object"}},
                [](const json &) { return ToolResult::text("s"); }};
    secret.required_scopes = {"admin"};
    c.tools.emplace("secret", std::move(secret));
    Tool typed{"typed", "", json{{"type", "object"}}, [](const json &a) {
                   ToolResult r;
                   if (a.value("good", false)) r.structured = {{"n", 1}};
                   return r;
               }};
    typed.title = "Typed";
    typed.annotations = {{"readOnlyHint", true}};
    typed.output_schema = json::parse(R"({"type":"object","required":["n"]})");
    c.tools.emplace("typed", std::move(typed));

    Resource text{"test://text", "Text", "", "a text", "text/plain", nullptr, {}, nullptr, nullptr};
    text.handler = [](const std::string &, const json &) {
        return std::vector<ResourceContent>{{"", "", "hello", false}};
    };
    c.resources.emplace(text.uri, text);
    Resource bin{"test://bin", "Bin",          "",      "",     "application/octet-stream",
                 nullptr,      {"files:read"}, nullptr, nullptr};
    bin.handler = [](const std::string &, const json &) {
        return std::vector<ResourceContent>{{"", "", std::string("\x00\x01\xff", 3), true}};
    };
    c.resources.emplace(bin.uri, bin);
    Resource tpl{
        "test://item/{id}/data", "Item", "", "", "application/json", nullptr, {}, nullptr, nullptr};
    tpl.handler = [](const std::string &uri, const json &vars) {
        if (vars.at("id") == "missing") throw McpError(kResourceNotFound, "no such item");
        return std::vector<ResourceContent>{
            {"", "", json{{"uri", uri}, {"id", vars.at("id")}}.dump(), false}};
    };
    tpl.complete = [](const std::string &, const std::string &value, const json &) {
        return Completion{{value + "1", value + "2"}, 2, false};
    };
    c.resource_templates.push_back(tpl);

    Prompt greet{"greet", "Greet", "Says hello", {{"name", "", "who", true}}, {}, nullptr, nullptr};
    greet.handler = [](const json &args) {
        PromptResult r;
        r.messages = json::array(
            {{{"role", "user"},
              {"content",
               {{"type", "text"}, {"text", "hi " + args.at("name").get<std::string>()}}}}});
        return r;
    };
    greet.complete = [](const std::string &name, const std::string &value, const json &) {
        std::vector<std::string> many(150, name + ":" + value);
        return Completion{many, -1, false};
    };
    c.prompts.emplace("greet", greet);
    return c;
}

// A request's stream, recorded.
struct FakeChannel : RequestChannel {
    std::mutex mutex;
    std::vector<json> sent;
    bool notify(std::string message) override {
        std::lock_guard lock(mutex);
        sent.push_back(json::parse(message));
        return true;
    }
    bool close_stream() override { return false; }
    std::vector<json> messages() {
        std::lock_guard lock(mutex);
        return sent;
    }
};

std::shared_ptr<AccessToken> token_with(std::vector<std::string> scopes) {
    auto t = std::make_shared<AccessToken>();
    t->subject = "u";
    t->scopes = std::move(scopes);
    return t;
}

} // namespace

TEST_CASE("uri templates (RFC 6570 level 1) match and extract percent-decoded variables") {
    UriTemplate t("test://template/{id}/data");
    CHECK(t.match("test://template/123/data") == json{{"id", "123"}});
    CHECK(t.match("test://template/a%20b/data") == json{{"id", "a b"}});
    CHECK_FALSE(t.match("test://template//data"));
    CHECK_FALSE(t.match("test://template/1/2/data"));
    CHECK_FALSE(t.match("test://template/1/data/x"));
    UriTemplate two("file:///{dir}/{name}");
    CHECK(two.match("file:///a/b.txt") == json{{"dir", "a"}, {"name", "b.txt"}});
    CHECK_THROWS_AS(UriTemplate("x://{+path}"), std::invalid_argument);
    CHECK_THROWS_AS(UriTemplate("x://{a}{b}"), std::invalid_argument);
    CHECK_THROWS_AS(UriTemplate("x://{a"), std::invalid_argument);
}

TEST_CASE("capabilities reflect what was registered") {
    Dispatcher plain({"T", "1", ""}, Catalog{});
    auto caps = call(plain, request("initialize",
                                    {{"protocolVersion", "2025-11-25"}}))["result"]["capabilities"];
    CHECK(caps.contains("tools"));
    CHECK(caps.contains("logging"));
    CHECK_FALSE(caps.contains("resources"));
    CHECK_FALSE(caps.contains("prompts"));
    CHECK_FALSE(caps.contains("completions"));
    CHECK(call(plain, request("resources/list", json::object()))["error"]["code"] ==
          kMethodNotFound);

    Dispatcher full({"T", "1", ""}, catalog());
    caps = call(
        full, request("initialize", {{"protocolVersion", "2025-11-25"}}))["result"]["capabilities"];
    CHECK(caps["resources"] == json{{"subscribe", true}, {"listChanged", true}});
    CHECK(caps["prompts"]["listChanged"] == true);
    CHECK(caps["completions"].is_object());
}

TEST_CASE("completions is announced only when a prompt or template has a completer") {
    Catalog none = catalog();
    for (auto &t : none.resource_templates)
        t.complete = nullptr;
    for (auto &[n, p] : none.prompts)
        p.complete = nullptr;
    Dispatcher d({"T", "1", ""}, std::move(none));
    auto caps = call(
        d, request("initialize", {{"protocolVersion", "2025-11-25"}}))["result"]["capabilities"];
    CHECK(caps.contains("prompts"));
    CHECK(caps.contains("resources"));
    CHECK_FALSE(caps.contains("completions"));
    CHECK(call(d, request("completion/complete",
                          {{"ref", {{"type", "ref/prompt"}, {"name", "greet"}}},
                           {"argument", {{"name", "name"}, {"value", "a"}}}}))["error"]["code"] ==
          kMethodNotFound);

    Catalog prompt_only = catalog(); // one completer is enough
    for (auto &t : prompt_only.resource_templates)
        t.complete = nullptr;
    Dispatcher p({"T", "1", ""}, std::move(prompt_only));
    caps = call(
        p, request("initialize", {{"protocolVersion", "2025-11-25"}}))["result"]["capabilities"];
    CHECK(caps["completions"].is_object());
    Catalog template_only = catalog();
    for (auto &[n, pr] : template_only.prompts)
        pr.complete = nullptr;
    Dispatcher t({"T", "1", ""}, std::move(template_only));
    caps = call(
        t, request("initialize", {{"protocolVersion", "2025-11-25"}}))["result"]["capabilities"];
    CHECK(caps["completions"].is_object());
    CHECK(
        call(t, request("completion/complete",
                        {{"ref", {{"type", "ref/resource"}, {"uri", "test://item/{id}/data"}}},
                         {"argument",
                          {{"name", "id"}, {"value", "x"}}}}))["result"]["completion"]["values"] ==
        json{"x1", "x2"});
}

TEST_CASE("resources: list, templates/list, read text, blob (base64) and template, not found") {
    Dispatcher d({"T", "1", ""}, catalog());
    auto list = call(d, request("resources/list", json::object()))["result"]["resources"];
    REQUIRE(list.size() == 2); // auth off: scoped items are shown
    CHECK(list[1] == json{{"uri", "test://text"},
                          {"name", "Text"},
                          {"description", "a text"},
                          {"mimeType", "text/plain"}});
    auto templates =
        call(d, request("resources/templates/list", json::object()))["result"]["resourceTemplates"];
    REQUIRE(templates.size() == 1);
    CHECK(templates[0]["uriTemplate"] == "test://item/{id}/data");

    auto text = call(d, request("resources/read", {{"uri", "test://text"}}))["result"]["contents"];
    CHECK(text ==
          json::array({{{"uri", "test://text"}, {"mimeType", "text/plain"}, {"text", "hello"}}}));
    auto bin = call(d, request("resources/read", {{"uri", "test://bin"}}))["result"]["contents"][0];
    CHECK(bin["blob"] == "AAH/");
    CHECK_FALSE(bin.contains("text"));
    auto item = call(
        d, request("resources/read", {{"uri", "test://item/42/data"}}))["result"]["contents"][0];
    CHECK(json::parse(item["text"].get<std::string>()) ==
          json{{"uri", "test://item/42/data"}, {"id", "42"}});
    CHECK(item["mimeType"] == "application/json");

    CHECK(call(d, request("resources/read", {{"uri", "test://nope"}}))["error"]["code"] ==
          kResourceNotFound);
    auto missing = call(d, request("resources/read", {{"uri", "test://item/missing/data"}}));
    CHECK(missing["error"]["code"] == kResourceNotFound);
    CHECK(missing["error"]["message"] == "no such item");
    CHECK(call(d, request("resources/read", json::object()))["error"]["code"] == kInvalidParams);
}

TEST_CASE("prompts: list with arguments, get, missing or non-string arguments") {
    Dispatcher d({"T", "1", ""}, catalog());
    auto list = call(d, request("prompts/list", json::object()))["result"]["prompts"];
    REQUIRE(list.size() == 1);
    CHECK(list[0]["title"] == "Greet");
    CHECK(list[0]["arguments"] ==
          json::array({{{"name", "name"}, {"description", "who"}, {"required", true}}}));
    auto got = call(
        d, request("prompts/get", {{"name", "greet"}, {"arguments", {{"name", "Ada"}}}}))["result"];
    CHECK(got["messages"][0]["content"]["text"] == "hi Ada");
    CHECK(got["description"] == "Says hello");
    CHECK(call(d, request("prompts/get", {{"name", "greet"}}))["error"]["code"] == kInvalidParams);
    CHECK(call(d, request("prompts/get",
                          {{"name", "greet"}, {"arguments", {{"name", 3}}}}))["error"]["code"] ==
          kInvalidParams);
    CHECK(call(d, request("prompts/get", {{"name", "nope"}}))["error"]["code"] == kInvalidParams);
}

TEST_CASE("completion/complete: prompt arguments, template variables, the 100-value cap") {
    Dispatcher d({"T", "1", ""}, catalog());
    auto c = call(d, request("completion/complete",
                             {{"ref", {{"type", "ref/resource"}, {"uri", "test://item/{id}/data"}}},
                              {"argument", {{"name", "id"}, {"value", "4"}}}}))["result"];
    CHECK(c["completion"] == json{{"values", {"41", "42"}}, {"total", 2}, {"hasMore", false}});
    c = call(d, request("completion/complete",
                        {{"ref", {{"type", "ref/prompt"}, {"name", "greet"}}},
                         {"argument", {{"name", "name"}, {"value", "A"}}}}))["result"];
    CHECK(c["completion"]["values"].size() == 100);
    CHECK(c["completion"]["values"][0] == "name:A");
    CHECK(c["completion"]["hasMore"] == true);
    CHECK(call(d, request("completion/complete",
                          {{"ref", {{"type", "ref/prompt"}, {"name", "x"}}},
                           {"argument", {{"name", "a"}, {"value", ""}}}}))["error"]["code"] ==
          kInvalidParams);
}

TEST_CASE("tools: title, annotations and outputSchema are listed; structuredContent is checked") {
    Dispatcher d({"T", "1", ""}, catalog());
    auto tools = call(d, request("tools/list", json::object()))["result"]["tools"];
    auto typed = std::find_if(tools.begin(), tools.end(),
                              [](const json &t) { return t["name"] == "typed"; });
    REQUIRE(typed != tools.end());
    CHECK((*typed)["title"] == "Typed");
    CHECK((*typed)["annotations"]["readOnlyHint"] == true);
    CHECK((*typed)["outputSchema"]["required"][0] == "n");
    auto good = call(
        d, request("tools/call", {{"name", "typed"}, {"arguments", {{"good", true}}}}))["result"];
    CHECK(good["isError"] == false);
    CHECK(good["structuredContent"] == json{{"n", 1}});
    CHECK(good["content"][0]["text"] == R"({"n":1})");
    auto bad = call(
        d, request("tools/call", {{"name", "typed"}, {"arguments", json::object()}}))["result"];
    CHECK(bad["isError"] == true);
}

TEST_CASE("per-item scopes: lists show only what the token allows; missing_scopes names what a "
          "call needs") {
    Dispatcher d({"T", "1", ""}, catalog());
    auto reader = token_with({"files:read"});
    auto plain = token_with({});
    auto admin = token_with({"admin"});
    auto names = [&](std::shared_ptr<AccessToken> token) {
        RequestScope scope(token);
        std::vector<std::string> out;
        const json tools = call(d, request("tools/list", json::object()));
        for (const auto &t : tools["result"]["tools"])
            out.push_back(t["name"]);
        const json resources = call(d, request("resources/list", json::object()));
        for (const auto &r : resources["result"]["resources"])
            out.push_back(r["uri"]);
        std::string joined;
        for (const auto &n : out)
            joined += n + " ";
        return joined;
    };
    CHECK(names(plain) == "typed test://text ");
    CHECK(names(admin) == "secret typed test://text ");
    CHECK(names(reader) == "typed test://bin test://text ");

    const json secret_call = request("tools/call", {{"name", "secret"}});
    CHECK(d.missing_scopes(secret_call, plain.get()) == std::vector<std::string>{"admin"});
    CHECK_FALSE(d.missing_scopes(secret_call, admin.get()));
    CHECK_FALSE(d.missing_scopes(secret_call, nullptr)); // auth off
    CHECK(d.missing_scopes(request("resources/read", {{"uri", "test://bin"}}), plain.get()) ==
          std::vector<std::string>{"files:read"});
    CHECK_FALSE(d.missing_scopes(request("tools/call", {{"name", "typed"}}), plain.get()));
    {
        // Defence in depth: the dispatcher itself refuses a hidden tool.
        RequestScope scope(plain);
        CHECK(call(d, secret_call)["error"]["code"] == kInvalidParams);
    }
}

TEST_CASE("logging and progress go to the request's stream, filtered by the session's level") {
    SessionState session;
    FakeChannel channel;
    Catalog c;
    c.tools.emplace("work", Tool{"work", "", json{{"type", "object"}}, [](const json &) {
                                     call_log(1, "info line", "t");
                                     call_log(0, "debug line", "");
                                     call_progress(50, 100, "half");
                                     return ToolResult::text("done");
                                 }});
    Dispatcher d({"T", "1", ""}, std::move(c));
    RequestScope scope(nullptr, &channel, &session);
    call(d, request("logging/setLevel", {{"level", "info"}}));
    CHECK(session.log_level() == 1);
    auto r =
        call(d, request("tools/call", {{"name", "work"}, {"_meta", {{"progressToken", "p1"}}}}));
    CHECK(r["result"]["content"][0]["text"] == "done");
    auto sent = channel.messages();
    REQUIRE(sent.size() == 2); // the debug line is below the level
    CHECK(sent[0]["method"] == "notifications/message");
    CHECK(sent[0]["params"] == json{{"level", "info"}, {"data", "info line"}, {"logger", "t"}});
    CHECK(sent[1]["params"] ==
          json{{"progressToken", "p1"}, {"progress", 50.0}, {"total", 100.0}, {"message", "half"}});
    // Without a progressToken no progress is sent.
    call(d, request("tools/call", {{"name", "work"}}));
    CHECK(channel.messages().size() == 3);
}

TEST_CASE("notifications/cancelled reaches the running handler") {
    SessionState session;
    std::atomic<bool> started{false}, saw_cancel{false};
    Catalog c;
    c.tools.emplace("slow", Tool{"slow", "", json{{"type", "object"}}, [&](const json &) {
                                     started = true;
                                     for (int i = 0; i < 500 && !call_cancelled(); ++i)
                                         std::this_thread::sleep_for(std::chrono::milliseconds(2));
                                     saw_cancel = call_cancelled();
                                     return ToolResult::text("stopped");
                                 }});
    Dispatcher d({"T", "1", ""}, std::move(c));
    std::thread worker([&] {
        RequestScope scope(nullptr, nullptr, &session);
        call(d, json{{"jsonrpc", "2.0"},
                     {"id", "call-1"},
                     {"method", "tools/call"},
                     {"params", {{"name", "slow"}}}});
    });
    while (!started)
        std::this_thread::yield();
    {
        RequestScope scope(nullptr, nullptr, &session);
        CHECK(
            d.handle(
                 R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"call-1"}})",
                 "2025-11-25")
                .http_status == 202);
    }
    worker.join();
    CHECK(saw_cancel);
    CHECK_FALSE(session.cancel(json("call-1"))); // no longer running
}

TEST_CASE(
    "a server-to-client request round-trips; stateless and undeclared capabilities are refused") {
    SessionState session;
    FakeChannel channel;
    ClientAnswer answer;
    Catalog c;
    c.tools.emplace("ask", Tool{"ask", "", json{{"type", "object"}}, [&](const json &) {
                                    answer =
                                        call_client("elicitation/create", {{"message", "name?"}},
                                                    "elicitation", std::chrono::milliseconds(5000));
                                    return ToolResult::text("ok");
                                }});
    Dispatcher d({"T", "1", ""}, std::move(c));
    const json ask = request("tools/call", {{"name", "ask"}});

    SUBCASE("answered") {
        {
            RequestScope scope(nullptr, nullptr, &session);
            call(d, request("initialize", {{"protocolVersion", "2025-11-25"},
                                           {"capabilities", {{"elicitation", json::object()}}}}));
        }
        std::thread client([&] {
            for (int i = 0; i < 2000 && channel.messages().empty(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            REQUIRE(channel.messages().size() == 1);
            const json sent = channel.messages()[0];
            CHECK(sent["method"] == "elicitation/create");
            RequestScope scope(nullptr, nullptr, &session); // the client's POST of its response
            d.handle(
                json{{"jsonrpc", "2.0"}, {"id", sent["id"]}, {"result", {{"action", "accept"}}}}
                    .dump(),
                "2025-11-25");
        });
        {
            RequestScope scope(nullptr, &channel, &session);
            call(d, ask);
        }
        client.join();
        CHECK(answer.status == 0);
        CHECK(answer.body == json{{"action", "accept"}});
    }
    SUBCASE("stateless: no session") {
        RequestScope scope(nullptr, &channel, nullptr);
        call(d, ask);
        CHECK(answer.status == 3);
        CHECK(answer.body["message"].get<std::string>().find("stateless") != std::string::npos);
    }
    SUBCASE("the client did not declare elicitation") {
        RequestScope scope(nullptr, &channel, &session);
        call(d, ask);
        CHECK(answer.status == 3);
        CHECK(channel.messages().empty());
    }
}

TEST_CASE("a client request times out") {
    SessionState session;
    FakeChannel channel;
    session.set_client_capabilities({{"sampling", json::object()}});
    Catalog c;
    ClientAnswer answer;
    c.tools.emplace("ask", Tool{"ask", "", json{{"type", "object"}}, [&](const json &) {
                                    answer = call_client("sampling/createMessage", json::object(),
                                                         "sampling", std::chrono::milliseconds(30));
                                    return ToolResult::text("ok");
                                }});
    Dispatcher d({"T", "1", ""}, std::move(c));
    RequestScope scope(nullptr, &channel, &session);
    call(d, request("tools/call", {{"name", "ask"}}));
    CHECK(answer.status == 2);
    // A late answer finds nobody waiting.
    CHECK_FALSE(
        session.deliver(json{{"id", channel.messages()[0]["id"]}, {"result", json::object()}}));
}

TEST_CASE("an ended session cancels its running requests and fails waiting client requests at once") {
    SessionState session;
    auto flag = session.begin_request(json(5));
    auto [id, waiter] = session.start_client_request();
    std::thread ender([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        session.end();
    });
    json response;
    const auto started = std::chrono::steady_clock::now();
    CHECK(waiter->wait(std::chrono::milliseconds(5000), nullptr, response));
    ender.join();
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2000));
    CHECK(response["error"]["message"] == "the session ended");
    CHECK(flag->load());
}
