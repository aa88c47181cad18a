// `fastmcp client URL --auth oauth ping` and `call whoami`, the real CLI against the real
// `fastmcp run` (AuthKitProvider chosen by env) and the real emulator, all on loopback.
#include <doctest/doctest.h>

#include "../emulator/child_process.hpp"
#include "http_exchange.hpp"
#include "token_cache.hpp"

#include <Poco/Net/ServerSocket.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sys/stat.h>

using fastmcp::testing::ChildProcess;
using nlohmann::json;

namespace {

const std::string kBin = FASTMCP_BINARY_DIR "/bin/";
const std::string kSubject = "user_01CLITESTSUBJECT000000000";

// `fastmcp run` needs its public BASE_URL up front (the token audience), so we pick a free port.
int free_port() {
    Poco::Net::ServerSocket s;
    s.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
    return s.address().port();
}

struct Stack {
    ChildProcess emulator{{kBin + "fastmcp-authkit-emulator", "--port", "0", "--user", kSubject + ",cli@example.com"}};
    std::string issuer;
    int port = free_port();
    std::unique_ptr<ChildProcess> server;
    std::string config;

    Stack() {
        const std::string line = emulator.wait_for_line("AuthKit emulator listening on");
        REQUIRE(!line.empty());
        issuer = "http://127.0.0.1:" + std::to_string(fastmcp::testing::port_from_line(line));
        server = std::make_unique<ChildProcess>(
            std::vector<std::string>{kBin + "fastmcp", "run", "--transport", "http", "--host", "127.0.0.1", "--port",
                                     std::to_string(port)},
            std::vector<std::string>{"FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.workos.AuthKitProvider",
                                     "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=" + issuer,
                                     "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL=http://127.0.0.1:" + std::to_string(port)});
        REQUIRE_MESSAGE(!server->wait_for_line("Listening on http://").empty(), "fastmcp run did not become ready");
        char tmpl[] = "/tmp/fastmcp-cli-test-XXXXXX";
        config = ::mkdtemp(tmpl);
    }
    ~Stack() { std::filesystem::remove_all(config); }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/mcp/"; }

    int client(std::vector<std::string> args, std::string &output) {
        std::vector<std::string> argv{kBin + "fastmcp", "client", url()};
        argv.insert(argv.end(), args.begin(), args.end());
        ChildProcess p(argv, {"XDG_CONFIG_HOME=" + config, "DISPLAY=", "WAYLAND_DISPLAY="}, /*merge_stderr=*/true);
        return p.wait_exit(output);
    }
    json stats() {
        fastmcp::client::HttpRequest r;
        r.url = issuer + "/__admin/stats";
        return json::parse(fastmcp::client::http_exchange(r).body);
    }
};

} // namespace

TEST_CASE("fastmcp client --auth oauth: ping and call whoami against fastmcp run + AuthKitProvider + emulator") {
    Stack s;
    std::string out;
    REQUIRE_MESSAGE(s.client({"--auth", "oauth", "ping"}, out) == 0, out);
    CHECK(out.find("ping ok") != std::string::npos);
    CHECK(out.find("server requires OAuth") != std::string::npos);
    CHECK(s.stats()["registrations"] == 1);
    CHECK(s.stats()["tokens_issued"] == 1);

    const fastmcp::client::TokenCache cache(s.config + "/fastmcp");
    const auto cached = cache.load(s.url());
    REQUIRE(cached);
    struct stat st {};
    REQUIRE(::stat(cache.path_for(s.url()).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(out.find(cached->access_token) == std::string::npos); // never printed unless asked
    CHECK(out.find(cached->refresh_token) == std::string::npos);

    // Second command: the cached token, no new sign-in.
    REQUIRE_MESSAGE(s.client({"--auth", "oauth", "call", "whoami", "{}"}, out) == 0, out);
    CHECK(out.find(kSubject) != std::string::npos);
    CHECK(out.find("server requires OAuth") == std::string::npos);
    CHECK(s.stats()["registrations"] == 1);
    CHECK(out.find(cached->access_token) == std::string::npos);

    REQUIRE(s.client({"--auth", "oauth", "--show-token", "ping"}, out) == 0);
    CHECK(out.find("access_token: " + cached->access_token) != std::string::npos);

    REQUIRE(s.client({"--auth", "oauth", "tools"}, out) == 0);
    CHECK(out.find("\"whoami\"") != std::string::npos);
}

TEST_CASE("fastmcp client: no auth gets a clear 401; a bad bearer token is refused; usage errors exit 2") {
    Stack s;
    std::string out;
    CHECK(s.client({"ping"}, out) == 3);
    CHECK(out.find("401") != std::string::npos);
    CHECK(s.client({"--auth", "bearer:not-a-real-token", "ping"}, out) == 3);
    CHECK(out.find("not-a-real-token") == std::string::npos);
    CHECK(s.client({"--auth", "magic", "ping"}, out) == 2);
    CHECK(s.client({"frobnicate"}, out) == 2);
    CHECK(s.client({"call", "whoami", "[1]"}, out) == 2);
    // A Client ID Metadata Document URL is https, or http on a loopback host: parsed, not
    // prefix-matched.
    for (const char *bad : {"http://localhost.evil.example/client.json", "http://127.0.0.1.evil.example/c",
                            "http://example.com/client.json", "https://user@example.com/c", "example.com/c"})
        CHECK_MESSAGE(s.client({"--auth", "oauth", "--client-metadata-url", bad, "ping"}, out) == 2, bad);
}
