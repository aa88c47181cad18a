// The stack ceiling for bench/http: Poco's own HTTPServer and HTTPRequestHandler, a JSON-RPC body
// parsed with nlohmann and an echo result built from it. No MCP layer, no auth, no limits: whatever
// `fastmcp run` costs above this server is ours to explain.
//
//   bench_ceiling_server [--port P] [--threads N]   -> stdout: "Listening on http://127.0.0.1:P/mcp"
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>

namespace {

using json = nlohmann::json;

class EchoHandler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override {
        std::string body(std::istreambuf_iterator<char>(request.stream()), {});
        json message = json::parse(body, nullptr, false);
        json reply;
        if (message.is_object() && message.contains("params")) {
            const json &params = message["params"];
            std::string text = params.contains("arguments") ? params["arguments"].value("text", "") : "";
            reply = {{"jsonrpc", "2.0"},
                     {"id", message.value("id", json())},
                     {"result", {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"isError", false}}}};
        } else {
            reply = {{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32700}, {"message", "Parse error"}}}};
            response.setStatus(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
        }
        const std::string out = reply.dump();
        response.setContentType("application/json");
        response.setContentLength(static_cast<std::streamsize>(out.size()));
        response.send().write(out.data(), static_cast<std::streamsize>(out.size()));
    }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
        return new EchoHandler;
    }
};

} // namespace

int main(int argc, char **argv) {
    int port = 0, threads = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--port") port = std::atoi(argv[i + 1]);
        else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: bench_ceiling_server [--port P] [--threads N]\n");
            return 2;
        }
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    Poco::ThreadPool pool(2, threads);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), 256);
    auto *params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(1000); // the same as fastmcp run's
    Poco::Net::HTTPServer server(new Factory, pool, socket, params);
    server.start();
    std::printf("Listening on http://127.0.0.1:%d/mcp\n", static_cast<int>(socket.address().port()));
    std::fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
    return 0;
}
