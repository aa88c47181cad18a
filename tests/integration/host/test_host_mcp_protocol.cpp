// Streamable HTTP and JSON-RPC behaviour of the real `fastmcp run` (auth off, built-in demo app).
#include <doctest/doctest.h>

#include "fastmcp_process.hpp"

#include <nlohmann/json.hpp>

using namespace host_test;
using nlohmann::json;

namespace {

Process &server() {
    static Process p({"--transport", "http", "--host", "127.0.0.1", "--port", "0"});
    return p;
}

json rpc(const std::string &method, json params = json::object(), json id = 1) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

json call(const json &message, const std::vector<std::string> &headers = {}, int expect_status = 200,
          const std::string &path = "/mcp") {
    Response r = post(server().port(), message.dump(), headers, path);
    CHECK(r.status == expect_status);
    CHECK(r.header("content-type").rfind("application/json", 0) == 0);
    return json::parse(r.body);
}

} // namespace

TEST_CASE("readiness line names the real port and the MCP path") {
    CHECK(server().port() > 0);
    CHECK(server().ready_line() == "Listening on http://127.0.0.1:" + std::to_string(server().port()) + "/mcp");
}

TEST_CASE("initialize negotiates the protocol version") {
    for (std::string v : {"2025-06-18", "2025-03-26", "2025-11-25"}) {
        json r = call(rpc("initialize", {{"protocolVersion", v}, {"capabilities", json::object()},
                                         {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
        CHECK(r["result"]["protocolVersion"] == v);
    }
    json r = call(rpc("initialize", {{"protocolVersion", "1999-01-01"}, {"capabilities", json::object()}}));
    CHECK(r["result"]["protocolVersion"] == "2025-06-18");
    CHECK(r["result"]["serverInfo"]["name"] == "AuthKit Secured App");
    CHECK(r["result"]["capabilities"].contains("tools"));
    CHECK(r["id"] == 1);
}

TEST_CASE("stateless: no Mcp-Session-Id is needed or issued") {
    Response r = post(server().port(), rpc("ping").dump());
    CHECK(r.status == 200);
    CHECK_FALSE(r.has_header("mcp-session-id"));
    CHECK(json::parse(r.body)["result"] == json::object());
}

TEST_CASE("both /mcp and /mcp/ serve MCP without a redirect") {
    CHECK(call(rpc("ping", json::object(), "a"), {}, 200, "/mcp/")["id"] == "a");
    CHECK(call(rpc("ping", json::object(), "b"), {}, 200, "/mcp")["id"] == "b");
    CHECK(post(server().port(), rpc("ping").dump(), {}, "/mcpx").status == 404);
}

TEST_CASE("notifications and client responses get 202 with no body") {
    Response r = post(server().port(), R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    CHECK(r.status == 202);
    CHECK(r.body.empty());
    r = post(server().port(), R"({"jsonrpc":"2.0","id":7,"result":{}})");
    CHECK(r.status == 202);
}

TEST_CASE("tools/list and tools/call on the demo app") {
    json list = call(rpc("tools/list"));
    std::vector<std::string> names;
    for (auto &t : list["result"]["tools"]) names.push_back(t["name"]);
    CHECK(names == std::vector<std::string>{"echo", "whoami"});
    CHECK(list["result"]["tools"][0]["inputSchema"]["type"] == "object");

    json echo = call(rpc("tools/call", {{"name", "echo"}, {"arguments", {{"text", "héllo"}}}}));
    CHECK(echo["result"]["isError"] == false);
    CHECK(echo["result"]["content"][0] == json{{"type", "text"}, {"text", "héllo"}});

    json who = call(rpc("tools/call", {{"name", "whoami"}}));
    CHECK(who["result"]["structuredContent"]["authenticated"] == false);
}

TEST_CASE("tool errors: unknown tool and missing arguments are -32602; bad argument types are isError") {
    CHECK(call(rpc("tools/call", {{"name", "nope"}}))["error"]["code"] == -32602);
    CHECK(call(rpc("tools/call", {{"name", "echo"}, {"arguments", json::object()}}))["error"]["code"] == -32602);
    CHECK(call(rpc("tools/call", {{"name", "echo"}, {"arguments", json::array()}}))["error"]["code"] == -32602);
    json r = call(rpc("tools/call", {{"name", "echo"}, {"arguments", {{"text", 5}}}}));
    CHECK(r["result"]["isError"] == true);
}

TEST_CASE("JSON-RPC errors: parse, invalid request, unknown method, bad params") {
    Response r = post(server().port(), "{not json");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"]["code"] == -32700);
    CHECK(json::parse(r.body)["id"].is_null());

    r = post(server().port(), R"({"jsonrpc":"1.0","id":1,"method":"ping"})");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"]["code"] == -32600);

    r = post(server().port(), R"("just a string")");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"]["code"] == -32600);

    CHECK(call(rpc("resources/nope"))["error"]["code"] == -32601);
    CHECK(call(rpc("logging/setLevel", {{"level", "loud"}}))["error"]["code"] == -32602);
    CHECK(call(rpc("logging/setLevel", {{"level", "debug"}}))["result"] == json::object());
    CHECK(call(rpc("initialize", json::object()))["error"]["code"] == -32602);
}

TEST_CASE("invalid UTF-8 and deep nesting are parse errors") {
    Response r = post(server().port(), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\xff\xfe\"}}");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"]["code"] == -32700);
    std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":)" + std::string(200, '[') +
                       std::string(200, ']') + "}}";
    r = post(server().port(), deep);
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"]["code"] == -32700);
}

TEST_CASE("batches: accepted for 2025-03-26 (and no version header), refused for 2025-06-18") {
    std::string batch = "[" + rpc("ping", json::object(), 1).dump() + "," +
                        R"({"jsonrpc":"2.0","method":"notifications/initialized"})" + "," +
                        rpc("nope", json::object(), 2).dump() + "]";
    Response r = post(server().port(), batch, {"MCP-Protocol-Version: 2025-03-26"});
    CHECK(r.status == 200);
    json arr = json::parse(r.body);
    REQUIRE(arr.is_array());
    CHECK(arr.size() == 2);
    CHECK(arr[0]["id"] == 1);
    CHECK(arr[1]["error"]["code"] == -32601);
    CHECK(post(server().port(), batch).status == 200);

    r = post(server().port(), batch, {"MCP-Protocol-Version: 2025-06-18"});
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"]["code"] == -32600);

    r = post(server().port(), "[]", {"MCP-Protocol-Version: 2025-03-26"});
    CHECK(r.status == 400);
    r = post(server().port(), "[" + rpc("initialize", {{"protocolVersion", "2025-03-26"}}).dump() + "]");
    CHECK(json::parse(r.body)[0]["error"]["code"] == -32600);
    r = post(server().port(), R"([{"jsonrpc":"2.0","method":"notifications/initialized"}])");
    CHECK(r.status == 202);
}

TEST_CASE("an unsupported MCP-Protocol-Version header gets 400") {
    Response r = post(server().port(), rpc("ping").dump(), {"MCP-Protocol-Version: 2024-01-01"});
    CHECK(r.status == 400);
    CHECK(post(server().port(), rpc("ping").dump(), {"MCP-Protocol-Version: 2025-11-25"}).status == 200);
}

TEST_CASE("GET and DELETE get 405 with Allow") {
    Response r = get(server().port(), "/mcp");
    CHECK(r.status == 405);
    CHECK(r.header("allow") == "POST, OPTIONS");
    r = roundtrip(server().port(), request(server().port(), "DELETE", "/mcp", ""));
    CHECK(r.status == 405);
}

TEST_CASE("non-JSON content type gets 415") {
    CHECK(post(server().port(), rpc("ping").dump(), {"Content-Type: text/plain"}).status == 415);
}

TEST_CASE("DNS-rebinding protection on a loopback bind") {
    int port = server().port();
    auto with_host = [&](const std::string &host) {
        return roundtrip(port, request(port, "POST", "/mcp", rpc("ping").dump(), {"Host: " + host}, false)).status;
    };
    CHECK(with_host("evil.example") == 403);
    CHECK(with_host("evil.example:" + std::to_string(port)) == 403);
    CHECK(with_host("localhost:" + std::to_string(port)) == 200);
    CHECK(with_host("localhost") == 200);
    CHECK(with_host("[::1]:" + std::to_string(port)) == 200);
    CHECK(with_host("127.0.0.1.evil.example") == 403);
    CHECK(post(port, rpc("ping").dump(), {"Origin: http://evil.example"}).status == 403);
    CHECK(post(port, rpc("ping").dump(), {"Origin: null"}).status == 403);
    CHECK(post(port, rpc("ping").dump(), {"Origin: http://localhost.evil.example"}).status == 403);
    CHECK(post(port, rpc("ping").dump(), {"Origin: http://localhost:6274"}).status == 200);
    CHECK(post(port, rpc("ping").dump(), {"Origin: http://127.0.0.1"}).status == 200);
}

TEST_CASE("CORS: preflight and exposed headers") {
    int port = server().port();
    Response r = roundtrip(port, request(port, "OPTIONS", "/mcp", "",
                                        {"Origin: http://localhost:6274", "Access-Control-Request-Method: POST",
                                         "Access-Control-Request-Headers: authorization, content-type"}));
    CHECK(r.status == 204);
    CHECK(r.header("access-control-allow-origin") == "*");
    CHECK(r.header("access-control-allow-methods").find("POST") != std::string::npos);
    CHECK(r.header("access-control-allow-headers").find("Authorization") != std::string::npos);
    CHECK(r.header("access-control-allow-headers").find("MCP-Protocol-Version") != std::string::npos);
    r = post(port, rpc("ping").dump(), {"Origin: http://localhost:6274"});
    CHECK(r.header("access-control-expose-headers").find("WWW-Authenticate") != std::string::npos);
    CHECK(r.header("access-control-expose-headers").find("Mcp-Session-Id") != std::string::npos);
}

TEST_CASE("keep-alive: several requests on one connection") {
    int port = server().port();
    int fd = connect_to(port);
    std::string buffer;
    for (int i = 0; i < 3; ++i) {
        send_all(fd, request(port, "POST", "/mcp", rpc("ping", json::object(), i).dump()));
        Response r = read_response(fd, buffer);
        CHECK(r.status == 200);
        CHECK(json::parse(r.body)["id"] == i);
    }
    close(fd);
}

TEST_CASE("/auth/complete is 404 when auth is off; unknown paths are 404") {
    CHECK(get(server().port(), "/auth/complete").status == 404);
    CHECK(get(server().port(), "/.well-known/oauth-protected-resource/mcp").status == 404);
}

TEST_CASE("SIGTERM drains and exits 0") {
    Process p({"--transport", "http", "--port", "0"});
    CHECK(post(p.port(), rpc("ping").dump()).status == 200);
    CHECK(p.stop(SIGTERM) == 0);
    Process q({"--transport", "http", "--port", "0"});
    CHECK(q.stop(SIGINT) == 0);
    CHECK(q.rest_of_stdout().empty()); // the readiness line is printed exactly once
}
