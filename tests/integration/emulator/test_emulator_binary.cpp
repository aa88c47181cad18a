// The fastmcp-authkit-emulator binary on a loopback port the OS picks: readiness line, routes over
// real HTTP, the whole authorization-code flow with client_secret_basic, admin rotation, outage.
#include <doctest/doctest.h>

#include "child_process.hpp"
#include "http_exchange.hpp"
#include "pkce.hpp"

#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/jose/jws.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include <sstream>

using fastmcp::client::HttpRequest;
using fastmcp::client::HttpResponse;
using fastmcp::client::http_exchange;
using nlohmann::json;

namespace {

struct Emulator {
    fastmcp::testing::ChildProcess proc;
    std::string base;

    explicit Emulator(std::vector<std::string> extra = {})
        : proc([&] {
              std::vector<std::string> argv{FASTMCP_BINARY_DIR "/bin/fastmcp-authkit-emulator", "--port", "0"};
              argv.insert(argv.end(), extra.begin(), extra.end());
              return argv;
          }()) {
        const std::string line = proc.wait_for_line("AuthKit emulator listening on http://127.0.0.1:");
        REQUIRE_MESSAGE(!line.empty(), "emulator printed no readiness line");
        base = "http://127.0.0.1:" + std::to_string(fastmcp::testing::port_from_line(line));
    }

    HttpResponse get(const std::string &path, fastmcp::client::Headers h = {}) {
        HttpRequest r;
        r.url = base + path;
        r.headers = std::move(h);
        return http_exchange(r);
    }
    HttpResponse post(const std::string &path, const std::string &body, fastmcp::client::Headers h = {}) {
        HttpRequest r;
        r.method = "POST";
        r.url = base + path;
        r.body = body;
        r.headers = std::move(h);
        return http_exchange(r);
    }
};

std::string basic(const std::string &id, const std::string &secret) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << id << ':' << secret;
    enc.close();
    return "Basic " + out.str();
}

} // namespace

TEST_CASE("emulator binary: discovery, full code flow with client_secret_basic, JWKS verification") {
    Emulator emu({"--token-lifetime", "120", "--user", "user_test_42,test@example.com"});

    const json meta = json::parse(emu.get("/.well-known/oauth-authorization-server").body);
    CHECK(meta["issuer"] == emu.base); // exactly, no trailing slash
    CHECK(meta["jwks_uri"] == emu.base + "/oauth2/jwks");
    const json oidc = json::parse(emu.get("/.well-known/openid-configuration").body);
    CHECK(oidc["issuer"] == emu.base);
    CHECK(oidc["userinfo_endpoint"] == emu.base + "/oauth2/userinfo");

    const std::string redirect = "http://127.0.0.1:1/callback";
    HttpResponse reg = emu.post("/oauth2/register",
                                json{{"redirect_uris", {redirect}}, {"grant_types", {"authorization_code", "refresh_token"}}}.dump(),
                                {{"Content-Type", "application/json"}});
    REQUIRE(reg.status == 201);
    const json client = json::parse(reg.body);
    CHECK(client["token_endpoint_auth_method"] == "client_secret_basic");

    const auto pkce = fastmcp::client::make_pkce();
    Poco::URI authz(emu.base + "/oauth2/authorize");
    authz.addQueryParameter("response_type", "code");
    authz.addQueryParameter("client_id", client["client_id"]);
    authz.addQueryParameter("redirect_uri", redirect);
    authz.addQueryParameter("code_challenge", pkce.challenge);
    authz.addQueryParameter("code_challenge_method", "S256");
    authz.addQueryParameter("state", "s-1");
    authz.addQueryParameter("resource", "http://localhost:8000/mcp");
    HttpRequest ar;
    ar.url = authz.toString();
    const HttpResponse redirected = http_exchange(ar);
    REQUIRE(redirected.status == 302);
    Poco::URI loc(redirected.header("Location"));
    CHECK(loc.getPath() == "/callback");
    std::string code, state;
    for (auto &[k, v] : loc.getQueryParameters()) {
        if (k == "code") code = v;
        if (k == "state") state = v;
    }
    CHECK(state == "s-1");

    const std::string form = fastmcp::client::form_encode({{"grant_type", "authorization_code"}, {"code", code},
                                                           {"redirect_uri", redirect}, {"code_verifier", pkce.verifier}});
    const HttpResponse bad = emu.post("/oauth2/token", form,
                                      {{"Content-Type", "application/x-www-form-urlencoded"},
                                       {"Authorization", basic(client["client_id"], "wrong")}});
    CHECK(bad.status == 401);
    CHECK(json::parse(bad.body)["error"] == "invalid_client");
    CHECK(bad.body.find(std::string(client["client_secret"])) == std::string::npos);

    const HttpResponse tok = emu.post("/oauth2/token", form,
                                      {{"Content-Type", "application/x-www-form-urlencoded"},
                                       {"Authorization", basic(client["client_id"], client["client_secret"])}});
    REQUIRE(tok.status == 200);
    const json t = json::parse(tok.body);
    CHECK(t["expires_in"] == 120);

    std::string err;
    auto keys = fastmcp::jose::parse_jwks(emu.get("/oauth2/jwks").body, {}, err);
    REQUIRE(keys);
    fastmcp::jose::Policy policy;
    policy.issuers = {emu.base};
    policy.audiences = {"http://localhost:8000/mcp"};
    const auto v = fastmcp::jose::verify(t["access_token"].get<std::string>(), *keys, policy,
                                         std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count());
    REQUIRE(v.ok());
    CHECK(v.claims["sub"] == "user_test_42");

    const HttpResponse ui = emu.get("/oauth2/userinfo", {{"Authorization", "Bearer " + t["access_token"].get<std::string>()}});
    REQUIRE(ui.status == 200);
    CHECK(json::parse(ui.body)["email"] == "test@example.com");

    CHECK(emu.proc.stop() == 0); // SIGTERM is a clean stop
}

TEST_CASE("emulator binary: admin rotation, JWKS fetch counting, outage and recovery, HTTP errors") {
    Emulator emu;
    const json before = json::parse(emu.get("/__admin/stats").body);
    emu.get("/oauth2/jwks");
    emu.get("/oauth2/jwks");
    json stats = json::parse(emu.get("/__admin/stats").body);
    CHECK(stats["jwks_fetches"].get<int>() == before["jwks_fetches"].get<int>() + 2);

    const json rotated = json::parse(emu.post("/__admin/rotate-keys", "").body);
    const json jwks = json::parse(emu.get("/oauth2/jwks").body);
    REQUIRE(jwks["keys"].size() == 2);
    CHECK(jwks["keys"][0]["kid"] == rotated["current_kid"]);
    CHECK(jwks["keys"][1]["kid"] == before["current_kid"]);
    emu.post("/__admin/rotate-keys?keep_previous=false", "");
    CHECK(json::parse(emu.get("/oauth2/jwks").body)["keys"].size() == 1);

    CHECK(emu.post("/__admin/down", "").status == 200);
    CHECK(emu.get("/oauth2/jwks").status == 503);
    CHECK(emu.get("/.well-known/oauth-authorization-server").status == 503);
    CHECK(emu.post("/__admin/up", "").status == 200);
    CHECK(emu.get("/oauth2/jwks").status == 200);

    CHECK(emu.get("/nope").status == 404);
    const HttpResponse m = emu.get("/oauth2/token");
    CHECK(m.status == 405);
    CHECK(m.header("Allow") == "POST");
    CHECK(emu.post("/oauth2/register", std::string(70 * 1024, 'x')).status == 413);
}

TEST_CASE("emulator binary: --start-down answers 503 until told up") {
    Emulator emu({"--start-down"});
    CHECK(emu.get("/.well-known/oauth-authorization-server").status == 503);
    emu.post("/__admin/up", "");
    CHECK(emu.get("/.well-known/oauth-authorization-server").status == 200);
}

TEST_CASE("emulator binary: bad flags exit 2") {
    fastmcp::testing::ChildProcess p({FASTMCP_BINARY_DIR "/bin/fastmcp-authkit-emulator", "--token-lifetime", "soon"},
                                     {}, /*merge_stderr=*/true);
    std::string out;
    CHECK(p.wait_exit(out) == 2);
    CHECK(out.find("--token-lifetime: expected a number of seconds") != std::string::npos);
}
