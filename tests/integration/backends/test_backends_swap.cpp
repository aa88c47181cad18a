// Swapping auth backends without recompiling: the same build/bin/fastmcp and the same greeter.so
// run four times, each with its own env file (AuthKitProvider against the emulator, JWTVerifier
// against a local JWKS, SupabaseProvider against the Supabase stand-in, StaticTokenVerifier).
// Each run accepts its own backend's token (200) and rejects the three others (401), and the
// binary is the same file, untouched, throughout.
#include <doctest/doctest.h>

#include "../supabase/supabase_test_support.hpp"

#include "fastmcp/jose/signer.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <sys/stat.h>

#include <chrono>
#include <map>

using namespace supabase_test;

namespace {

const std::string kBase = "http://127.0.0.1:8000";
const std::string kModule = std::string(FASTMCP_BINARY_DIR) + "/examples/greeter.so";

// A JWKS document served on loopback: the "local JWKS" of an in-house issuer.
class JwksServer {
  public:
    explicit JwksServer(std::string document) : document_(std::move(document)) {
        Poco::Net::ServerSocket socket;
        socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
        socket.listen(16);
        port_ = socket.address().port();
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(document_), socket,
                                                          new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~JwksServer() { server_->stopAll(true); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    struct Handler : Poco::Net::HTTPRequestHandler {
        explicit Handler(const std::string &doc) : doc(doc) {}
        void handleRequest(Poco::Net::HTTPServerRequest &req,
                           Poco::Net::HTTPServerResponse &res) override {
            const bool found = req.getURI() == "/jwks.json";
            res.setStatus(found ? Poco::Net::HTTPResponse::HTTP_OK
                                : Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            res.setContentType("application/json");
            const std::string body = found ? doc : "{}";
            res.setContentLength(static_cast<std::streamsize>(body.size()));
            res.send() << body;
        }
        const std::string &doc;
    };
    struct Factory : Poco::Net::HTTPRequestHandlerFactory {
        explicit Factory(const std::string &doc) : doc(doc) {}
        Poco::Net::HTTPRequestHandler *
        createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
            return new Handler(doc);
        }
        const std::string &doc;
    };
    std::string document_;
    uint16_t port_ = 0;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Backend {
    std::string name;
    std::string env;   // the env file's contents
    std::string token; // a token only this backend accepts
    std::string subject;
};

} // namespace

TEST_CASE("one fastmcp binary, one server module, four backends swapped by env file alone") {
    const std::string binary = host_test::fastmcp_binary();
    struct stat before {};
    REQUIRE(::stat(binary.c_str(), &before) == 0);

    Service emulator = start_emulator();
    Service standin = start_standin("backends-anon-key", "");

    // JWTVerifier's issuer: a key made here, its public half served as a JWKS.
    const auto key = fastmcp::jose::generate_key(fastmcp::jose::Alg::RS256);
    const json jwk =
        fastmcp::jose::public_jwk(key.get(), "local-rs256-1", fastmcp::jose::Alg::RS256);
    JwksServer jwks(json{{"keys", json::array({jwk})}}.dump());
    const std::string local_issuer = jwks.url();
    const std::string jwt_token = fastmcp::jose::sign_compact({{"kid", "local-rs256-1"}},
                                                              {{"iss", local_issuer},
                                                               {"sub", "jwt-user"},
                                                               {"aud", kBase + "/mcp"},
                                                               {"iat", now_s()},
                                                               {"exp", now_s() + 600}},
                                                              fastmcp::jose::Alg::RS256, key.get());

    const std::string static_token = "static-dev-token-4f1c9a7e2b";
    const std::vector<Backend> backends = {
        {"authkit",
         "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.workos.AuthKitProvider\n"
         "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=" +
             emulator.url +
             "\n"
             "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL=" +
             kBase + "\n",
         mint(emulator.port, {{"sub", "authkit-user"}, {"aud", kBase + "/mcp"}}), "authkit-user"},
        {"jwt",
         "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.jwt.JWTVerifier\n"
         "FASTMCP_SERVER_AUTH_JWT_JWKS_URI=" +
             local_issuer +
             "/jwks.json\n"
             "FASTMCP_SERVER_AUTH_JWT_ISSUER=" +
             local_issuer +
             "\n"
             "FASTMCP_SERVER_AUTH_JWT_BASE_URL=" +
             kBase + "\n",
         jwt_token, "jwt-user"},
        {"supabase",
         "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.supabase.SupabaseProvider\n"
         "FASTMCP_SERVER_AUTH_SUPABASE_PROJECT_URL=" +
             standin.url +
             "\n"
             "FASTMCP_SERVER_AUTH_SUPABASE_BASE_URL=" +
             kBase + "\n",
         mint(standin.port, {{"sub", "supabase-user"}}), "supabase-user"},
        {"static",
         "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.jwt.StaticTokenVerifier\n"
         "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_TOKENS='{\"" +
             static_token +
             "\": {\"client_id\": \"ci\", \"scopes\": [\"read\"], \"claims\": {\"sub\": "
             "\"static-user\"}}}'\n"
             "FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_BASE_URL=" +
             kBase + "\n",
         static_token, "static-user"},
    };

    TempDir dir;
    for (const auto &serving : backends) {
        INFO("backend: " << serving.name);
        const std::string env_file = dir.write(serving.name + ".env", serving.env);
        host_test::Process host(
            {kModule, "--transport", "http", "--port", "0", "--env-file", env_file});
        for (const auto &caller : backends) {
            INFO("token of: " << caller.name);
            const auto r = call_tool(host.port(), caller.token, "greet");
            if (&caller == &serving) {
                CHECK(r.status == 200);
                const json result = json::parse(r.body)["result"];
                CHECK(result["isError"] == false);
                CHECK(result["content"][0]["text"] == "Hello, " + caller.subject + "!");
            } else {
                CHECK(r.status == 401);
                CHECK(r.header("www-authenticate").find("invalid_token") != std::string::npos);
            }
        }
        // Every thread, the provider's key fetcher too, leaves SIGTERM to the host's drain.
        std::string unmasked;
        for (const auto &thread : host.threads_not_blocking(SIGTERM))
            unmasked += thread + ";";
        CHECK(unmasked == "");
        CHECK(host.stop() == 0);
        CHECK(host.stderr_text().find(serving.token) == std::string::npos);

        struct stat after {};
        REQUIRE(::stat(binary.c_str(), &after) == 0); // the same file, never rebuilt between runs
        CHECK(after.st_ino == before.st_ino);
        CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
        CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    }
}
