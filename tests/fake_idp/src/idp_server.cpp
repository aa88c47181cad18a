#include "idp_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <istream>
#include <ostream>

namespace fastmcp::fake_idp {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void send(HTTPServerResponse &res, int status, const std::string &body,
          const std::string &content_type = "application/json") {
    res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    res.setContentType(content_type);
    res.setContentLength(static_cast<std::streamsize>(body.size()));
    res.send() << body;
}

void send_error(HTTPServerResponse &res, int status, const std::string &what) {
    send(res, status, nlohmann::json{{"error", what}}.dump());
}

std::string read_small_body(HTTPServerRequest &req) {
    std::string body;
    char buf[4096];
    std::istream &in = req.stream();
    while (in && body.size() < 64 * 1024) {
        in.read(buf, sizeof buf);
        body.append(buf, static_cast<size_t>(in.gcount()));
    }
    return body;
}

std::string path_of(const HTTPServerRequest &req) {
    try {
        return Poco::URI(req.getURI()).getPath();
    } catch (const Poco::Exception &) {
        return {};
    }
}

// Streams `bytes` of a JSON-looking document that never ends properly, 64 KiB at a time, so the
// fake IdP itself never holds it. Stops quietly when the client goes away.
void send_huge(HTTPServerResponse &res, uint64_t bytes, bool content_length) {
    res.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    res.setContentType("application/json");
    if (content_length) res.setContentLength64(static_cast<Poco::Int64>(bytes));
    else res.setChunkedTransferEncoding(true);
    std::string chunk(64 * 1024, ' ');
    chunk.replace(0, 9, "{\"keys\":[");
    try {
        std::ostream &out = res.send();
        for (uint64_t sent = 0; sent < bytes && out;) {
            const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), bytes - sent));
            out.write(chunk.data(), static_cast<std::streamsize>(n));
            sent += n;
            if (sent == n) chunk.replace(0, 9, "         ");
        }
        out.flush();
    } catch (const Poco::Exception &) {
        // the client hung up after its size limit: expected
    }
}

class IdpHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit IdpHandler(FakeIdpServer &server) : server_(server) {}

    void handleRequest(HTTPServerRequest &req, HTTPServerResponse &res) override {
        IdpState &state = server_.state();
        const std::string path = path_of(req);
        const bool jwks = path == "/oauth2/jwks";
        const bool metadata = path == "/.well-known/oauth-authorization-server" ||
                              path == "/.well-known/openid-configuration";
        if (!jwks && !metadata) return send_error(res, 404, "not_found");
        if (req.getMethod() != "GET") return send_error(res, 405, "method_not_allowed");
        state.count(jwks);
        switch (state.fault_for(jwks)) {
        case Fault::Hang:
            state.hang(server_.options().hang_max_ms);
            return send_error(res, 503, "hung");
        case Fault::Status500: return send_error(res, 500, "server_error");
        case Fault::Garbage:
            return send(res, 200, "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"<html>Bad Gateway</html>");
        case Fault::Huge:
            return send_huge(res, server_.options().huge_bytes, state.huge_content_length());
        case Fault::Unusable:
            if (jwks) return send(res, 200, state.unusable_jwks_document());
            break;
        case Fault::Healthy: break;
        }
        send(res, 200, jwks ? state.jwks_document() : state.metadata_document());
    }

private:
    FakeIdpServer &server_;
};

class AdminHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit AdminHandler(FakeIdpServer &server) : server_(server) {}

    void handleRequest(HTTPServerRequest &req, HTTPServerResponse &res) override {
        try {
            route(req, res);
        } catch (const std::exception &e) {
            if (!res.sent()) send(res, 400, nlohmann::json{{"error", "bad_request"}, {"detail", e.what()}}.dump());
        }
    }

private:
    void route(HTTPServerRequest &req, HTTPServerResponse &res) {
        IdpState &state = server_.state();
        const std::string path = path_of(req);
        if (path == "/__admin/stats" && req.getMethod() == "GET") {
            nlohmann::json s = state.stats();
            s["up"] = server_.is_up();
            return send(res, 200, s.dump());
        }
        if (req.getMethod() != "POST") return send_error(res, 404, "not_found");
        const std::string text = read_small_body(req);
        const nlohmann::json body = text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
        if (path == "/__admin/mode") {
            const std::string mode = body.value("mode", "");
            if (mode == "down") {
                server_.down();
            } else if (mode == "up") {
                server_.up();
            } else {
                auto fault = parse_fault(mode);
                auto target = parse_target(body.value("target", "all"));
                if (!fault || !target) return send_error(res, 400, "unknown mode or target");
                state.set_fault(*fault, *target, body.value("content_length", false));
                if (*fault == Fault::Healthy) server_.up(); // healthy means reachable too
            }
            nlohmann::json s = state.stats();
            s["up"] = server_.is_up();
            return send(res, 200, s.dump());
        }
        if (path == "/__admin/rotate") {
            const std::string kid = state.rotate(body.value("keep_previous", true));
            return send(res, 200, nlohmann::json{{"kid", kid}, {"published_kids", state.published_kids()}}.dump());
        }
        if (path == "/__admin/drop-kid" || path == "/__admin/publish-kid") {
            const std::string kid = body.at("kid").get<std::string>();
            const bool ok = path == "/__admin/drop-kid" ? state.drop_kid(kid) : state.publish_kid(kid);
            if (!ok) return send_error(res, 404, "unknown kid");
            return send(res, 200, nlohmann::json{{"published_kids", state.published_kids()}}.dump());
        }
        if (path == "/__admin/mint") {
            MintRequest m;
            if (body.contains("kid")) m.kid = body.at("kid").get<std::string>();
            m.sub = body.value("sub", m.sub);
            m.exp_in = body.value("exp_in", m.exp_in);
            if (body.contains("aud")) m.aud = body.at("aud");
            if (body.contains("scope")) m.scope = body.at("scope").get<std::string>();
            if (body.contains("iss")) m.iss = body.at("iss").get<std::string>();
            if (body.contains("extra")) m.extra = body.at("extra");
            auto [token, kid] = state.mint(m);
            return send(res, 200, nlohmann::json{{"token", token}, {"kid", kid}}.dump());
        }
        send_error(res, 404, "not_found");
    }

    FakeIdpServer &server_;
};

template <class Handler>
class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(FakeIdpServer &server) : server_(server) {}
    Poco::Net::HTTPRequestHandler *createRequestHandler(const HTTPServerRequest &) override {
        return new Handler(server_);
    }

private:
    FakeIdpServer &server_;
};

Poco::Net::HTTPServerParams::Ptr params(int max_threads) {
    Poco::Net::HTTPServerParams::Ptr p = new Poco::Net::HTTPServerParams;
    p->setMaxThreads(max_threads);
    p->setMaxQueued(256);
    p->setKeepAlive(true);
    return p;
}

} // namespace

FakeIdpServer::FakeIdpServer(ServerOptions options) : options_(options) {}

FakeIdpServer::~FakeIdpServer() {
    std::lock_guard lock(mu_);
    state_.stop_hanging();
    if (idp_) idp_->stopAll(true);
    if (admin_) admin_->stopAll(true);
    idp_.reset();
    admin_.reset();
    if (idp_pool_) idp_pool_->joinAll();
    if (admin_pool_) admin_pool_->joinAll();
}

void FakeIdpServer::start() {
    std::lock_guard lock(mu_);
    idp_pool_ = std::make_unique<Poco::ThreadPool>(2, 64);
    admin_pool_ = std::make_unique<Poco::ThreadPool>(2, 16);
    Poco::Net::ServerSocket admin_socket(Poco::Net::SocketAddress("127.0.0.1", options_.admin_port), 64);
    admin_port_ = admin_socket.address().port();
    admin_ = std::make_unique<Poco::Net::HTTPServer>(new Factory<AdminHandler>(*this), *admin_pool_,
                                                     admin_socket, params(16));
    admin_->start();
    port_ = options_.port;
    open_idp_locked();
    state_.set_issuer("http://127.0.0.1:" + std::to_string(port_));
}

void FakeIdpServer::open_idp_locked() {
    // ServerSocket(address, backlog) binds with SO_REUSEADDR, so `up` gets the same port back.
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", port_), 64);
    port_ = socket.address().port();
    idp_ = std::make_unique<Poco::Net::HTTPServer>(new Factory<IdpHandler>(*this), *idp_pool_, socket, params(64));
    idp_->start();
}

void FakeIdpServer::down() {
    std::lock_guard lock(mu_);
    if (!idp_) return;
    idp_->stop(); // stop accepting
    state_.stop_hanging();
    idp_.reset(); // closes the listening socket: new connections are refused
}

void FakeIdpServer::up() {
    std::lock_guard lock(mu_);
    if (!idp_) open_idp_locked();
}

bool FakeIdpServer::is_up() const {
    std::lock_guard lock(mu_);
    return idp_ != nullptr;
}

} // namespace fastmcp::fake_idp
