#include "standin_server.hpp"

#include "host_services.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include <openssl/evp.h>

#include <cstdio>
#include <istream>
#include <optional>

namespace fastmcp::supabase_standin {
namespace {

constexpr std::streamsize kMaxBodyBytes = 64 * 1024;

std::optional<std::string> read_body(Poco::Net::HTTPServerRequest &req) {
    std::string body;
    char buf[8192];
    std::istream &in = req.stream();
    while (in) {
        in.read(buf, sizeof buf);
        body.append(buf, static_cast<size_t>(in.gcount()));
        if (static_cast<std::streamsize>(body.size()) > kMaxBodyBytes) return std::nullopt;
    }
    return body;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

std::string query_param(const Poco::URI &uri, const std::string &name) {
    for (const auto &[k, v] : uri.getQueryParameters())
        if (k == name) return v;
    return {};
}

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    Handler(StandinServer &server, bool access_log) : server_(server), access_log_(access_log) {}
    void handleRequest(Poco::Net::HTTPServerRequest &req, Poco::Net::HTTPServerResponse &res) override {
        Reply reply = server_.handle(req);
        res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
        res.setContentType(reply.content_type);
        for (const auto &[k, v] : reply.headers) res.set(k, v);
        res.setContentLength(static_cast<std::streamsize>(reply.body.size()));
        res.send() << reply.body;
        if (access_log_) // never headers or query strings: they carry keys and tokens
            std::fprintf(stderr, "supabase-standin: %s %s %d\n", req.getMethod().c_str(),
                         Poco::URI(req.getURI()).getPath().c_str(), reply.status);
    }

private:
    StandinServer &server_;
    bool access_log_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Factory(StandinServer &server, bool access_log) : server_(server), access_log_(access_log) {}
    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
        return new Handler(server_, access_log_);
    }

private:
    StandinServer &server_;
    bool access_log_;
};

} // namespace

StandinServer::StandinServer(StandinOptions options) : options_(std::move(options)) {}

StandinServer::~StandinServer() { stop(); }

void StandinServer::start() {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", options_.port), true);
    socket.listen(64);
    port_ = socket.address().port();
    base_url_ = "http://127.0.0.1:" + std::to_string(port_);
    host::HostServices::Options services;
    services.log = [](fastmcp_log_level level, std::string_view message) {
        if (level >= FASTMCP_LOG_WARNING)
            std::fprintf(stderr, "supabase-standin: %.*s\n", static_cast<int>(message.size()), message.data());
    };
    services_ = std::make_unique<host::HostServices>(std::move(services));
    project_ = std::make_unique<ProjectAuth>(base_url_ + "/auth/v1");
    JwtGate::Options gate;
    gate.third_party_issuer = options_.third_party_issuer;
    gate.clock_skew_s = options_.clock_skew_s;
    gate_ = std::make_unique<JwtGate>(plugin::Host(services_->api()), *project_, gate);

    auto *params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(16);
    params->setMaxQueued(64);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(10, 0));
    params->setTimeout(Poco::Timespan(10, 0));
    params->setServerName("fastmcp-supabase-standin");
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this, options_.access_log), socket, params);
    server_->start();
}

void StandinServer::stop() {
    if (server_) {
        server_->stopAll(true);
        server_.reset();
    }
}

Reply StandinServer::handle(Poco::Net::HTTPServerRequest &req) {
    std::string path;
    try {
        path = Poco::URI(req.getURI()).getPath();
    } catch (const Poco::Exception &) {
        return Reply::postgrest_error(400, "PGRST100", "malformed request target");
    }
    if (path == "/rest/v1/notes") return rest_notes(req);
    if (path == "/auth/v1/.well-known/jwks.json" && req.getMethod() == "GET") return Reply::json(200, project_->jwks());
    if (path.rfind("/__admin/", 0) == 0) return admin(req, path);
    if (path.rfind("/rest/v1/", 0) == 0)
        return Reply::postgrest_error(404, "PGRST205", "Could not find the table 'public." + path.substr(9) +
                                                           "' in the schema cache");
    return Reply::gateway_error(404, "no Route matched with those values", "");
}

Reply StandinServer::rest_notes(Poco::Net::HTTPServerRequest &req) {
    const std::string authorization = req.get("Authorization", "");
    {
        std::lock_guard lock(mu_);
        ++rest_requests_;
        if (!authorization.empty()) last_authorization_sha256_ = sha256_hex(authorization);
    }
    // The API gateway: the project's key, as header or ?apikey=.
    std::string apikey = req.get("apikey", "");
    if (apikey.empty()) apikey = query_param(Poco::URI(req.getURI()), "apikey");
    if (apikey.empty())
        return Reply::gateway_error(401, "No API key found in request", "No `apikey` request header or url param was found.");
    if (apikey != options_.anon_key)
        return Reply::gateway_error(401, "Invalid API key", "Double check your Supabase `anon` or `service_role` API key.");

    GateResult gate = gate_->check(authorization);
    if (!gate.caller) return gate.error;
    const Caller &caller = *gate.caller;

    if (req.getMethod() == "GET") return Reply::json(200, notes_.select_for(caller.sub)); // anon: RLS hides all
    if (req.getMethod() != "POST") {
        Reply r = Reply::postgrest_error(405, "PGRST117", "Unsupported HTTP method: " + req.getMethod());
        return r;
    }
    auto body = read_body(req);
    if (!body) return Reply::postgrest_error(413, "PGRST413", "Payload too large");
    const auto row = nlohmann::json::parse(*body, nullptr, false);
    if (!row.is_object()) return Reply::postgrest_error(400, "PGRST102", "Empty or invalid json");
    for (const auto &[k, v] : row.items())
        if (k != "body")
            return Reply::postgrest_error(400, "PGRST204", "Could not find the '" + k + "' column of 'notes' in the schema cache");
    if (!row.contains("body") || !row["body"].is_string())
        return Reply::postgrest_error(400, "23502", "null value in column \"body\" of relation \"notes\" violates not-null constraint");
    if (caller.role != "authenticated" || caller.sub.empty())
        return Reply::postgrest_error(401, "42501", "new row violates row-level security policy for table \"notes\"");
    const auto inserted = notes_.insert_for(caller.sub, row["body"].get<std::string>(), gate_->now_s());
    const std::string prefer = req.get("Prefer", "");
    if (prefer.find("return=representation") == std::string::npos) {
        Reply r;
        r.status = 201;
        return r;
    }
    Reply r = Reply::json(201, nlohmann::json::array({inserted}));
    r.headers.emplace_back("Preference-Applied", "return=representation");
    return r;
}

Reply StandinServer::admin(Poco::Net::HTTPServerRequest &req, const std::string &path) {
    if (path == "/__admin/last-authorization-sha256") {
        std::lock_guard lock(mu_);
        return Reply::json(200, {{"sha256", last_authorization_sha256_}, {"rest_requests", rest_requests_},
                                 {"rows", notes_.size()}});
    }
    if (path == "/__admin/mint" && req.getMethod() == "POST") {
        auto body = read_body(req);
        const auto q = body ? nlohmann::json::parse(*body, nullptr, false) : nlohmann::json();
        if (!q.is_object() || !q.contains("sub") || !q["sub"].is_string() || q["sub"].get<std::string>().empty() ||
            (q.contains("expires_in") && !q["expires_in"].is_number_integer()))
            return Reply::gateway_error(400, "body must be {\"sub\": string, \"expires_in\"?: integer}", "");
        const int64_t expires_in = q.value("expires_in", int64_t{3600});
        const std::string token = project_->mint(q["sub"].get<std::string>(), expires_in,
                                                 gate_->now_s() - options_.clock_skew_s); // real time: the skew is Supabase-side
        return Reply::json(200, {{"access_token", token}, {"token_type", "bearer"}, {"expires_in", expires_in}});
    }
    return Reply::gateway_error(404, "no such admin route", "");
}

} // namespace fastmcp::supabase_standin
