// The auth middleware of the real `fastmcp run`, with HostTestProvider (static tokens) loaded from
// FASTMCP_SERVER_AUTH: every challenge, status and body; get_access_token through whoami;
// provider routes; /auth/complete; and no token ever in a response or a log line.
#include <doctest/doctest.h>

#include "fastmcp_process.hpp"

#include <nlohmann/json.hpp>

using namespace host_test;
using nlohmann::json;

namespace {

const std::string kProvider = std::string(FASTMCP_TEST_PROVIDER_DIR) + "/host_test.so:HostTestProvider";
const std::string kBase = "http://127.0.0.1:8000";
const std::string kMetadata = kBase + "/.well-known/oauth-protected-resource/mcp";

std::vector<std::string> auth_env() {
    return {"FASTMCP_SERVER_AUTH=" + kProvider, "FASTMCP_SERVER_AUTH_HOSTTESTPROVIDER_BASE_URL=" + kBase};
}

Process &server() {
    static Process p({"--transport", "http", "--port", "0", "--log-level", "debug"}, auth_env());
    return p;
}

std::string ping() { return R"({"jsonrpc":"2.0","id":1,"method":"ping"})"; }

Response with_auth(const std::string &authorization, const std::string &body = ping()) {
    return post(server().port(), body, {"Authorization: " + authorization});
}

} // namespace

TEST_CASE("no credentials: 401 with a bare challenge carrying resource_metadata") {
    Response r = post(server().port(), ping());
    CHECK(r.status == 401);
    CHECK(r.header("www-authenticate") == "Bearer resource_metadata=\"" + kMetadata + "\"");
    json body = json::parse(r.body);
    CHECK(body.contains("error"));
    CHECK(body.contains("error_description"));
    // A non-Bearer scheme is no bearer credential either.
    CHECK(with_auth("Basic dXNlcjpwYXNz").header("www-authenticate") == "Bearer resource_metadata=\"" + kMetadata + "\"");
}

TEST_CASE("a bad token: 401 invalid_token with description and resource_metadata") {
    Response r = with_auth("Bearer not-a-known-token");
    CHECK(r.status == 401);
    CHECK(r.header("www-authenticate") ==
          "Bearer error=\"invalid_token\", error_description=\"unknown token\", resource_metadata=\"" + kMetadata + "\"");
    CHECK(json::parse(r.body) == json{{"error", "invalid_token"}, {"error_description", "unknown token"}});
    CHECK(r.body.find("not-a-known-token") == std::string::npos);

    r = with_auth("Bearer expired-token");
    CHECK(r.status == 401);
    CHECK(r.header("www-authenticate").find("error_description=\"the token has expired\"") != std::string::npos);
}

TEST_CASE("a provider description holding the token is scrubbed") {
    Response r = with_auth("Bearer leaky-token");
    CHECK(r.status == 401);
    CHECK(r.body.find("leaky-token") == std::string::npos);
    CHECK(r.header("www-authenticate").find("leaky-token") == std::string::npos);
}

TEST_CASE("missing scope: 403 insufficient_scope with scope= and resource_metadata") {
    Response r = with_auth("Bearer narrow-token");
    CHECK(r.status == 403);
    const std::string h = r.header("www-authenticate");
    CHECK(h.rfind("Bearer error=\"insufficient_scope\"", 0) == 0);
    CHECK(h.find("scope=\"mcp:write\"") != std::string::npos);
    CHECK(h.find("resource_metadata=\"" + kMetadata + "\"") != std::string::npos);
    json body = json::parse(r.body);
    CHECK(body["error"] == "insufficient_scope");
    CHECK(body.contains("error_description"));
}

TEST_CASE("provider failure is 503, never a pass") {
    Response r = with_auth("Bearer error-token");
    CHECK(r.status == 503);
    CHECK(json::parse(r.body)["error"] == "temporarily_unavailable");
    r = with_auth("Bearer throw-token");
    CHECK(r.status == 503);
}

TEST_CASE("Authorization parsing: case-insensitive scheme, several spaces, duplicates refused") {
    CHECK(with_auth("Bearer good-token").status == 200);
    CHECK(with_auth("bearer good-token").status == 200);
    CHECK(with_auth("BEARER    good-token").status == 200);
    Response r = post(server().port(), ping(),
                      {"Authorization: Bearer good-token", "Authorization: Bearer good-token"});
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"] == "invalid_request");
    // Two credentials joined into one field (a proxy merging duplicates) are still two.
    r = with_auth("Bearer good-token, Bearer good-token");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"] == "invalid_request");
}

TEST_CASE("a Bearer credential that is not a b64token is an invalid token: 401, never 400") {
    // MCP: an invalid token MUST get 401, and a client only re-authorizes on a 401.
    for (const std::string value :
         {"Bearer good token", "Bearer abc def", "Bearer ", "Bearer a\"b", "Bearer a=b"}) {
        CAPTURE(value);
        Response r = with_auth(value);
        CHECK(r.status == 401);
        const std::string h = r.header("www-authenticate");
        CHECK(h.rfind("Bearer error=\"invalid_token\"", 0) == 0);
        CHECK(h.find("resource_metadata=\"" + kMetadata + "\"") != std::string::npos);
        CHECK(json::parse(r.body)["error"] == "invalid_token");
    }
    CHECK(with_auth("Bearer abc def").body.find("abc def") == std::string::npos);
}

TEST_CASE("a token in the query string is never accepted") {
    Response r = post(server().port(), ping(), {}, "/mcp?access_token=good-token");
    CHECK(r.status == 400);
    CHECK(r.body.find("good-token") == std::string::npos);
    r = post(server().port(), ping(), {"Authorization: Bearer good-token"}, "/mcp?access_token=good-token");
    CHECK(r.status == 400);
}

TEST_CASE("get_access_token() through whoami: identity, never the raw token") {
    std::string call = R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}})";
    Response r = with_auth("Bearer good-token", call);
    REQUIRE(r.status == 200);
    CHECK(r.body.find("good-token") == std::string::npos);
    json who = json::parse(r.body)["result"]["structuredContent"];
    CHECK(who["authenticated"] == true);
    CHECK(who["subject"] == "user-1");
    CHECK(who["client_id"] == "client-1");
    CHECK(who["scopes"] == json{"mcp:read", "mcp:write"});
    CHECK(who["expires_at"] == 4102444800);
    CHECK(who["issuer"] == "https://issuer.test");
    CHECK(who["claims"]["org_id"] == "org_1");
}

TEST_CASE("every /mcp method is behind auth; OPTIONS preflight is not") {
    int port = server().port();
    CHECK(get(port, "/mcp").status == 401);
    CHECK(get(port, "/mcp", {"Authorization: Bearer good-token"}).status == 405);
    CHECK(post(port, ping(), {}, "/mcp/").status == 401);
    CHECK(roundtrip(port, request(port, "OPTIONS", "/mcp", "", {"Origin: http://localhost:3000"})).status == 204);
}

TEST_CASE("provider routes are served through handle_route") {
    Response r = get(server().port(), "/.well-known/oauth-protected-resource/mcp");
    CHECK(r.status == 200);
    json doc = json::parse(r.body);
    CHECK(doc["resource"] == kBase + "/mcp");
    CHECK(doc["authorization_servers"] == json{"https://issuer.test"});
    CHECK(r.header("access-control-allow-origin") == "*");
    CHECK(get(server().port(), "/.well-known/oauth-protected-resource").status == 200);
    r = get(server().port(), "/.well-known/oauth-authorization-server");
    CHECK(r.status == 502);
    CHECK(json::parse(r.body)["error"] == "upstream_unavailable");
    CHECK(get(server().port(), "/.well-known/broken-route").status == 503);
    CHECK(roundtrip(server().port(), request(server().port(), "OPTIONS", "/.well-known/oauth-protected-resource/mcp", ""))
              .status == 204);
}

TEST_CASE("/auth/complete: JSON or HTML with a valid bearer, challenge without") {
    Response r = get(server().port(), "/auth/complete", {"Authorization: Bearer good-token"});
    REQUIRE(r.status == 200);
    json doc = json::parse(r.body);
    CHECK(doc == json{{"authenticated", true},  {"subject", "user-1"},
                      {"client_id", "client-1"}, {"scopes", {"mcp:read", "mcp:write"}},
                      {"expires_at", 4102444800}, {"issuer", "https://issuer.test"},
                      {"resource", kBase + "/mcp"}});
    r = get(server().port(), "/auth/complete",
            {"Authorization: Bearer good-token", "Accept: text/html,application/xhtml+xml,application/json;q=0.9"});
    CHECK(r.status == 200);
    CHECK(r.header("content-type").rfind("text/html", 0) == 0);
    CHECK(r.body.find("user-1") != std::string::npos);
    CHECK(r.body.find("good-token") == std::string::npos);
    r = get(server().port(), "/auth/complete");
    CHECK(r.status == 401);
    CHECK(r.header("www-authenticate") == "Bearer resource_metadata=\"" + kMetadata + "\"");
    CHECK(get(server().port(), "/auth/complete", {"Authorization: Bearer nope-token"}).status == 401);
}

TEST_CASE("no token appears in the logs; the access log is there") {
    with_auth("Bearer good-token");
    post(server().port(), ping(), {}, "/mcp?access_token=good-token");
    with_auth("Bearer leaky-token");
    with_auth("Bearer narrow-token");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::string log = server().stderr_text();
    CHECK(log.find("access ") != std::string::npos);
    for (const char *t : {"good-token", "leaky-token", "narrow-token", "error-token", "throw-token"})
        CHECK_MESSAGE(log.find(t) == std::string::npos, t);
}

TEST_CASE("--log-format json: one JSON object a line, access lines with their fields, no token") {
    Process json_server({"--transport", "http", "--port", "0", "--log-level", "debug", "--log-format", "json"},
                        auth_env());
    for (const char *auth : {"Bearer good-token", "Bearer leaky-token", "Bearer narrow-token", "Bearer error-token",
                             "Bearer throw-token", "Bearer not-a-known-token"})
        post(json_server.port(), ping(), {std::string("Authorization: ") + auth, "X-Request-Id: json-log-test"});
    post(json_server.port(), ping(), {}, "/mcp?access_token=good-token");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const std::string log = json_server.stderr_text();
    for (const char *t : {"good-token", "leaky-token", "narrow-token", "error-token", "throw-token", "not-a-known-token"})
        CHECK_MESSAGE(log.find(t) == std::string::npos, t);
    std::istringstream lines(log);
    std::string line;
    int access = 0;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        const json record = json::parse(line, nullptr, false);
        REQUIRE_MESSAGE(record.is_object(), line);
        CHECK(record.contains("time"));
        CHECK(record.contains("level"));
        CHECK(record.contains("message"));
        if (record["message"] == "access" && record.value("request_id", "") == "json-log-test") {
            ++access;
            CHECK(record["route"] == "mcp");
            CHECK(record["path"] == "/mcp");
            CHECK(record["status"].is_number_integer());
            CHECK(record["latency_ms"].is_number());
            CHECK(record["reason"].is_string());
        }
    }
    CHECK(access == 6);
}

TEST_CASE("a 401 keeps the connection when the body was small enough to drop; the next request on it is served") {
    const int port = server().port();
    int fd = connect_to(port);
    std::string buffer;
    send_all(fd, request(port, "POST", "/mcp", ping(), {"Authorization: Bearer not-a-known-token"}));
    Response r = read_response(fd, buffer);
    CHECK(r.status == 401);
    CHECK(r.header("connection") == "Keep-Alive");
    send_all(fd, request(port, "POST", "/mcp", ping(), {"Authorization: Bearer good-token"}));
    r = read_response(fd, buffer);
    CHECK(r.status == 200);
    CHECK(json::parse(r.body)["id"] == 1);
    close(fd);
}
