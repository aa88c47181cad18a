// The matrix runner's own judgement: subset matching, placeholders, the readiness line, request
// bodies and refusing malformed cases.
#include "matrix_case.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace fastmcp::matrix;
using nlohmann::json;

TEST_CASE("subset: extra keys in actual are fine; missing or different ones are not") {
    json actual = json::parse(R"({"provider":"P","settings":{"a":1,"b":[1,2]},"warnings":[]})");
    CHECK(json_subset_mismatch(json::parse(R"({"provider":"P"})"), actual).empty());
    CHECK(json_subset_mismatch(json::parse(R"({"settings":{"b":[1,2]}})"), actual).empty());
    CHECK(json_subset_mismatch(json::parse(R"({"provider":"Q"})"), actual) == "$.provider: expected \"Q\", got \"P\"");
    CHECK(json_subset_mismatch(json::parse(R"({"module":"x"})"), actual) == "$.module: missing");
    CHECK(json_subset_mismatch(json::parse(R"({"settings":{"b":[1]}})"), actual) ==
          "$.settings.b: expected [1], got [1,2]");
    CHECK(json_subset_mismatch(json::parse(R"({"warnings":["w"]})"), actual) == "$.warnings: expected [\"w\"], got []");
    CHECK(json_subset_mismatch(json::parse(R"({"settings":1})"), actual).find("$.settings: expected 1") == 0);
    CHECK(json_subset_mismatch(json::parse(R"({"provider":null})"), json::parse(R"({"provider":null})")).empty());
}

TEST_CASE("placeholders") {
    Paths p{"/b/fastmcp", "/b/lib/fastmcp/providers", "/b/tests/providers"};
    CHECK(substitute("${TEST_PROVIDERS}/x.so:${PROVIDERS}", p, "/c") == "/b/tests/providers/x.so:/b/lib/fastmcp/providers");
    CHECK(substitute("${CASE}/nope.so ${CASE}", p, "/c") == "/c/nope.so /c");
}

TEST_CASE("placeholders: ${SCRATCH} only when the case has a scratch directory") {
    Paths p{"/b/fastmcp", "/b/lib/fastmcp/providers", "/b/tests/providers"};
    CHECK(substitute("${SCRATCH}/hello.so", p, "/c", "/tmp/s") == "/tmp/s/hello.so");
    CHECK(substitute("${SCRATCH}/hello.so", p, "/c") == "${SCRATCH}/hello.so");
}

TEST_CASE("the readiness line gives the port the OS picked and the MCP path") {
    auto r = find_ready_line("Listening on http://127.0.0.1:40123/mcp\nmore");
    CHECK(r.port == 40123);
    CHECK(r.path == "/mcp");
    r = find_ready_line("noise\nListening on http://[::1]:8080/api/mcp/\n");
    CHECK(r.port == 8080);
    CHECK(r.path == "/api/mcp/");
    CHECK(find_ready_line("Listening on http://127.0.0.1:40123/mcp").port == 0); // line not complete yet
    CHECK(find_ready_line("").port == 0);
    CHECK(find_ready_line("Listening on http://127.0.0.1/mcp\n").port == 0);
    CHECK(find_ready_line("Listening on http://127.0.0.1:99999/mcp\n").port == 0);
}

TEST_CASE("request bodies: ping by default, a method name, or an object completed with jsonrpc and id") {
    CHECK(json::parse(rpc_body(json::object())) == json::parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})"));
    CHECK(json::parse(rpc_body(json{{"rpc", "tools/list"}}))["method"] == "tools/list");
    const json call = json::parse(rpc_body(json::parse(R"({"rpc":{"method":"tools/call","params":{"name":"whoami"}}})")));
    CHECK(call["jsonrpc"] == "2.0");
    CHECK(call["id"] == 1);
    CHECK(call["params"]["name"] == "whoami");
}

namespace {
// Writes expect.json into a fresh directory and loads it as a case.
std::string load_error(const std::string &expect) {
    char tmpl[] = "/tmp/fastmcp-matrix-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string dir = tmpl;
    {
        std::ofstream(dir + "/expect.json") << expect;
    }
    std::string error;
    try {
        const Case c = load_case(dir, Paths{"/b/fastmcp", "/b/p", "/b/t"});
        remove_scratch(c);
    } catch (const std::exception &e) {
        error = e.what();
    }
    std::filesystem::remove_all(dir);
    return error;
}
} // namespace

TEST_CASE("malformed cases are refused, so a typo never passes") {
    CHECK(load_error(R"({"exit":0})").empty());
    CHECK(load_error(R"({"exit":0,"requests":[{"status":200,"token":"t","rpc":"ping"}]})").empty());
    CHECK(load_error(R"({"exit":"0"})").find("integer \"exit\"") != std::string::npos);
    CHECK(load_error(R"({"exit":0,"stdout_contain":["x"]})").find("unknown key \"stdout_contain\"") != std::string::npos);
    CHECK(load_error(R"({"exit":0,"stderr_contains":"x"})").find("list of strings") != std::string::npos);
    CHECK(load_error(R"({"exit":0,"requests":[]})").find("non-empty list") != std::string::npos);
    CHECK(load_error(R"({"exit":0,"requests":[{"token":"t"}]})").find("integer \"status\"") != std::string::npos);
    CHECK(load_error(R"({"exit":0,"requests":[{"status":200,"tokn":"t"}]})").find("unknown key \"tokn\"") !=
          std::string::npos);
    CHECK(load_error(R"({"exit":0,"requests":[{"status":200,"token":1}]})").find("must be a string") != std::string::npos);
    CHECK(load_error(R"({"exit":0,"scratch":{"mode":"9"}})").find("octal") != std::string::npos);
    CHECK(load_error(R"({"exit":0,"json":{},"requests":[{"status":200}]})").find("do not combine") != std::string::npos);
}

TEST_CASE("a run case defaults to `fastmcp run` on an OS-picked loopback port") {
    char tmpl[] = "/tmp/fastmcp-matrix-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string dir = tmpl;
    {
        std::ofstream(dir + "/expect.json") << R"({"exit":0,"requests":[{"status":401}]})";
    }
    const Case c = load_case(dir, Paths{"/b/fastmcp", "/b/p", "/b/t"});
    CHECK(c.serves());
    CHECK(c.args == std::vector<std::string>{"run", "--transport", "http", "--host", "127.0.0.1", "--port", "0"});
    CHECK(c.env.at("PATH") == "/usr/bin:/bin");
    CHECK(c.env.at("FASTMCP_PROVIDER_PATH") == "/b/t");
    // A user's CI passes only --providers: the real modules are found.
    CHECK(load_case(dir, Paths{"/b/fastmcp", "/b/p", ""}).env.at("FASTMCP_PROVIDER_PATH") == "/b/p");
    CHECK(load_case(dir, Paths{"/b/fastmcp", "", ""}).env.count("FASTMCP_PROVIDER_PATH") == 0);
    std::filesystem::remove_all(dir);
}
