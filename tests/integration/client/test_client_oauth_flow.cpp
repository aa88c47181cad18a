// The client's OAuth flow end to end on loopback: the emulator in-process, a stand-in MCP server
// that verifies tokens against the emulator's JWKS, and the real client pieces (discovery, DCR,
// PKCE, loopback listener, token exchange, cache, refresh, retry after a rejected token).
#include <doctest/doctest.h>

#include "authorizers.hpp"
#include "http_server.hpp"
#include "mcp_client.hpp"
#include "oauth_flow.hpp"
#include "stand_in_mcp_server.hpp"
#include "token_cache.hpp"

#include <Poco/URI.h>

#include <filesystem>
#include <sys/stat.h>

using namespace fastmcp::client;
using nlohmann::json;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/fastmcp-client-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

struct World {
    fastmcp::emulator::EmulatorServer emulator{[] {
        fastmcp::emulator::EmulatorOptions o;
        o.token_lifetime_s = 600;
        o.user.sub = "user_flow_test";
        return o;
    }()};
    std::unique_ptr<fastmcp::testing::StandInMcpServer> mcp;
    TempDir config;
    std::vector<std::string> progress;

    World() {
        emulator.start();
        mcp = std::make_unique<fastmcp::testing::StandInMcpServer>(emulator.issuer());
    }
    json stats() { return emulator.authorization_server().stats(); }
    OAuthOptions options(int64_t clock_offset = 0) {
        OAuthOptions o;
        o.open_browser = false;
        o.browser_timeout = std::chrono::seconds(5);
        o.progress = [this](const std::string &m) { progress.push_back(m); };
        if (clock_offset)
            o.clock = [clock_offset] {
                return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
                       clock_offset;
            };
        return o;
    }
};

} // namespace

TEST_CASE("oauth: 401 -> discovery -> registration -> PKCE -> loopback -> token -> MCP calls; then cache and refresh") {
    World w;
    const std::string url = w.mcp->mcp_url() + "/"; // the docs' trailing-slash form
    {
        OAuthSession session(url, TokenCache(w.config.path), w.options());
        OAuthAuthorizer auth(session);
        McpClient mcp(url, &auth);
        const json init = mcp.initialize();
        CHECK(init["serverInfo"]["name"] == "stand-in");
        CHECK(mcp.request("ping").is_object());
        const json tools = mcp.request("tools/list"); // arrives as text/event-stream
        CHECK(tools["tools"][0]["name"] == "whoami");
        const json who = mcp.request("tools/call", {{"name", "whoami"}, {"arguments", json::object()}});
        CHECK(who["content"][0]["text"] == "user_flow_test");
    }
    json s = w.stats();
    CHECK(s["registrations"] == 1);
    CHECK(s["authorizations"] == 1);
    CHECK(s["tokens_issued"] == 1);
    CHECK(w.mcp->unauthorized_count() == 1);

    const TokenCache cache(w.config.path);
    struct stat st {};
    REQUIRE(::stat(cache.path_for(url).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto cached = cache.load(url);
    REQUIRE(cached);
    CHECK(cached->resource == w.mcp->mcp_url());
    CHECK_FALSE(cached->refresh_token.empty());
    for (const auto &line : w.progress) CHECK(line.find(cached->access_token) == std::string::npos);

    SUBCASE("a second run uses the cached token: no registration, no new token, no 401") {
        OAuthSession session(url, TokenCache(w.config.path), w.options());
        OAuthAuthorizer auth(session);
        McpClient mcp(url, &auth);
        mcp.initialize();
        mcp.request("ping");
        CHECK(w.stats()["registrations"] == 1);
        CHECK(w.stats()["tokens_issued"] == 1);
        CHECK(w.mcp->unauthorized_count() == 1);
    }
    SUBCASE("an expired cached token is refreshed with the refresh token before the request") {
        OAuthSession session(url, TokenCache(w.config.path), w.options(/*clock_offset=*/3600));
        OAuthAuthorizer auth(session);
        McpClient mcp(url, &auth);
        mcp.initialize();
        CHECK(w.stats()["refreshes"] == 1);
        CHECK(w.stats()["registrations"] == 1);
        CHECK(cache.load(url)->refresh_token != cached->refresh_token); // rotated and saved
    }
    SUBCASE("a token the server rejects (its key was revoked) is refreshed once, then the call succeeds") {
        w.emulator.authorization_server().rotate_keys(/*keep_previous=*/false);
        OAuthSession session(url, TokenCache(w.config.path), w.options());
        OAuthAuthorizer auth(session);
        McpClient mcp(url, &auth);
        mcp.initialize();
        CHECK(mcp.request("tools/call", {{"name", "whoami"}})["content"][0]["text"] == "user_flow_test");
        CHECK(w.stats()["refreshes"] == 1);
        CHECK(w.mcp->unauthorized_count() == 2);
    }
}

TEST_CASE("oauth: metadata for another resource is refused") {
    World w;
    w.mcp->set_advertised_resource("http://127.0.0.1:1/mcp");
    OAuthSession session(w.mcp->mcp_url(), TokenCache(w.config.path), w.options());
    OAuthAuthorizer auth(session);
    McpClient mcp(w.mcp->mcp_url(), &auth);
    CHECK_THROWS_AS(mcp.initialize(), OAuthError);
    CHECK(w.stats()["registrations"] == 0);
}

TEST_CASE("oauth: a callback whose state does not match is refused (CSRF)") {
    World w;
    OAuthOptions o = w.options();
    // An authorization server that redirects back with someone else's state.
    o.http = [](const HttpRequest &r) {
        HttpResponse res = http_exchange(r);
        if (r.url.find("/oauth2/authorize") != std::string::npos && res.status == 302) {
            for (auto &[k, v] : res.headers)
                if (k == "Location") {
                    Poco::URI u(v);
                    Poco::URI::QueryParameters q = u.getQueryParameters();
                    for (auto &[qk, qv] : q)
                        if (qk == "state") qv = "attacker";
                    u.setQueryParameters(q);
                    v = u.toString();
                }
        }
        return res;
    };
    OAuthSession session(w.mcp->mcp_url(), TokenCache(w.config.path), o);
    OAuthAuthorizer auth(session);
    McpClient mcp(w.mcp->mcp_url(), &auth);
    CHECK_THROWS_WITH_AS(mcp.initialize(), doctest::Contains("state"), OAuthError);
    CHECK(w.stats()["tokens_issued"] == 0);
}

TEST_CASE("bearer: a fixed token is sent as is and a 401 is final") {
    World w;
    BearerAuthorizer auth("not-a-jwt");
    McpClient mcp(w.mcp->mcp_url(), &auth);
    try {
        mcp.initialize();
        FAIL("expected a 401");
    } catch (const TransportError &e) {
        CHECK(e.status == 401);
        CHECK(std::string(e.what()).find("not-a-jwt") == std::string::npos);
    }
}
