// Resources, resource templates, prompts and completions through the authoring layer: what reaches
// the host, what each handler answers, and JSON-RPC errors for what they throw.
#include "fake_host.hpp"

#include "fastmcp/module.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace fastmcp::module;
using nlohmann::json;

TEST_CASE("capabilities follow what was registered: only tools -> no resource or prompt reaches "
          "the host") {
    fake::Host host;
    Server server(&host.api);
    server.tool("t", "", [] {});
    REQUIRE(server.install() == 0);
    CHECK(host.tools.size() == 1);
    CHECK(host.resources.empty());
    CHECK(host.templates.empty());
    CHECK(host.prompts.empty());
}

TEST_CASE(
    "static resources and templates: fields, text, JSON and blob contents, template variables") {
    fake::Host host;
    Server server(&host.api);
    server.resource("config://version", "version", [] { return std::string("1.0.0"); })
        .title("Version")
        .description("the server version")
        .mime_type("text/plain")
        .scopes({"config:read"});
    server.resource("config://settings", "settings", [](Context &) {
        return json{{"debug", false}};
    });
    server.resource("data://png", "png", [](const ResourceRequest &req) {
        return ResourceContents{ResourceContent::blob(std::string("\x89PNG\0\1", 6), "image/png"),
                                ResourceContent::text(std::string(req.uri))};
    });
    server
        .resource_template(
            "notes://{id}", "note",
            [](const Args &vars, Context &) { return "note " + vars.get<std::string>("id"); })
        .mime_type("text/plain");
    REQUIRE(server.install() == 0);

    const fake::Resource &v = host.resources.at("config://version");
    CHECK(v.name == "version");
    CHECK(v.title == "Version");
    CHECK(v.description == "the server version");
    CHECK(v.mime_type == "text/plain");
    CHECK(v.scopes == std::vector<std::string>{"config:read"});
    const bool no_completion = v.complete == nullptr;
    CHECK(no_completion);
    CHECK(host.templates.count("notes://{id}") == 1);
    CHECK(host.resources.count("notes://{id}") == 0); // a template goes to add_resource_template

    auto a = host.read("config://version");
    CHECK(a.responses == 1);
    CHECK(a.error_code == 0);
    CHECK(a.result ==
          json::array({{{"uri", ""}, {"mimeType", ""}, {"blob", false}, {"data", "1.0.0"}}}));

    a = host.read("config://settings");
    CHECK(a.result[0]["mimeType"] == "application/json");
    CHECK(json::parse(a.result[0]["data"].get<std::string>()) == json{{"debug", false}});

    a = host.read("data://png");
    REQUIRE(a.result.size() == 2);
    CHECK(a.result[0]["blob"] == true);
    CHECK(a.result[0]["data"].get<std::string>() ==
          std::string("\x89PNG\0\1", 6)); // raw bytes: the host encodes
    CHECK(a.result[1]["data"] == "data://png");

    a = host.read("notes://42", R"({"id":"42"})", true, "notes://{id}");
    CHECK(a.result[0]["data"] == "note 42");
}

TEST_CASE("a resource handler that throws answers a JSON-RPC error, exactly once") {
    fake::Host host;
    Server server(&host.api);
    server.resource_template("notes://{id}", "note", [](const Args &vars) -> std::string {
        const auto id = vars.get<std::string>("id");
        if (id == "boom") throw std::runtime_error("disk on fire");
        if (id == "rpc") throw RpcError(-32001, "custom");
        throw ResourceNotFound("notes://" + id);
    });
    server.resource_template("bad://{x}", "bad",
                             [](const Args &vars) { return vars.get<std::string>("missing"); });
    REQUIRE(server.install() == 0);

    auto a = host.read("notes://7", R"({"id":"7"})", true, "notes://{id}");
    CHECK(a.responses == 1);
    CHECK(a.error_code == FASTMCP_ERROR_RESOURCE_NOT_FOUND);
    CHECK(a.error_message == "resource not found: notes://7");
    a = host.read("notes://boom", R"({"id":"boom"})", true, "notes://{id}");
    CHECK(a.error_code == FASTMCP_ERROR_INTERNAL);
    CHECK(a.error_message == "resource notes://boom failed: disk on fire");
    a = host.read("notes://rpc", R"({"id":"rpc"})", true, "notes://{id}");
    CHECK(a.error_code == -32001);
    a = host.read("bad://1", R"({"x":"1"})", true, "bad://{x}");
    CHECK(a.error_code == FASTMCP_ERROR_INVALID_PARAMS);
    CHECK(a.error_message == "missing required argument 'missing'");

    server.mask_error_details(true);
    a = host.read("notes://boom", R"({"id":"boom"})", true, "notes://{id}");
    CHECK(a.error_message == "resource notes://boom failed");
}

TEST_CASE("prompts: arguments, messages of text, image and embedded resource, errors") {
    fake::Host host;
    Server server(&host.api);
    server.prompt("simple", "A simple prompt", [] { return std::string("Hello"); });
    server
        .prompt("review", "Review code",
                [](const Args &args, Context &) {
                    PromptResult r;
                    r.description = "a review";
                    r.messages = {
                        PromptMessage::user("Review:\n" + args.get<std::string>("code")),
                        PromptMessage::image("iVBORw0KGgo=", "image/png"),
                        PromptMessage::resource("file:///a.cpp", "text/x-c++", "int main() {}"),
                        PromptMessage::assistant("On it.")};
                    return r;
                })
        .title("Code review")
        .argument("code", "the code")
        .argument("style", "", false)
        .scopes({"prompts:use"});
    server.prompt("broken", "", []() -> std::string { throw std::runtime_error("nope"); });
    REQUIRE(server.install() == 0);

    const fake::Prompt &p = host.prompts.at("review");
    CHECK(p.title == "Code review");
    CHECK(p.description == "Review code");
    CHECK(p.arguments == json::parse(R"([{"name":"code","description":"the code","required":true},
                                          {"name":"style","description":"","required":false}])"));
    CHECK(p.scopes == std::vector<std::string>{"prompts:use"});

    auto a = host.get_prompt("simple");
    CHECK(a.responses == 1);
    CHECK(a.result["messages"] ==
          json::parse(R"([{"role":"user","content":{"type":"text","text":"Hello"}}])"));

    a = host.get_prompt("review", R"({"code":"x++"})");
    CHECK(a.result["description"] == "a review");
    const json &m = a.result["messages"];
    REQUIRE(m.size() == 4);
    CHECK(m[0]["content"]["text"] == "Review:\nx++");
    CHECK(m[1]["content"] ==
          json{{"type", "image"}, {"data", "iVBORw0KGgo="}, {"mimeType", "image/png"}});
    CHECK(m[2]["content"]["resource"]["text"] == "int main() {}");
    CHECK(m[3]["role"] == "assistant");

    a = host.get_prompt("review", "{}");
    CHECK(a.error_code == FASTMCP_ERROR_INVALID_PARAMS);
    CHECK(a.error_message == "missing required argument 'code'");
    a = host.get_prompt("broken");
    CHECK(a.responses == 1);
    CHECK(a.error_code == FASTMCP_ERROR_INTERNAL);
    CHECK(a.error_message == "prompt broken failed: nope");
}

TEST_CASE(
    "completions for prompt arguments and template variables; at most 100 values, hasMore beyond") {
    fake::Host host;
    Server server(&host.api);
    server.prompt("greet", "", [](const Args &a) { return "hi " + a.get<std::string>("language"); })
        .argument("language")
        .complete([](const std::string &arg, const std::string &value) {
            std::vector<std::string> out;
            for (std::string l : {"python", "perl", "rust"})
                if (arg == "language" && l.rfind(value, 0) == 0) out.push_back(l);
            return out;
        });
    server.resource_template("n://{id}", "n", [] { return std::string(); })
        .complete([](const std::string &, const std::string &, const Args &context) {
            Completion c;
            for (int i = 0; i < 150; ++i)
                c.values.push_back(context.get<std::string>("prefix", "") + std::to_string(i));
            return c;
        });
    server.resource_template("m://{id}", "m", [] { return std::string(); })
        .complete([](const std::string &, const std::string &) -> std::vector<std::string> {
            throw std::runtime_error("index offline");
        });
    REQUIRE(server.install() == 0);

    const fake::Prompt &p = host.prompts.at("greet");
    const bool completes = p.complete != nullptr;
    REQUIRE(completes);
    auto a = fake::Host::complete(p.complete, p.user, "language", "p");
    CHECK(a.responses == 1);
    CHECK(a.result == json{{"values", {"python", "perl"}}, {"total", -1}, {"hasMore", false}});

    const fake::Resource &t = host.templates.at("n://{id}");
    a = fake::Host::complete(t.complete, t.user, "id", "", R"({"prefix":"x"})");
    CHECK(a.result["values"].size() == 100);
    CHECK(a.result["values"][0] == "x0");
    CHECK(a.result["hasMore"] == true);
    CHECK(a.result["total"] == 150);

    const fake::Resource &m = host.templates.at("m://{id}");
    a = fake::Host::complete(m.complete, m.user, "id", "");
    CHECK(a.error_code == FASTMCP_ERROR_INTERNAL);
    CHECK(a.error_message == "completion failed: index offline");
    CHECK_THROWS_AS(server.resource("s://x", "s", [] { return std::string(); })
                        .complete([](const std::string &, const std::string &) {
                            return std::vector<std::string>();
                        }),
                    std::invalid_argument); // completion is for templates
}

TEST_CASE("a 1.2 host cannot take resources or prompts: registration stops with the reason") {
    fake::Host host(2);
    Server server(&host.api);
    server.prompt("p", "", [] { return std::string("x"); });
    CHECK(server.install() == 1);
    CHECK(host.server_log.back() == "prompt p needs a host that speaks server module ABI 1.3");
    CHECK(host.prompts.empty());
}
