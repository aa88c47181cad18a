// The client's pure pieces: WWW-Authenticate parsing, SSE framing, discovery URLs and resource
// matching, PKCE (RFC 7636 Appendix B), form encoding, and the token cache's file mode.
#include <doctest/doctest.h>

#include "http_exchange.hpp"
#include "oauth_discovery.hpp"
#include "pkce.hpp"
#include "sse.hpp"
#include "token_cache.hpp"
#include "www_authenticate.hpp"

#include <cstdlib>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace fastmcp::client;

TEST_CASE("Bearer challenges: bare, with parameters, quoted escapes, among other schemes") {
    auto c = parse_bearer_challenge(R"(Bearer resource_metadata="http://localhost:8000/.well-known/oauth-protected-resource/mcp")");
    REQUIRE(c);
    CHECK(c->get("resource_metadata") == "http://localhost:8000/.well-known/oauth-protected-resource/mcp");
    c = parse_bearer_challenge(R"(Bearer error="invalid_token", error_description="the \"exp\" passed", resource_metadata="x")");
    REQUIRE(c);
    CHECK(c->get("error") == "invalid_token");
    CHECK(c->get("error_description") == "the \"exp\" passed");
    c = parse_bearer_challenge(R"(Basic realm="a", Bearer scope="read write", error=insufficient_scope)");
    REQUIRE(c);
    CHECK(c->get("scope") == "read write");
    CHECK(c->get("error") == "insufficient_scope");
    CHECK(parse_bearer_challenge("bearer")->params.empty());
    CHECK_FALSE(parse_bearer_challenge(R"(Basic realm="a")"));
    CHECK_FALSE(parse_bearer_challenge(""));
    CHECK_FALSE(parse_bearer_challenge(R"(Bearer error="unterminated)"));
}

TEST_CASE("SSE: data lines joined, comments and other fields ignored, CRLF and a missing final blank line") {
    auto m = sse_json_messages("event: message\r\ndata: {\"id\":1,\r\ndata: \"result\":{}}\r\n\r\n: keepalive\n\ndata: {\"id\":2}");
    REQUIRE(m.size() == 2);
    CHECK(m[0]["id"] == 1);
    CHECK(m[0]["result"].is_object());
    CHECK(m[1]["id"] == 2);
    CHECK(sse_json_messages("data: not json\n\n").empty());
    CHECK(sse_json_messages("").empty());
}

TEST_CASE("discovery URLs follow RFC 9728 and RFC 8414 path insertion") {
    CHECK(protected_resource_metadata_urls("http://localhost:8000/mcp/") ==
          std::vector<std::string>{"http://localhost:8000/.well-known/oauth-protected-resource/mcp",
                                   "http://localhost:8000/.well-known/oauth-protected-resource"});
    CHECK(authorization_server_metadata_urls("http://127.0.0.1:9100") ==
          std::vector<std::string>{"http://127.0.0.1:9100/.well-known/oauth-authorization-server",
                                   "http://127.0.0.1:9100/.well-known/openid-configuration"});
    CHECK(authorization_server_metadata_urls("https://auth.example.com/tenant1") ==
          std::vector<std::string>{"https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
                                   "https://auth.example.com/.well-known/openid-configuration/tenant1",
                                   "https://auth.example.com/tenant1/.well-known/openid-configuration"});
    CHECK(origin_of("HTTPS://Example.COM:443/x") == "https://example.com");
    CHECK(origin_of("http://localhost:8000/mcp") == "http://localhost:8000");
}

TEST_CASE("protected-resource metadata must name the server we talk to") {
    CHECK(resource_matches("http://localhost:8000/mcp/", "http://localhost:8000/mcp"));
    CHECK(resource_matches("http://localhost:8000/mcp", "http://localhost:8000/mcp/"));
    CHECK(resource_matches("http://localhost:8000/mcp", "http://localhost:8000"));
    CHECK_FALSE(resource_matches("http://localhost:8000/mcp", "http://localhost:8001/mcp"));
    CHECK_FALSE(resource_matches("http://localhost:8000/mcp", "http://evil.example/mcp"));
    CHECK_FALSE(resource_matches("http://localhost:8000/mcp", "http://localhost:8000/other"));
    CHECK_FALSE(resource_matches("http://localhost:8000/mcpx", "http://localhost:8000/mcp"));
    CHECK_FALSE(resource_matches("http://localhost:8000/mcp", ""));
    CHECK(issuer_matches("http://127.0.0.1:9100", "http://127.0.0.1:9100/"));
    CHECK_FALSE(issuer_matches("http://127.0.0.1:9100", "http://127.0.0.1:9101"));
}

TEST_CASE("PKCE S256 matches RFC 7636 Appendix B; verifiers are fresh and well-formed") {
    CHECK(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    const Pkce a = make_pkce(), b = make_pkce();
    CHECK(a.verifier.size() == 43);
    CHECK(a.verifier != b.verifier);
    CHECK(a.challenge == s256_challenge(a.verifier));
}

TEST_CASE("form encoding escapes reserved characters") {
    CHECK(form_encode({{"a", "x y"}, {"redirect_uri", "http://127.0.0.1:1/cb?q=1&r"}}) ==
          "a=x%20y&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb%3Fq%3D1%26r");
}

TEST_CASE("token cache: 0700 directory, 0600 file, per-server key, round trip") {
    char tmpl[] = "/tmp/fastmcp-cache-XXXXXX";
    const std::string root = ::mkdtemp(tmpl);
    const std::string dir = root + "/fastmcp";
    TokenCache cache(dir);
    CachedTokens t;
    t.server_url = "http://localhost:8000/mcp/";
    t.access_token = "at";
    t.refresh_token = "rt";
    t.client_id = "c1";
    t.expires_at = 100;
    cache.save(t);
    struct stat st {};
    REQUIRE(::stat(cache.path_for(t.server_url).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((dir + "/tokens").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    // Same server with or without the trailing slash; another server does not see it.
    auto back = cache.load("http://localhost:8000/mcp");
    REQUIRE(back);
    CHECK(back->access_token == "at");
    CHECK(back->refresh_token == "rt");
    CHECK(back->expired(71));
    CHECK_FALSE(back->expired(69));
    CHECK_FALSE(cache.load("http://localhost:8001/mcp"));
    cache.erase(t.server_url);
    CHECK_FALSE(cache.load(t.server_url));
    std::filesystem::remove_all(root);

    ::setenv("XDG_CONFIG_HOME", "/tmp/xdg-test", 1);
    CHECK(default_config_dir() == "/tmp/xdg-test/fastmcp");
    ::unsetenv("XDG_CONFIG_HOME");
    ::setenv("HOME", "/home/someone", 1);
    CHECK(default_config_dir() == "/home/someone/.config/fastmcp");
}

#include "mcp_client.hpp"

TEST_CASE("MCP client over a fake transport: handshake headers, SSE replies, version check, JSON-RPC errors") {
    std::vector<HttpRequest> seen;
    std::string version = "2025-06-18";
    McpClientOptions o;
    o.http = [&](const HttpRequest &r) {
        seen.push_back(r);
        const auto msg = nlohmann::json::parse(r.body);
        HttpResponse res;
        if (!msg.contains("id")) {
            res.status = 202;
            return res;
        }
        res.status = 200;
        const std::string method = msg["method"];
        nlohmann::json reply = {{"jsonrpc", "2.0"}, {"id", msg["id"]}};
        if (method == "initialize") reply["result"] = {{"protocolVersion", version}, {"serverInfo", {{"name", "fake"}}}};
        else if (method == "boom") reply["error"] = {{"code", -32601}, {"message", "Method not found"}};
        else reply["result"] = nlohmann::json::object();
        if (method == "ping") { // a notification first, then our response, as an SSE stream
            res.headers = {{"Content-Type", "text/event-stream"}};
            res.body = "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}\n\ndata: " + reply.dump() + "\n\n";
        } else {
            res.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"Mcp-Session-Id", "sess-1"}};
            res.body = reply.dump();
        }
        return res;
    };
    McpClient c("http://127.0.0.1:1/mcp", nullptr, o);
    c.initialize();
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].body.find("notifications/initialized") != std::string::npos);
    auto has = [](const HttpRequest &r, const std::string &k, const std::string &v) {
        for (const auto &h : r.headers)
            if (h.first == k && h.second == v) return true;
        return false;
    };
    CHECK(has(seen[0], "Accept", "application/json, text/event-stream"));
    CHECK(has(seen[1], "MCP-Protocol-Version", "2025-06-18"));
    CHECK(has(seen[1], "Mcp-Session-Id", "sess-1"));
    CHECK(c.request("ping").is_object());
    try {
        c.request("boom");
        FAIL("expected an RpcError");
    } catch (const RpcError &e) {
        CHECK(e.code == -32601);
    }

    version = "1999-01-01";
    McpClient old("http://127.0.0.1:1/mcp", nullptr, o);
    CHECK_THROWS_AS(old.initialize(), TransportError);
}
