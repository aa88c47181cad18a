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
    auto c = parse_bearer_challenge(
        R"(Bearer resource_metadata="http://localhost:8000/.well-known/oauth-protected-resource/mcp")");
    REQUIRE(c);
    CHECK(c->get("resource_metadata") ==
          "http://localhost:8000/.well-known/oauth-protected-resource/mcp");
    c = parse_bearer_challenge(
        R"(Bearer error="invalid_token", error_description="the \"exp\" passed", resource_metadata="x")");
    REQUIRE(c);
    CHECK(c->get("error") == "invalid_token");
    CHECK(c->get("error_description") == "the \"exp\" passed");
    c = parse_bearer_challenge(
        R"(Basic realm="a", Bearer scope="read write", error=insufficient_scope)");
    REQUIRE(c);
    CHECK(c->get("scope") == "read write");
    CHECK(c->get("error") == "insufficient_scope");
    CHECK(parse_bearer_challenge("bearer")->params.empty());
    CHECK_FALSE(parse_bearer_challenge(R"(Basic realm="a")"));
    CHECK_FALSE(parse_bearer_challenge(""));
    CHECK_FALSE(parse_bearer_challenge(R"(Bearer error="unterminated)"));
}

TEST_CASE("SSE: data lines joined, comments and other fields ignored, CRLF and a missing final "
          "blank line") {
    auto m = sse_json_messages("event: message\r\ndata: {\"id\":1,\r\ndata: "
                               "\"result\":{}}\r\n\r\n: keepalive\n\ndata: {\"id\":2}");
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
          std::vector<std::string>{
              "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
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
    CHECK(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
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

TEST_CASE("MCP client over a fake transport: handshake headers, SSE replies, version check, "
          "JSON-RPC errors") {
    std::vector<HttpRequest> seen;
    std::string version = "2025-06-18";
    McpClientOptions o;
    o.get_stream = false;
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
        if (method == "initialize")
            reply["result"] = {{"protocolVersion", version}, {"serverInfo", {{"name", "fake"}}}};
        else if (method == "boom")
            reply["error"] = {{"code", -32601}, {"message", "Method not found"}};
        else
            reply["result"] = nlohmann::json::object();
        if (method == "ping") { // a notification first, then our response, as an SSE stream
            res.headers = {{"Content-Type", "text/event-stream"}};
            res.body = "data: "
                       "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
                       "message\",\"params\":{}}\n\ndata: " +
                       reply.dump() + "\n\n";
        } else {
            res.headers = {{"Content-Type", "application/json; charset=utf-8"},
                           {"Mcp-Session-Id", "sess-1"}};
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

TEST_CASE("SSE parser: id and retry survive a priming event with empty data; the id persists "
          "across events") {
    SseParser p;
    CHECK_FALSE(p.feed("id: event-1"));
    CHECK_FALSE(p.feed("retry: 500"));
    CHECK_FALSE(p.feed("data: "));
    auto e = p.feed("");
    REQUIRE(e);
    CHECK(e->id == "event-1");
    CHECK(e->data.empty());
    REQUIRE(e->retry_ms);
    CHECK(*e->retry_ms == 500);
    CHECK_FALSE(p.feed("retry: soon")); // not a number: ignored
    CHECK_FALSE(p.feed("data: {}"));
    e = p.feed("");
    REQUIRE(e);
    CHECK(e->id == "event-1");
    CHECK_FALSE(e->retry_ms);
    CHECK_FALSE(p.feed("data: {\"a\":1}"));
    e = p.finish(); // cut after the data line
    REQUIRE(e);
    CHECK(e->data == "{\"a\":1}");
}

#include "elicitation.hpp"

#include <sstream>

TEST_CASE("elicitation: SEP-1034 defaults, SEP-1330 enum forms, decline when a required field has "
          "no default") {
    const nlohmann::json schema = nlohmann::json::parse(R"({"type":"object","properties":{
        "name":{"type":"string","default":"John Doe"},"age":{"type":"integer","default":30},
        "score":{"type":"number","default":95.5},"verified":{"type":"boolean","default":true},
        "status":{"type":"string","enum":["active","inactive"],"default":"active"},
        "note":{"type":"string"}},"required":[]})");
    std::istringstream in;
    std::ostringstream out;
    auto r = answer_elicitation({{"message", "m"}, {"requestedSchema", schema}},
                                ElicitationMode::AcceptDefaults, in, out);
    CHECK(r["action"] == "accept");
    CHECK(r["content"] ==
          nlohmann::json::parse(
              R"({"name":"John Doe","age":30,"score":95.5,"verified":true,"status":"active"})"));

    auto required = schema;
    required["required"] = {"note"};
    CHECK(answer_elicitation({{"requestedSchema", required}}, ElicitationMode::AcceptDefaults, in,
                             out)["action"] == "decline");
    CHECK(answer_elicitation({{"requestedSchema", schema}}, ElicitationMode::Cancel, in, out) ==
          nlohmann::json{{"action", "cancel"}});

    auto titled = enum_options(nlohmann::json::parse(
        R"({"type":"string","oneOf":[{"const":"r","title":"Red"},{"const":"g","title":"Green"}]})"));
    REQUIRE(titled.size() == 2);
    CHECK(titled[1].first == "g");
    CHECK(titled[1].second == "Green");
    auto legacy = enum_options(
        nlohmann::json::parse(R"({"type":"string","enum":["a","b"],"enumNames":["A","B"]})"));
    REQUIRE(legacy.size() == 2);
    CHECK(legacy[0].second == "A");
    auto multi = enum_options(nlohmann::json::parse(
        R"({"type":"array","items":{"anyOf":[{"const":"x","title":"X"},{"const":"y","title":"Y"}]}})"));
    CHECK(multi.size() == 2);

    // Asked on a terminal: defaults on Enter, choices by number, a bad number asked again.
    const nlohmann::json form = nlohmann::json::parse(R"({"type":"object","properties":{
        "color":{"type":"string","oneOf":[{"const":"r","title":"Red"},{"const":"g","title":"Green"}]},
        "count":{"type":"integer","default":3},
        "tags":{"type":"array","items":{"enum":["x","y","z"]}}},"required":["color"]})");
    std::istringstream answers("\n2\n\nseven\n1, 3\na\n");
    auto asked = answer_elicitation({{"message", "pick"}, {"requestedSchema", form}},
                                    ElicitationMode::Ask, answers, out);
    CHECK(asked["action"] == "accept");
    CHECK(asked["content"]["color"] == "g");
    CHECK(asked["content"]["count"] == 3);
    CHECK(asked["content"]["tags"] == nlohmann::json::array({"x", "z"}));
}

#include "client_assertion.hpp"

#include "fastmcp/jose/base64url.hpp"
#include "fastmcp/jose/signer.hpp"

#include <openssl/pem.h>

namespace {
std::string pem_of(fastmcp::jose::Alg alg) {
    auto key = fastmcp::jose::generate_key(alg);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
}
} // namespace

TEST_CASE("private_key_jwt: the algorithm comes from the key; iss = sub = client_id, aud = issuer, "
          "short-lived") {
    const std::string ec = pem_of(fastmcp::jose::Alg::ES256);
    CHECK(client_key_algorithm(ec) == "ES256");
    CHECK(client_key_algorithm(pem_of(fastmcp::jose::Alg::RS256)) == "RS256");
    CHECK_THROWS(client_key_algorithm(pem_of(fastmcp::jose::Alg::EdDSA)));
    CHECK_THROWS(client_key_algorithm("not a key"));

    const std::string jwt = make_client_assertion(ec, "my-client", "https://as.example", 1000);
    const auto dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
    const auto header =
        nlohmann::json::parse(*fastmcp::jose::base64url_decode(jwt.substr(0, dot1)));
    const auto claims = nlohmann::json::parse(
        *fastmcp::jose::base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
    CHECK(header["alg"] == "ES256");
    CHECK(claims["iss"] == "my-client");
    CHECK(claims["sub"] == "my-client");
    CHECK(claims["aud"] == "https://as.example");
    CHECK(claims["exp"] == 1300);
    CHECK(claims["jti"].get<std::string>().size() >= 16);
    CHECK(fastmcp::jose::base64url_decode(jwt.substr(dot2 + 1))->size() == 64); // P1363 r||s
}

TEST_CASE("MCP client: a stream that ends before its response is resumed by GET with Last-Event-ID "
          "after retry:; "
          "an elicitation request on the stream is answered") {
    std::vector<HttpRequest> seen;
    std::vector<std::chrono::milliseconds> slept;
    McpClientOptions o;
    o.get_stream = false;
    o.sleep = [&](std::chrono::milliseconds d) { slept.push_back(d); };
    o.elicit = [](const nlohmann::json &params) {
        return nlohmann::json{{"action", "accept"}, {"content", {{"echo", params["message"]}}}};
    };
    o.http = [&](const HttpRequest &r) {
        seen.push_back(r);
        HttpResponse res;
        res.status = 200;
        if (r.method == "GET") {
            res.headers = {{"Content-Type", "text/event-stream"}};
            res.body =
                "id: e2\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"done\":true}}\n\n";
            return res;
        }
        const auto msg = nlohmann::json::parse(r.body);
        if (!msg.contains("method")) { // our answer to the server's request
            res.status = 202;
            return res;
        }
        const std::string method = msg["method"];
        if (method == "initialize") {
            res.headers = {{"Content-Type", "application/json"}, {"Mcp-Session-Id", "s-9"}};
            res.body = nlohmann::json{{"jsonrpc", "2.0"},
                                      {"id", msg["id"]},
                                      {"result", {{"protocolVersion", "2025-11-25"}}}}
                           .dump();
        } else if (method == "notifications/initialized") {
            res.status = 202;
        } else { // tools/call: a priming event, a server request, then the stream closes early
            res.headers = {{"Content-Type", "text/event-stream"}};
            res.body = "id: e1\nretry: 500\ndata: \n\n"
                       "data: "
                       "{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"method\":\"elicitation/"
                       "create\",\"params\":{\"message\":\"hi\"}}\n\n";
        }
        return res;
    };
    McpClient c("http://127.0.0.1:1/mcp", nullptr, o);
    c.initialize();
    CHECK(seen[0].body.find("\"elicitation\":{}") != std::string::npos); // advertised
    CHECK(c.request("tools/call", {{"name", "t"}}) == nlohmann::json{{"done", true}});
    REQUIRE(seen.size() == 5);
    const auto answer = nlohmann::json::parse(seen[3].body);
    CHECK(answer["id"] == "q");
    CHECK(answer["result"]["content"]["echo"] == "hi");
    CHECK(seen[4].method == "GET");
    CHECK(find_header(seen[4].headers, "Last-Event-ID") == "e1");
    CHECK(find_header(seen[4].headers, "Mcp-Session-Id") == "s-9");
    REQUIRE(slept.size() == 1);
    CHECK(slept[0] == std::chrono::milliseconds(500));
}
