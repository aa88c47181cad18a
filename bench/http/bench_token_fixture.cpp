// The identity provider of bench/http: one RS256 (2048-bit) key, the token files wrk sends, and a
// loopback server that plays the AuthKit domain for both servers under test:
//   GET /.well-known/oauth-authorization-server  {"issuer": ..., "jwks_uri": ...}
//   GET /oauth2/jwks                             the public key
// Tokens are minted with the project's JOSE signer (providers/jose/signer.hpp) and written, one per
// line, to OUT/hot.txt (1 token), OUT/tokens.txt (--count distinct tokens, each with its own sub
// and jti) and OUT/invalid.txt (100 tokens with the right kid and claims, signed by another key:
// the full reject path, signature check included).
//
//   bench_token_fixture --out DIR --audience URL --scope "A B" [--count N] [--lifetime S]
//   stdout: "Listening on http://127.0.0.1:P" once the files are written and the port accepts.
#include "fastmcp/jose/signer.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace {

using json = nlohmann::json;
namespace jose = fastmcp::jose;

struct Documents {
    std::string metadata;
    std::string jwks;
};

class DocumentHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit DocumentHandler(const Documents &docs) : docs_(docs) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        const std::string &path = request.getURI();
        const std::string *body = path == "/.well-known/oauth-authorization-server" ? &docs_.metadata
                                  : path == "/oauth2/jwks"                         ? &docs_.jwks
                                                                                   : nullptr;
        if (!body) {
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.setContentLength(0);
            response.send();
            return;
        }
        response.setContentType("application/json");
        response.setContentLength(static_cast<std::streamsize>(body->size()));
        response.send() << *body;
    }

private:
    const Documents &docs_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(const Documents &docs) : docs_(docs) {}
    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
        return new DocumentHandler(docs_);
    }

private:
    const Documents &docs_;
};

void write_lines(const std::string &path, const std::vector<std::string> &lines) {
    std::ofstream out(path, std::ios::trunc);
    for (const auto &l : lines) out << l << '\n';
    if (!out) throw std::runtime_error("cannot write " + path);
}

} // namespace

int main(int argc, char **argv) {
    std::string out_dir, audience, scope;
    int count = 10000;
    long lifetime = 4 * 3600;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--out") out_dir = value;
        else if (flag == "--audience") audience = value;
        else if (flag == "--scope") scope = value;
        else if (flag == "--count") count = std::atoi(value.c_str());
        else if (flag == "--lifetime") lifetime = std::atol(value.c_str());
        else out_dir.clear(), i = argc;
    }
    if (out_dir.empty() || audience.empty() || count < 1) {
        std::fprintf(stderr, "usage: bench_token_fixture --out DIR --audience URL --scope \"A B\" [--count N] [--lifetime S]\n");
        return 2;
    }
    try {
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64);
        const std::string issuer = "http://127.0.0.1:" + std::to_string(socket.address().port());
        const std::string kid = "bench-key-1";
        jose::PkeyPtr key = jose::generate_key(jose::Alg::RS256);
        jose::PkeyPtr impostor = jose::generate_key(jose::Alg::RS256);

        Documents docs;
        docs.metadata = json{{"issuer", issuer},
                             {"jwks_uri", issuer + "/oauth2/jwks"},
                             {"authorization_endpoint", issuer + "/oauth2/authorize"},
                             {"token_endpoint", issuer + "/oauth2/token"},
                             {"response_types_supported", {"code"}},
                             {"code_challenge_methods_supported", {"S256"}}}
                            .dump();
        docs.jwks = json{{"keys", {jose::public_jwk(key.get(), kid, jose::Alg::RS256)}}}.dump();

        const long now = static_cast<long>(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
        auto mint = [&](int i, EVP_PKEY *signing_key) {
            json claims = {{"iss", issuer},
                           {"sub", "user_bench_" + std::to_string(i)},
                           {"aud", audience},
                           {"scope", scope},
                           {"client_id", "client_bench"},
                           {"jti", "jti-" + std::to_string(i)},
                           {"iat", now},
                           {"exp", now + lifetime}};
            return jose::sign_compact(json{{"kid", kid}}, claims, jose::Alg::RS256, signing_key);
        };
        std::vector<std::string> tokens;
        tokens.reserve(static_cast<size_t>(count));
        for (int i = 0; i < count; ++i) tokens.push_back(mint(i, key.get()));
        std::vector<std::string> invalid;
        for (int i = 0; i < 100; ++i) invalid.push_back(mint(1'000'000 + i, impostor.get()));
        write_lines(out_dir + "/hot.txt", {mint(-1, key.get())});
        write_lines(out_dir + "/tokens.txt", tokens);
        write_lines(out_dir + "/invalid.txt", invalid);

        auto *params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(4);
        Poco::Net::HTTPServer server(new Factory(docs), socket, params);
        server.start();
        std::printf("Listening on %s\n", issuer.c_str());
        std::fflush(stdout);
        int sig = 0;
        sigwait(&signals, &sig);
        server.stop();
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_token_fixture: %s\n", e.what());
        return 1;
    }
}
