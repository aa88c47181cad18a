#include "http_server.hpp"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include <cstdio>
#include <istream>

namespace fastmcp::emulator {
namespace {

constexpr std::streamsize kMaxBodyBytes = 64 * 1024;

constexpr std::streamsize kMaxDrainBytes = 1 << 20;

// Reads at most kMaxBodyBytes; nullopt when the body is larger. An oversized body of moderate size
// is read and dropped so that the client sees the 413 instead of a reset connection.
std::optional<std::string> read_body(Poco::Net::HTTPServerRequest &req) {
    std::string body;
    char buf[8192];
    std::istream &in = req.stream();
    std::streamsize seen = 0;
    while (in && seen <= kMaxDrainBytes) {
        in.read(buf, sizeof buf);
        seen += in.gcount();
        if (seen <= kMaxBodyBytes) body.append(buf, static_cast<size_t>(in.gcount()));
    }
    if (seen > kMaxBodyBytes) return std::nullopt;
    return body;
}

std::optional<Params> parse_query(const std::string &uri) {
    try {
        Params out;
        for (auto &[k, v] : Poco::URI(uri).getQueryParameters()) out.emplace_back(k, v);
        return out;
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
}

std::optional<Params> parse_form(const std::string &body) {
    try {
        Poco::URI u;
        u.setRawQuery(body);
        Params out;
        for (auto &[k, v] : u.getQueryParameters()) out.emplace_back(k, v);
        return out;
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
}

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    Handler(AuthorizationServer &as, bool access_log) : as_(as), access_log_(access_log) {}

    void handleRequest(Poco::Net::HTTPServerRequest &req, Poco::Net::HTTPServerResponse &res) override {
        Reply reply = route(req);
        res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
        res.setContentType(reply.content_type);
        for (const auto &[k, v] : reply.headers) res.set(k, v);
        res.set("Access-Control-Allow-Origin", "*");
        res.setContentLength(static_cast<std::streamsize>(reply.body.size()));
        if (reply.status == 413) res.setKeepAlive(false);
        res.send() << reply.body;
        if (access_log_) // never the query string: it carries codes
            std::fprintf(stderr, "emulator: %s %s %d\n", req.getMethod().c_str(),
                         Poco::URI(req.getURI()).getPath().c_str(), reply.status);
    }

private:
    Reply route(Poco::Net::HTTPServerRequest &req) {
        std::string path;
        try {
            path = Poco::URI(req.getURI()).getPath();
        } catch (const Poco::Exception &) {
            return Reply::oauth_error(400, "invalid_request", "malformed request target");
        }
        const std::string &method = req.getMethod();
        if (method == "OPTIONS") {
            Reply r;
            r.status = 204;
            r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version");
            return r;
        }
        if (path.rfind("/__admin/", 0) == 0) return admin(req, path);
        if (as_.down()) return Reply::oauth_error(503, "temporarily_unavailable", "the emulator is simulating an outage");

        const bool get = method == "GET" || method == "HEAD";
        const bool post = method == "POST";
        if (path == "/.well-known/oauth-authorization-server" && get) return as_.authorization_server_metadata();
        if (path == "/.well-known/openid-configuration" && get) return as_.openid_configuration();
        if (path == "/oauth2/jwks" && get) return as_.jwks();
        if (as_.mode() == UpstreamMode::GitHub) { // GitHub's own paths (github.com and api.github.com)
            if (path == "/login/oauth/authorize" && get) {
                auto params = parse_query(req.getURI());
                if (!params) return Reply::oauth_error(400, "invalid_request", "malformed query");
                return as_.authorize(*params);
            }
            if (path == "/login/oauth/access_token" && post) {
                auto body = read_body(req);
                auto form = body ? parse_form(*body) : std::nullopt;
                if (!form) return Reply::oauth_error(400, "invalid_request", "malformed form body");
                return as_.token(*form, req.get("Authorization", ""));
            }
            if (path == "/user" && get) return as_.github_user(req.get("Authorization", ""));
        }
        if (path == "/oauth2/register" && post) {
            auto body = read_body(req);
            if (!body) return Reply::oauth_error(413, "invalid_client_metadata", "request body too large");
            return as_.register_client(*body);
        }
        if (path == "/oauth2/authorize" && (get || post)) {
            auto params = parse_query(req.getURI());
            if (!params) return Reply::oauth_error(400, "invalid_request", "malformed query");
            if (post) { // form_post variant: parameters in the body
                auto body = read_body(req);
                auto form = body ? parse_form(*body) : std::nullopt;
                if (!form) return Reply::oauth_error(400, "invalid_request", "malformed form body");
                params->insert(params->end(), form->begin(), form->end());
            }
            return as_.authorize(*params);
        }
        if (path == "/oauth2/token" && post) {
            auto body = read_body(req);
            if (!body) return Reply::oauth_error(413, "invalid_request", "request body too large");
            auto form = parse_form(*body);
            if (!form) return Reply::oauth_error(400, "invalid_request", "malformed form body");
            return as_.token(*form, req.get("Authorization", ""));
        }
        if (path == "/oauth2/userinfo" && (get || post)) return as_.userinfo(req.get("Authorization", ""));
        if (as_.mode() == UpstreamMode::Google) {
            if (path == "/oauth2/tokeninfo" && get) {
                auto params = parse_query(req.getURI());
                if (!params) return Reply::oauth_error(400, "invalid_request", "malformed query");
                return as_.tokeninfo(*params);
            }
            if (path == "/oauth2/revoke" && post) {
                auto body = read_body(req);
                auto form = body ? parse_form(*body) : std::nullopt;
                if (!form) return Reply::oauth_error(400, "invalid_request", "malformed form body");
                return as_.revoke(*form);
            }
        }

        for (const char *known : {"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration",
                                  "/oauth2/jwks", "/oauth2/register", "/oauth2/authorize", "/oauth2/token",
                                  "/oauth2/userinfo"})
            if (path == known) {
                Reply r = Reply::oauth_error(405, "invalid_request", "method not allowed");
                r.headers.emplace_back("Allow", path == "/oauth2/register" || path == "/oauth2/token" ? "POST" : "GET, POST");
                return r;
            }
        return Reply::oauth_error(404, "not_found", "no such route");
    }

    Reply admin(Poco::Net::HTTPServerRequest &req, const std::string &path) {
        const bool post = req.getMethod() == "POST";
        if (path == "/__admin/stats") return Reply::json(200, as_.stats());
        if (!post) return Reply::oauth_error(405, "invalid_request", "admin actions are POST");
        if (path == "/__admin/rotate-keys") {
            const auto q = parse_query(req.getURI()).value_or(Params{});
            bool keep = true;
            for (const auto &[k, v] : q)
                if (k == "keep_previous") keep = v != "false" && v != "0";
            const std::string kid = as_.rotate_keys(keep);
            return Reply::json(200, {{"current_kid", kid}, {"kept_previous", keep}});
        }
        if (path == "/__admin/mint") {
            auto body = read_body(req);
            if (!body) return Reply::oauth_error(413, "invalid_request", "request body too large");
            return as_.mint(*body);
        }
        if (path == "/__admin/down") {
            as_.set_down(true);
            return Reply::json(200, {{"down", true}});
        }
        if (path == "/__admin/up") {
            as_.set_down(false);
            return Reply::json(200, {{"down", false}});
        }
        return Reply::oauth_error(404, "not_found", "no such admin route");
    }

    AuthorizationServer &as_;
    bool access_log_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Factory(AuthorizationServer &as, bool access_log) : as_(as), access_log_(access_log) {}
    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
        return new Handler(as_, access_log_);
    }

private:
    AuthorizationServer &as_;
    bool access_log_;
};

} // namespace

EmulatorServer::EmulatorServer(EmulatorOptions options) : options_(std::move(options)) {}

EmulatorServer::~EmulatorServer() { stop(); }

void EmulatorServer::start() {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(options_.bind_host, options_.port), true);
    socket.listen(64);
    port_ = socket.address().port();
    std::string issuer = options_.issuer.empty() ? "http://127.0.0.1:" + std::to_string(port_) : options_.issuer;
    while (!issuer.empty() && issuer.back() == '/') issuer.pop_back(); // AuthKit issuers have none
    as_ = std::make_unique<AuthorizationServer>(options_, issuer);

    auto *params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(16);
    params->setMaxQueued(64);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(100);
    params->setKeepAliveTimeout(Poco::Timespan(10, 0));
    params->setTimeout(Poco::Timespan(10, 0));
    params->setServerName("fastmcp-authkit-emulator");
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*as_, options_.access_log), socket, params);
    server_->start();
}

void EmulatorServer::stop() {
    if (server_) {
        server_->stopAll(true);
        server_.reset();
    }
}

} // namespace fastmcp::emulator
