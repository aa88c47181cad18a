// `fastmcp auth doctor` as a real binary: each test sets up one situation (the AuthKit emulator with
// or without a metadata defect, a bad audience, a bad token...) and asserts the step id, its status
// and a substring of the suggested fix, plus the exit code and that the token never appears.
#include "../emulator/child_process.hpp"

#include "fastmcp/jose/signer.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using nlohmann::json;
using fastmcp::testing::ChildProcess;

namespace {

const std::string kBin = FASTMCP_BINARY_DIR "/bin/";

std::string temp_path(const std::string &name) {
    return "/tmp/fastmcp-auth-doctor-" + std::to_string(::getpid()) + "-" + name;
}

void write_file(const std::string &path, const std::string &text) { std::ofstream(path) << text; }

std::string read_file(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A loopback port nothing listens on: bound by the OS, then released.
int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

struct Emulator {
    std::unique_ptr<ChildProcess> process;
    std::string url;
    explicit Emulator(std::vector<std::string> flags = {}) {
        std::vector<std::string> argv = {kBin + "fastmcp-authkit-emulator", "--port", "0"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        process = std::make_unique<ChildProcess>(argv);
        const int port = fastmcp::testing::port_from_line(process->wait_for_line("listening on"));
        REQUIRE(port > 0);
        url = "http://127.0.0.1:" + std::to_string(port);
    }
    json get(const std::string &path) const { return call(Poco::Net::HTTPRequest::HTTP_GET, path, ""); }
    // An access token signed by the emulator's current key (POST /__admin/mint).
    std::string mint(const json &request) const {
        return call(Poco::Net::HTTPRequest::HTTP_POST, "/__admin/mint", request.dump())["access_token"];
    }
    json call(const std::string &method, const std::string &path, const std::string &body) const {
        Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(std::stoi(url.substr(url.rfind(':') + 1))));
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::stringstream out;
        out << session.receiveResponse(response).rdbuf();
        return json::parse(out.str());
    }
};

std::string authkit_env(const std::string &domain, const std::string &extra = "") {
    return "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.workos.AuthKitProvider\n"
           "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=" + domain + "\n"
           "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL=http://127.0.0.1:8000\n"
           "FASTMCP_PROVIDER_PATH=" FASTMCP_PROVIDER_DIR "\n" + extra;
}

struct Run {
    int exit_code = -1;
    std::string out; // stdout
    std::string err; // stderr
    json report;     // stdout parsed, with --json

    const json &step(const std::string &id) const {
        static const json none;
        for (const auto &s : report["steps"])
            if (s["id"] == id) return s;
        return none;
    }
    std::string status(const std::string &id) const {
        const json &s = step(id);
        return s.is_object() ? s["status"].get<std::string>() : "(absent)";
    }
    std::string fix(const std::string &id) const {
        const json &s = step(id);
        return s.is_object() && s["fix"].is_string() ? s["fix"].get<std::string>() : "";
    }
    std::string detail(const std::string &id) const {
        const json &s = step(id);
        return s.is_object() ? s["detail"].get<std::string>() : "";
    }
};

// Runs `fastmcp auth doctor` in a clean environment: only the env file counts.
Run doctor(const std::string &env_text, const std::string &args, bool as_json = true) {
    const std::string env_file = temp_path("env"), out_file = temp_path("out"), err_file = temp_path("err");
    write_file(env_file, env_text);
    const std::string cmd = "env -i PATH=/usr/bin:/bin " + kBin + "fastmcp auth doctor --env-file " + env_file +
                            (as_json ? " --json " : " ") + args + " >" + out_file + " 2>" + err_file;
    const int status = std::system(cmd.c_str());
    Run r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out_file);
    r.err = read_file(err_file);
    for (const auto &f : {env_file, out_file, err_file}) std::remove(f.c_str());
    if (as_json && r.exit_code != 2) r.report = json::parse(r.out, nullptr, false);
    return r;
}

bool has(const std::string &haystack, const std::string &needle) { return haystack.find(needle) != std::string::npos; }

} // namespace

TEST_CASE("healthy AuthKit set-up: every step ok, exit 0") {
    Emulator emu;
    Run r = doctor(authkit_env(emu.url), "");
    CAPTURE(r.out);
    CHECK(r.exit_code == 0);
    CHECK(r.report["ok"] == true);
    for (const char *id : {"env_file", "provider", "settings", "discovery", "jwks", "registration", "audience"})
        CHECK_MESSAGE(r.status(id) == "ok", id);
    CHECK(has(r.detail("provider"), "workos.so"));
    CHECK(has(r.detail("discovery"), "issuer " + emu.url));
    CHECK(has(r.detail("jwks"), "1 usable key"));
    CHECK(has(r.detail("registration"), emu.url + "/oauth2/register"));
    CHECK(has(r.detail("audience"), "http://127.0.0.1:8000/mcp"));

    SUBCASE("the text report: one line per step and a summary") {
        Run t = doctor(authkit_env(emu.url), "", false);
        CAPTURE(t.out);
        CHECK(t.exit_code == 0);
        CHECK(has(t.out, "ok       discovery"));
        CHECK(has(t.out, "ok       registration"));
        CHECK(has(t.out, "OK: 0 failed, 0 warnings"));
    }
}

TEST_CASE("--json shape: {ok, steps:[{id,status,detail,fix}]} in the documented order") {
    Emulator emu;
    Run r = doctor(authkit_env(emu.url), "");
    REQUIRE(r.report.is_object());
    std::vector<std::string> keys;
    for (const auto &[k, v] : r.report.items()) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"ok", "steps"});
    std::vector<std::string> ids;
    for (const auto &s : r.report["steps"]) {
        ids.push_back(s["id"]);
        CHECK(s["detail"].is_string());
        const std::string st = s["status"];
        CHECK((st == "ok" || st == "warn" || st == "fail" || st == "skipped"));
        CHECK((st == "ok" ? s["fix"].is_null() : true));
    }
    CHECK(ids == std::vector<std::string>{"env_file", "provider", "settings", "discovery", "jwks", "registration",
                                          "audience"});
}

TEST_CASE("unreachable issuer: discovery fails with the domain in the fix; later network steps skipped") {
    const std::string domain = "http://127.0.0.1:" + std::to_string(closed_port());
    Run r = doctor(authkit_env(domain), "");
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    CHECK(r.report["ok"] == false);
    CHECK(r.status("settings") == "ok");
    CHECK(r.status("discovery") == "fail");
    CHECK(has(r.fix("discovery"), "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=" + domain));
    CHECK(r.status("jwks") == "skipped");
    CHECK(r.status("registration") == "skipped");
    CHECK(r.status("audience") == "ok"); // does not depend on the network
}

TEST_CASE("issuer mismatch: discovery fails naming both issuers") {
    Emulator emu({"--advertise-issuer", "https://other-project.authkit.example"});
    Run r = doctor(authkit_env(emu.url), "");
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    CHECK(r.status("discovery") == "fail");
    CHECK(has(r.detail("discovery"), "https://other-project.authkit.example"));
    CHECK(has(r.detail("discovery"), emu.url));
    CHECK(has(r.fix("discovery"), "AUTHKIT_DOMAIN"));
    CHECK(r.status("jwks") == "skipped");
}

TEST_CASE("Dynamic Client Registration off: registration fails with the dashboard fix") {
    Emulator emu({"--no-registration-endpoint"});
    Run r = doctor(authkit_env(emu.url), "");
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    CHECK(r.status("discovery") == "ok");
    CHECK(r.status("registration") == "fail");
    CHECK(has(r.detail("registration"), "registration_endpoint"));
    CHECK(has(r.fix("registration"), "enable Dynamic Client Registration in the WorkOS Dashboard"));
}

TEST_CASE("PKCE S256 not advertised: registration fails") {
    Emulator emu({"--no-pkce-s256"});
    Run r = doctor(authkit_env(emu.url), "");
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    CHECK(r.status("registration") == "fail");
    CHECK(has(r.detail("registration"), "S256"));
    CHECK(has(r.fix("registration"), "PKCE with S256"));
}

TEST_CASE("bad audience: the audience step warns with the resource URL to use") {
    Emulator emu;
    SUBCASE("an audience that is not the resource URL") {
        Run r = doctor(authkit_env(emu.url, "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUDIENCE=https://wrong.example/mcp\n"), "");
        CAPTURE(r.out);
        CHECK(r.exit_code == 0); // a warning, not a failure
        CHECK(r.status("audience") == "warn");
        CHECK(has(r.detail("audience"), "https://wrong.example/mcp"));
        CHECK(has(r.fix("audience"), "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUDIENCE=http://127.0.0.1:8000/mcp"));
        CHECK(has(r.fix("audience"), "MCP resource indicators"));
    }
    SUBCASE("the '*' opt-out") {
        Run r = doctor(authkit_env(emu.url, "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUDIENCE=*\n"), "");
        CAPTURE(r.out);
        CHECK(r.status("audience") == "warn");
        CHECK(has(r.detail("audience"), "audience check is off"));
        CHECK(has(r.fix("audience"), "unset FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUDIENCE"));
    }
    SUBCASE("BASE_URL that already ends with the MCP path") {
        std::string env = authkit_env(emu.url);
        env.replace(env.find("BASE_URL=http://127.0.0.1:8000"), 30, "BASE_URL=http://127.0.0.1:8000/mcp");
        Run r = doctor(env, "");
        CAPTURE(r.out);
        CHECK(r.status("audience") == "warn");
        CHECK(has(r.detail("audience"), "http://127.0.0.1:8000/mcp/mcp"));
        CHECK(has(r.fix("audience"), "without /mcp"));
    }
}

TEST_CASE("bad token: the token step fails with the reason; the token is never printed") {
    Emulator emu;
    // Signed by a key of our own under the emulator's kid: found, but the signature does not verify.
    const std::string kid = emu.get("/oauth2/jwks")["keys"][0]["kid"];
    auto key = fastmcp::jose::generate_key(fastmcp::jose::Alg::RS256);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    const json claims = {{"iss", emu.url}, {"sub", "user_1"}, {"aud", "http://127.0.0.1:8000/mcp"},
                         {"iat", now}, {"exp", now + 600}};
    const std::string token = fastmcp::jose::sign_compact({{"kid", kid}}, claims, fastmcp::jose::Alg::RS256, key.get());
    const std::string signature = token.substr(token.rfind('.') + 1);

    Run r = doctor(authkit_env(emu.url), "--token " + token);
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    CHECK(r.status("jwks") == "ok");
    CHECK(r.status("token") == "fail");
    CHECK(r.step("token")["reason"] == "bad_signature");
    CHECK(has(r.detail("token"), "bad_signature"));
    CHECK(has(r.fix("token"), "signature does not verify"));
    CHECK(r.step("token")["claims"]["sub"] == "user_1");
    CHECK(!has(r.out, signature));
    CHECK(!has(r.err, signature));

    SUBCASE("the text form shows the decoded claims, never the token") {
        Run t = doctor(authkit_env(emu.url), "--token " + token, false);
        CAPTURE(t.out);
        CHECK(t.exit_code == 1);
        CHECK(has(t.out, "FAIL     token"));
        CHECK(has(t.out, "\"sub\": \"user_1\""));
        CHECK(has(t.out, "signature: (elided"));
        CHECK(!has(t.out, signature));
    }
}

TEST_CASE("tokens the issuer really signed: valid (exit 0) and expired (token fails)") {
    Emulator emu;
    SUBCASE("valid") {
        const std::string token = emu.mint({{"sub", "user_doctor"}, {"aud", "http://127.0.0.1:8000/mcp"}});
        Run r = doctor(authkit_env(emu.url), "--token " + token);
        CAPTURE(r.out);
        CHECK(r.exit_code == 0);
        CHECK(r.status("token") == "ok");
        CHECK(r.step("token")["reason"] == "ok");
        CHECK(has(r.detail("token"), "valid: subject user_doctor"));
        CHECK(!has(r.out, token.substr(token.rfind('.') + 1)));
    }
    SUBCASE("expired an hour ago") {
        const std::string token =
            emu.mint({{"sub", "user_doctor"}, {"aud", "http://127.0.0.1:8000/mcp"}, {"expires_in", -3600}});
        Run r = doctor(authkit_env(emu.url), "--token " + token);
        CAPTURE(r.out);
        CHECK(r.exit_code == 1);
        CHECK(r.status("token") == "fail");
        CHECK(r.step("token")["reason"] == "expired");
        CHECK(has(r.fix("token"), "get a fresh token"));
        CHECK(!has(r.out, token.substr(token.rfind('.') + 1)));
    }
    SUBCASE("issued for another resource") {
        const std::string token = emu.mint({{"sub", "user_doctor"}, {"aud", "https://elsewhere.example/mcp"}});
        Run r = doctor(authkit_env(emu.url), "--token " + token);
        CAPTURE(r.out);
        CHECK(r.status("token") == "fail");
        CHECK(r.step("token")["reason"] == "wrong_audience");
        CHECK(has(r.fix("token"), "see the audience step"));
    }
}

TEST_CASE("settings and provider failures land on their own step") {
    Emulator emu;
    SUBCASE("a misspelt variable: settings warns with did-you-mean") {
        Run r = doctor(authkit_env(emu.url, "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_REQUIRED_SCOPE=openid\n"), "");
        CAPTURE(r.out);
        CHECK(r.exit_code == 0);
        CHECK(r.status("settings") == "warn");
        CHECK(has(r.detail("settings"), "did you mean FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_REQUIRED_SCOPES?"));
        CHECK(has(r.fix("settings"), "rename"));
    }
    SUBCASE("a missing required setting: settings fails, the network steps are skipped") {
        Run r = doctor("FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.workos.AuthKitProvider\n"
                       "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=" + emu.url + "\n"
                       "FASTMCP_PROVIDER_PATH=" FASTMCP_PROVIDER_DIR "\n", "");
        CAPTURE(r.out);
        CHECK(r.exit_code == 1);
        CHECK(r.status("provider") == "ok");
        CHECK(has(r.detail("provider"), "workos.so"));
        CHECK(r.status("settings") == "fail");
        CHECK(has(r.detail("settings"), "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL"));
        CHECK(has(r.fix("settings"), "fastmcp providers"));
        CHECK(r.status("discovery") == "skipped");
    }
    SUBCASE("an unknown module: provider fails") {
        Run r = doctor("FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.nosuchmodule.Thing\n"
                       "FASTMCP_PROVIDER_PATH=" FASTMCP_PROVIDER_DIR "\n", "");
        CAPTURE(r.out);
        CHECK(r.exit_code == 1);
        CHECK(r.status("env_file") == "ok");
        CHECK(r.status("provider") == "fail");
        CHECK(has(r.detail("provider"), "unknown_module"));
        CHECK(has(r.fix("provider"), "FASTMCP_PROVIDER_PATH"));
        CHECK(r.status("settings") == "skipped");
    }
}

TEST_CASE("--probe: the running server's protected-resource metadata") {
    Emulator emu;
    const int port = closed_port();
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    std::string env = authkit_env(emu.url);
    env.replace(env.find("BASE_URL=http://127.0.0.1:8000"), 30, "BASE_URL=" + base);

    SUBCASE("no server: probe fails, suggesting to start it") {
        Run r = doctor(env, "--probe");
        CAPTURE(r.out);
        CHECK(r.exit_code == 1);
        CHECK(r.status("probe") == "fail");
        CHECK(has(r.fix("probe"), "start the server"));
    }
    SUBCASE("fastmcp run with the same environment: probe ok") {
        const std::string env_file = temp_path("run-env");
        write_file(env_file, env);
        ChildProcess server({kBin + "fastmcp", "run", "--transport", "http", "--port", std::to_string(port),
                             "--env-file", env_file});
        REQUIRE(!server.wait_for_line("Listening on").empty());
        Run r = doctor(env, "--probe");
        std::remove(env_file.c_str());
        CAPTURE(r.out);
        CHECK(r.exit_code == 0);
        CHECK(r.status("probe") == "ok");
        CHECK(has(r.detail("probe"), base + "/.well-known/oauth-protected-resource/mcp"));
    }
}

TEST_CASE("providers without discovery: the steps that do not apply are skipped") {
    SUBCASE("StaticTokenVerifier: a listed token is valid, another is unknown_token") {
        const std::string env = "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.jwt.StaticTokenVerifier\n"
                                "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_TOKENS={\"dev-token-doctor-1\":"
                                "{\"client_id\":\"c1\",\"scopes\":[\"read\"]}}\n"
                                "FASTMCP_PROVIDER_PATH=" FASTMCP_PROVIDER_DIR "\n";
        Run ok = doctor(env, "--token dev-token-doctor-1");
        CAPTURE(ok.out);
        CHECK(ok.exit_code == 0);
        for (const char *id : {"discovery", "jwks", "registration", "audience"}) CHECK_MESSAGE(ok.status(id) == "skipped", id);
        CHECK(ok.status("token") == "ok");
        CHECK(!has(ok.out, "dev-token-doctor-1"));

        Run bad = doctor(env, "--token not-in-the-list-42");
        CAPTURE(bad.out);
        CHECK(bad.exit_code == 1);
        CHECK(bad.step("token")["reason"] == "unknown_token");
        CHECK(has(bad.fix("token"), "static token list"));
        CHECK(!has(bad.out, "not-in-the-list-42"));
    }
    SUBCASE("IntrospectionTokenVerifier: an unreachable endpoint fails discovery; the secret is never printed") {
        const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/oauth2/introspect";
        Run r = doctor("FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.introspection.IntrospectionTokenVerifier\n"
                       "FASTMCP_SERVER_AUTH_INTROSPECTION_INTROSPECTION_URL=" + url + "\n"
                       "FASTMCP_SERVER_AUTH_INTROSPECTION_CLIENT_ID=doctor-client\n"
                       "FASTMCP_SERVER_AUTH_INTROSPECTION_CLIENT_SECRET=s3cret-doctor-value\n"
                       "FASTMCP_PROVIDER_PATH=" FASTMCP_PROVIDER_DIR "\n", "");
        CAPTURE(r.out);
        CHECK(r.exit_code == 1);
        CHECK(r.status("discovery") == "fail");
        CHECK(has(r.fix("discovery"), "FASTMCP_SERVER_AUTH_INTROSPECTION_INTROSPECTION_URL"));
        CHECK(r.status("jwks") == "skipped");
        CHECK(!has(r.out, "s3cret-doctor-value"));
    }
}

TEST_CASE("usage errors exit 2") {
    Run r = doctor("", "--no-such-flag");
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "unknown option"));
}
