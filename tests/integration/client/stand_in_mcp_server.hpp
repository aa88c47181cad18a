// Test support: a tiny MCP resource server on loopback that checks bearer tokens against the
// emulator's JWKS with the JOSE core, the way the real host does, so the client can be tested
// before (and independently of) `fastmcp run`. Answers tools/list as text/event-stream on purpose.
#pragma once

#include "http_exchange.hpp"

#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/jose/jws.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace fastmcp::testing {

class StandInMcpServer {
public:
    explicit StandInMcpServer(std::string issuer) : state_(std::make_shared<State>()) {
        state_->issuer = std::move(issuer);
        Poco::Net::ServerSocket socket;
        socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
        socket.listen(16);
        state_->base = "http://127.0.0.1:" + std::to_string(socket.address().port());
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), socket, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~StandInMcpServer() { server_->stopAll(true); }

    std::string mcp_url() const { return state_->base + "/mcp"; }
    std::string base() const { return state_->base; }
    // The resource the metadata names (tests may point it elsewhere to see the client refuse).
    void set_advertised_resource(std::string r) { state_->advertised_resource = std::move(r); }
    int unauthorized_count() const { return state_->unauthorized; }

private:
    struct State {
        std::string issuer, base, advertised_resource;
        std::atomic<int> unauthorized{0};
    };

    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(std::shared_ptr<State> s) : s_(std::move(s)) {}
        void handleRequest(Poco::Net::HTTPServerRequest &req, Poco::Net::HTTPServerResponse &res) override {
            const std::string path = Poco::URI(req.getURI()).getPath();
            const std::string prm = s_->base + "/.well-known/oauth-protected-resource/mcp";
            if (path == "/.well-known/oauth-protected-resource/mcp") {
                const std::string resource = s_->advertised_resource.empty() ? s_->base + "/mcp" : s_->advertised_resource;
                send(res, 200, "application/json",
                     nlohmann::json{{"resource", resource}, {"authorization_servers", {s_->issuer}},
                                    {"scopes_supported", {"openid", "email"}}, {"bearer_methods_supported", {"header"}}}
                         .dump());
                return;
            }
            if (path != "/mcp" && path != "/mcp/") return send(res, 404, "text/plain", "");
            const std::string auth = req.get("Authorization", "");
            if (auth.rfind("Bearer ", 0) != 0) {
                ++s_->unauthorized;
                res.set("WWW-Authenticate", "Bearer resource_metadata=\"" + prm + "\"");
                return send(res, 401, "application/json", R"({"error":"invalid_token","error_description":"authentication required"})");
            }
            const auto verdict = verify(auth.substr(7));
            if (!verdict.ok()) {
                ++s_->unauthorized;
                res.set("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"" + verdict.detail +
                                                "\", resource_metadata=\"" + prm + "\"");
                return send(res, 401, "application/json", R"({"error":"invalid_token"})");
            }
            std::string body(std::istreambuf_iterator<char>(req.stream()), {});
            const auto msg = nlohmann::json::parse(body, nullptr, false);
            if (!msg.is_object() || !msg.contains("method")) return send(res, 400, "application/json", "{}");
            if (!msg.contains("id")) return send(res, 202, "application/json", "");
            const std::string method = msg["method"];
            nlohmann::json result = nlohmann::json::object();
            if (method == "initialize")
                result = {{"protocolVersion", "2025-06-18"}, {"capabilities", {{"tools", nlohmann::json::object()}}},
                          {"serverInfo", {{"name", "stand-in"}, {"version", "0"}}}};
            else if (method == "tools/list")
                result = {{"tools", {{{"name", "whoami"}, {"inputSchema", {{"type", "object"}}}}}}};
            else if (method == "tools/call")
                result = {{"content", {{{"type", "text"}, {"text", verdict.claims.value("sub", std::string())}}}}};
            const nlohmann::json reply = {{"jsonrpc", "2.0"}, {"id", msg["id"]}, {"result", result}};
            if (method == "tools/list") // exercise the client's SSE path
                return send(res, 200, "text/event-stream", "event: message\ndata: " + reply.dump() + "\n\n");
            send(res, 200, "application/json", reply.dump());
        }

    private:
        jose::Result verify(const std::string &token) {
            client::HttpRequest r;
            r.url = s_->issuer + "/oauth2/jwks";
            const auto jwks = client::http_exchange(r);
            std::string err;
            auto keys = jose::parse_jwks(jwks.body, {}, err);
            if (!keys) {
                jose::Result bad;
                bad.reason = FASTMCP_REASON_JWKS_UNAVAILABLE;
                bad.detail = "jwks unavailable";
                return bad;
            }
            jose::Policy p;
            p.issuers = {s_->issuer};
            p.audiences = {s_->base + "/mcp"};
            auto result = jose::verify(token, *keys, p,
                                       std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch()).count());
            result.key = nullptr; // points into `keys`, which dies here
            return result;
        }
        static void send(Poco::Net::HTTPServerResponse &res, int status, const std::string &ct, const std::string &body) {
            res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
            res.setContentType(ct);
            res.setContentLength(static_cast<std::streamsize>(body.size()));
            res.send() << body;
        }
        std::shared_ptr<State> s_;
    };

    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(std::shared_ptr<State> s) : s_(std::move(s)) {}
        Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
            return new Handler(s_);
        }

    private:
        std::shared_ptr<State> s_;
    };

    std::shared_ptr<State> state_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

} // namespace fastmcp::testing
