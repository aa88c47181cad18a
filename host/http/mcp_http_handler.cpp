#include "mcp_http_handler.hpp"

#include "origin_guard.hpp"

#include "../auth/bearer_header.hpp"
#include "../auth/challenge.hpp"
#include "../auth/verify_watchdog.hpp"
#include "../mcp/protocol_version.hpp"
#include "../server/request_context.hpp"
#include "host_services.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <istream>

namespace fastmcp::host {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

constexpr const char *kAllowHeaders =
    "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID";

std::string json_error(std::string_view error, std::string_view description) {
    return nlohmann::json{{"error", error}, {"error_description", description}}.dump();
}

// Prefers text/html when the Accept header ranks it above application/json (browser sign-in).
bool prefers_html(const std::string &accept) {
    size_t html = accept.find("text/html");
    if (html == std::string::npos) return false;
    size_t json = accept.find("application/json");
    return json == std::string::npos || html < json;
}

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace

struct McpHttpHandler::Exchange {
    HTTPServerRequest &request;
    HTTPServerResponse &response;
    ConnectionState &connection;
    std::string_view path;
    std::string_view query;
    std::shared_ptr<const AuthView> auth; // pinned for the whole request (reload-safe)
    int status = 0;
    size_t bytes = 0;

    const AuthBackend *backend() const { return auth ? auth->backend.get() : nullptr; }
    void header(const std::string &name, const std::string &value) { response.set(name, value); }
    void send(int code, std::string_view content_type, std::string_view body) {
        status = code;
        bytes = body.size();
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
        if (!content_type.empty()) response.setContentType(std::string(content_type));
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        std::ostream &out = response.send();
        if (!body.empty()) out.write(body.data(), static_cast<std::streamsize>(body.size()));
    }
    // After an early answer the unread body would corrupt the next request on this connection.
    void close_after() { response.setKeepAlive(false); }
    // Reads and drops a small body of known length, so that an early answer (a 401 on every
    // request of a client with a bad token) keeps the connection instead of costing a reconnect.
    // Bodies above the limit, chunked ones and Expect: 100-continue still close the connection.
    bool discard_small_body() {
        constexpr std::streamsize kLimit = 64 * 1024;
        if (!request.hasContentLength() || request.getExpectContinue()) return false;
        const auto length = request.getContentLength64();
        if (length < 0 || length > kLimit) return false;
        char buffer[8192];
        std::istream &in = request.stream();
        std::streamsize left = static_cast<std::streamsize>(length);
        while (left > 0 && in.read(buffer, std::min<std::streamsize>(left, sizeof buffer)))
            left -= in.gcount();
        return left == 0;
    }
};

McpHttpHandler::McpHttpHandler(HttpAppConfig config) : config_(std::move(config)) {
    mcp_path_slash_ = config_.mcp_path + "/";
}

void McpHttpHandler::handle(HTTPServerRequest &request, HTTPServerResponse &response,
                            ConnectionState &connection) {
    const auto started = std::chrono::steady_clock::now();
    const std::string &uri = request.getURI();
    std::string_view target(uri);
    size_t q = target.find('?');
    Exchange x{request,
               response,
               connection,
               target.substr(0, q),
               q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
               config_.auth ? config_.auth->pin() : nullptr};
    try {
        route(x);
    } catch (const std::exception &e) {
        if (!response.sent()) {
            x.close_after();
            x.send(500, "application/json", json_error("server_error", "internal error"));
        }
        log_message(FASTMCP_LOG_ERROR, std::string("request failed: ") + e.what());
    }
    if (log_enabled(FASTMCP_LOG_INFO)) {
        // Path only: the query string could carry a credential and is never logged.
        auto ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count();
        char line[512];
        std::snprintf(line, sizeof line, "access %s %s %.*s %d %zu %.1fms",
                      request.clientAddress().toString().c_str(), request.getMethod().c_str(),
                      static_cast<int>(std::min<size_t>(x.path.size(), 200)), x.path.data(),
                      x.status, x.bytes, ms);
        log_message(FASTMCP_LOG_INFO, line);
    }
}

void McpHttpHandler::route(Exchange &x) {
    HTTPServerRequest &req = x.request;
    x.header("Access-Control-Allow-Origin", "*");
    x.header("Access-Control-Expose-Headers", kExposeHeaders);

    if (config_.loopback_guard) {
        if (!is_loopback_host_header(req.get("Host", ""))) { // HTTP/1.0 may omit it
            x.close_after();
            return x.send(403, "application/json",
                          json_error("forbidden", "Host header is not a loopback name"));
        }
        auto origin = req.find("Origin");
        if (origin != req.end() && !is_loopback_origin(origin->second)) {
            x.close_after();
            return x.send(403, "application/json",
                          json_error("forbidden", "Origin is not allowed"));
        }
    }

    const bool is_mcp = x.path == config_.mcp_path || x.path == mcp_path_slash_;
    bool is_provider_route = false;
    if (x.backend())
        for (const auto &r : x.backend()->info().routes)
            if (x.path == r) is_provider_route = true;
    const bool is_complete = x.path == "/auth/complete";

    if (!is_mcp && !is_provider_route && !is_complete) {
        x.close_after();
        return x.send(404, "application/json", json_error("not_found", "no such route"));
    }
    if (req.getMethod() == "OPTIONS") {
        x.header("Access-Control-Allow-Methods", is_mcp ? "POST, OPTIONS" : "GET, OPTIONS");
        x.header("Access-Control-Allow-Headers", kAllowHeaders);
        x.header("Access-Control-Max-Age", "600");
        x.header("Allow", is_mcp ? "POST, OPTIONS" : "GET, OPTIONS");
        return x.send(204, {}, {});
    }
    if (is_mcp) return serve_mcp(x);
    if (is_complete) return serve_auth_complete(x);

    RouteRequest rr;
    rr.method = req.getMethod();
    rr.path = x.path;
    rr.query = x.query;
    for (const auto &[name, value] : req)
        rr.headers.emplace_back(name, value);
    auto answer = x.backend()->handle_route(rr);
    if (!answer) {
        x.close_after();
        return x.send(
            503, "application/json",
            json_error("temporarily_unavailable", "the auth provider did not serve this route"));
    }
    for (const auto &[n, v] : answer->headers)
        x.header(n, v);
    x.send(answer->status, answer->content_type, answer->body);
}

// Verifies the request's bearer token. On failure the response has been sent and false returned.
bool McpHttpHandler::authenticate(Exchange &x, std::shared_ptr<const AccessToken> &token) {
    const AuthBackend *backend = x.backend();
    if (!backend) return true;
    const auto &metadata = x.auth->metadata_url;
    auto reject = [&](const Challenge &c) {
        if (!c.www_authenticate.empty()) x.header("WWW-Authenticate", c.www_authenticate);
        if (!x.discard_small_body()) x.close_after();
        x.send(c.status, "application/json", c.body);
        return false;
    };
    if (query_has_access_token(x.query))
        return reject(
            invalid_request(metadata, "access tokens in the query string are not accepted"));

    std::vector<std::string_view> values;
    for (auto it = x.request.find("Authorization");
         it != x.request.end() && Poco::icompare(it->first, "Authorization") == 0; ++it)
        values.emplace_back(it->second);
    BearerExtraction bearer = extract_bearer(values);
    switch (bearer.kind) {
    case BearerExtraction::Kind::Missing:
        return reject(missing_credentials(metadata));
    case BearerExtraction::Kind::Duplicate:
    case BearerExtraction::Kind::Malformed:
        return reject(invalid_request(metadata, bearer.description));
    case BearerExtraction::Kind::Token:
        break;
    }

    AuthVerdict verdict;
    if (x.auth->verify_deadline) {
        const auto &d = *x.auth->verify_deadline;
        x.connection.verifying(ConnectionTracker::now_ms() + d.watchdog->options().timeout.count(),
                               d);
        verdict = backend->verify(bearer.token);
        if (!x.connection.finish_verify()) {
            // The reaper answered 503 past the deadline and shut the socket: this verdict is
            // nobody's.
            d.watchdog->returned_late(verdict.reason);
            x.close_after();
            x.status = 503; // for the access log: that is what the client got
            return false;
        }
    } else {
        verdict = backend->verify(bearer.token);
    }
    switch (verdict.reason) {
    case FASTMCP_REASON_OK:
        if (!verdict.token) return reject(provider_unavailable(metadata));
        token = std::move(verdict.token);
        return true;
    case FASTMCP_REASON_MISSING_TOKEN:
        return reject(missing_credentials(metadata));
    case FASTMCP_REASON_INSUFFICIENT_SCOPE:
        return reject(insufficient_scope(metadata, verdict.required_scope, verdict.description,
                                         bearer.token));
    case FASTMCP_REASON_INTERNAL_ERROR:
    case FASTMCP_REASON_PROVIDER_TIMEOUT:
    case FASTMCP_REASON_NOT_IMPLEMENTED:
        log_message(FASTMCP_LOG_ERROR,
                    std::string("auth provider failure: ") + fastmcp_reason_name(verdict.reason));
        return reject(provider_unavailable(metadata));
    default:
        if (log_enabled(FASTMCP_LOG_DEBUG))
            log_message(FASTMCP_LOG_DEBUG,
                        std::string("token rejected: ") + fastmcp_reason_name(verdict.reason));
        return reject(invalid_token(metadata, verdict.description, bearer.token));
    }
}

bool McpHttpHandler::read_body(Exchange &x, std::string &body) {
    const size_t max = config_.limits.max_body_bytes;
    auto too_large = [&] {
        x.close_after();
        x.send(413, "application/json",
               json_error("payload_too_large", "the request body is too large"));
        return false;
    };
    std::istream &in = x.request.stream();
    if (x.request.hasContentLength()) {
        auto length = x.request.getContentLength64();
        if (length < 0 || static_cast<uint64_t>(length) > max) return too_large();
        // curl and others wait for this before sending a larger body (only now, after auth and
        // size).
        if (x.request.getExpectContinue()) x.response.sendContinue();
        body.resize(static_cast<size_t>(length));
        in.read(body.data(), length);
        if (in.gcount() != length) {
            x.close_after();
            x.send(400, "application/json",
                   json_error("bad_request", "the request body is incomplete"));
            return false;
        }
        return true;
    }
    if (x.request.getExpectContinue()) x.response.sendContinue();
    char buffer[8192];
    while (in) {
        in.read(buffer, sizeof buffer);
        body.append(buffer, static_cast<size_t>(in.gcount()));
        if (body.size() > max) return too_large();
    }
    return true;
}

void McpHttpHandler::serve_mcp(Exchange &x) {
    std::shared_ptr<const AccessToken> token;
    if (!authenticate(x, token)) return;
    if (x.request.getMethod() != "POST") {
        x.header("Allow", "POST, OPTIONS");
        x.close_after();
        return x.send(
            405, "application/json",
            json_error("method_not_allowed", "use POST (this server offers no SSE stream)"));
    }
    std::string version = x.request.get("MCP-Protocol-Version", "");
    if (!version.empty() && !is_supported_protocol_version(version)) {
        x.close_after();
        return x.send(400, "application/json",
                      jsonrpc_error(nullptr, kInvalidRequest,
                                    "Bad Request: unsupported MCP-Protocol-Version"));
    }
    const std::string &content_type = x.request.getContentType();
    if (!content_type.empty() &&
        Poco::icompare(content_type.substr(0, 16), "application/json") != 0) {
        x.close_after();
        return x.send(415, "application/json",
                      json_error("unsupported_media_type", "the body must be application/json"));
    }
    std::string body;
    if (!read_body(x, body)) return;
    x.connection.handling();

    DispatchReply reply;
    {
        RequestScope scope(std::move(token));
        reply =
            config_.dispatcher->handle(body, version.empty() ? kDefaultProtocolVersion : version);
    }
    if (reply.body.empty()) return x.send(202, {}, {});
    x.send(reply.http_status, "application/json", reply.body);
}

void McpHttpHandler::serve_auth_complete(Exchange &x) {
    if (!x.backend()) {
        x.close_after();
        return x.send(404, "application/json",
                      json_error("not_found", "auth is off on this server"));
    }
    std::shared_ptr<const AccessToken> token;
    if (!authenticate(x, token)) return;
    const AuthInfo &info = x.backend()->info();
    nlohmann::json doc = {{"authenticated", true},
                          {"subject", token->subject},
                          {"client_id", token->client_id},
                          {"scopes", token->scopes},
                          {"expires_at", token->expires_at},
                          {"issuer", token->issuer.empty() ? info.issuer : token->issuer},
                          {"resource", info.resource}};
    if (prefers_html(x.request.get("Accept", ""))) {
        std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Signed "
                           "in</title></head><body>"
                           "<h1>Authentication complete</h1><p>Signed in as <strong>" +
                           html_escape(token->subject) + "</strong> for " +
                           html_escape(info.resource) +
                           ".</p><p>You can close this window.</p></body></html>";
        return x.send(200, "text/html; charset=utf-8", html);
    }
    x.send(200, "application/json",
           doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace fastmcp::host
