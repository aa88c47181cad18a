// Token pass-through to Supabase, end to end with real binaries on loopback:
//   AuthKit emulator  ->  fastmcp run supabase_notes.so (AuthKitProvider)  ->  Supabase stand-in
// The stand-in trusts the emulator as a third-party issuer (JWKS via OIDC discovery), requires
// role=authenticated and scopes rows by `sub`, as Supabase with a WorkOS integration does.
#include <doctest/doctest.h>

#include "supabase_test_support.hpp"

#include <set>

using namespace supabase_test;

namespace {

const std::string kAnonKey = "test-anon-key-0123456789";
const std::string kBase = "http://127.0.0.1:8000"; // BASE_URL; tokens carry aud = kBase/mcp
const std::string kModule = std::string(FASTMCP_BINARY_DIR) + "/examples/supabase_notes.so";

struct Stack {
    Service emulator = start_emulator();
    Service standin = start_standin(kAnonKey, emulator.url);
    Service skewed = start_standin(kAnonKey, emulator.url, 7200); // two hours ahead: 1 h tokens are expired there
    TempDir dir;

    // `fastmcp run supabase_notes.so` configured only through an --env-file (so the module reads
    // SUPABASE_* through host->get_env, as the auth provider reads its settings).
    std::unique_ptr<host_test::Process> host_for(const Service &supabase, const std::string &name) {
        const std::string env_file = dir.write(name + ".env",
                                               "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.workos.AuthKitProvider\n"
                                               "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=" + emulator.url + "\n"
                                               "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL=" + kBase + "\n"
                                               "SUPABASE_URL=" + supabase.url + "\n"
                                               "SUPABASE_ANON_KEY=" + kAnonKey + "\n");
        return std::make_unique<host_test::Process>(
            std::vector<std::string>{kModule, "--transport", "http", "--port", "0", "--env-file", env_file});
    }

    std::string token_for(const std::string &sub) {
        return mint(emulator.port, {{"sub", sub}, {"aud", kBase + "/mcp"}});
    }
};

Stack &stack() {
    static Stack s;
    return s;
}

host_test::Process &host() {
    static auto p = stack().host_for(stack().standin, "supabase");
    return *p;
}

json tool_result(const host_test::Response &r) {
    REQUIRE(r.status == 200);
    const json body = json::parse(r.body);
    REQUIRE(body.contains("result"));
    return body["result"];
}

std::multiset<std::string> bodies_of(const json &result) {
    std::multiset<std::string> out;
    for (const auto &note : result["structuredContent"]["notes"]) out.insert(note["body"].get<std::string>());
    return out;
}

} // namespace

TEST_CASE("the AuthKit JWT the host accepted reaches Supabase unchanged and is accepted there") {
    const std::string token = stack().token_for("user_01ALICE0000000000000000000");
    const json added = tool_result(call_tool(host().port(), token, "add_note", {{"body", "first note"}}));
    CHECK(added["isError"] == false);
    CHECK(added["structuredContent"]["note"]["body"] == "first note");

    const auto seen = host_test::get(stack().standin.port, "/__admin/last-authorization-sha256");
    REQUIRE(seen.status == 200);
    CHECK(json::parse(seen.body)["sha256"] == sha256_hex("Bearer " + token)); // byte for byte

    const json listed = tool_result(call_tool(host().port(), token, "list_notes"));
    CHECK(listed["isError"] == false);
    CHECK(bodies_of(listed) == std::multiset<std::string>{"first note"});
    CHECK(json::parse(host_test::get(stack().standin.port, "/__admin/last-authorization-sha256").body)["sha256"] ==
          sha256_hex("Bearer " + token));
}

TEST_CASE("two users each see only their own notes (row-level security by sub)") {
    const std::string carol = stack().token_for("user_01CAROL0000000000000000000");
    const std::string dave = stack().token_for("user_01DAVE00000000000000000000");
    for (const char *body : {"carol 1", "carol 2"})
        CHECK(tool_result(call_tool(host().port(), carol, "add_note", {{"body", body}}))["isError"] == false);
    CHECK(tool_result(call_tool(host().port(), dave, "add_note", {{"body", "dave 1"}}))["isError"] == false);

    CHECK(bodies_of(tool_result(call_tool(host().port(), carol, "list_notes"))) ==
          std::multiset<std::string>{"carol 1", "carol 2"});
    CHECK(bodies_of(tool_result(call_tool(host().port(), dave, "list_notes"))) ==
          std::multiset<std::string>{"dave 1"});
    // A fresh user has nothing yet, although the table holds other users' rows.
    const std::string erin = stack().token_for("user_01ERIN00000000000000000000");
    CHECK(bodies_of(tool_result(call_tool(host().port(), erin, "list_notes"))).empty());
}

TEST_CASE("a token expired by Supabase's clock: the tool result is Supabase's 401 'JWT expired', never the token") {
    auto skewed_host = stack().host_for(stack().skewed, "skewed");
    const std::string token = stack().token_for("user_01ALICE0000000000000000000");
    const auto r = call_tool(skewed_host->port(), token, "list_notes");
    CHECK(r.status == 200); // the host accepted the token: the failure is Supabase's
    const json result = tool_result(r);
    CHECK(result["isError"] == true);
    const std::string text = result["content"][0]["text"].get<std::string>();
    CHECK(text.find("401") != std::string::npos);
    CHECK(text.find("JWT expired") != std::string::npos);
    CHECK(text.find("PGRST301") != std::string::npos);
    CHECK(result["structuredContent"]["status"] == 401);
    CHECK(r.body.find(token) == std::string::npos);
    CHECK(r.body.find(token.substr(token.rfind('.') + 1)) == std::string::npos); // not even the signature
    CHECK(json::parse(host_test::get(stack().skewed.port, "/__admin/last-authorization-sha256").body)["sha256"] ==
          sha256_hex("Bearer " + token));
    CHECK(skewed_host->stop() == 0);
    CHECK(skewed_host->stderr_text().find(token) == std::string::npos);
}

TEST_CASE("the stand-in is Supabase-shaped: apikey required, role required, project tokens accepted") {
    const int port = stack().standin.port;
    const std::string token = stack().token_for("user_01ALICE0000000000000000000");
    auto r = host_test::get(port, "/rest/v1/notes", {"Authorization: Bearer " + token});
    CHECK(r.status == 401);
    CHECK(json::parse(r.body)["message"] == "No API key found in request");
    r = host_test::get(port, "/rest/v1/notes", {"apikey: wrong", "Authorization: Bearer " + token});
    CHECK(r.status == 401);
    CHECK(json::parse(r.body)["message"] == "Invalid API key");
    r = host_test::get(port, "/rest/v1/notes", {"apikey: " + kAnonKey, "Authorization: Bearer not.a.jwt"});
    CHECK(r.status == 401);
    CHECK(json::parse(r.body)["code"] == "PGRST301");
    // Anonymous (apikey only): RLS shows nothing and refuses inserts.
    r = host_test::get(port, "/rest/v1/notes", {"apikey: " + kAnonKey});
    CHECK(r.status == 200);
    CHECK(r.body == "[]");
    r = host_test::post(port, R"({"body":"x"})", {"apikey: " + kAnonKey}, "/rest/v1/notes");
    CHECK(r.status == 401);
    CHECK(json::parse(r.body)["code"] == "42501");
    // The project's own Supabase Auth tokens are accepted too.
    const std::string own = mint(port, {{"sub", "supabase-user-1"}});
    r = host_test::post(port, R"({"body":"own"})", {"apikey: " + kAnonKey, "Authorization: Bearer " + own,
                                                    "Prefer: return=representation"},
                        "/rest/v1/notes");
    CHECK(r.status == 201);
    CHECK(json::parse(r.body)[0]["owner"] == "supabase-user-1");
}

TEST_CASE("missing or unsafe Supabase configuration stops the server at start-up, naming the variable") {
    TempDir dir;
    int files = 0;
    const auto run = [&](const std::string &extra) {
        const std::string env_file = dir.write("bad" + std::to_string(++files) + ".env",
                                               "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.workos.AuthKitProvider\n"
                                               "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=" + stack().emulator.url + "\n"
                                               "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL=" + kBase + "\n" + extra);
        host_test::Process p({kModule, "--transport", "http", "--port", "0", "--env-file", env_file}, {}, false);
        const int rc = p.wait_exit();
        return std::make_pair(rc, p.stderr_text());
    };
    auto [rc, err] = run("SUPABASE_ANON_KEY=k\n");
    CHECK(rc == 2);
    CHECK(err.find("SUPABASE_URL is not set") != std::string::npos);
    std::tie(rc, err) = run("SUPABASE_URL=http://127.0.0.1:1\n");
    CHECK(rc == 2);
    CHECK(err.find("SUPABASE_ANON_KEY is not set") != std::string::npos);
    std::tie(rc, err) = run("SUPABASE_URL=http://supabase.example.com\nSUPABASE_ANON_KEY=k\n");
    CHECK(rc == 2);
    CHECK(err.find("SUPABASE_URL:") != std::string::npos);
}
