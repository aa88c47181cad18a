#include "mcp_http_handler.hpp"

#include "ascii_case.hpp"
#include "origin_guard.hpp"

#include "../auth/bearer_header.hpp"
#include "../auth/challenge.hpp"
#include "../auth/verify_watchdog.hpp"
#include "../mcp/protocol_version.hpp"
#include "../ops/log_format.hpp"
#include "../ops/ops_endpoints.hpp"
#include "../ops/request_id.hpp"
#include "../server/request_context.hpp"
#include "host_services.hpp"

#include <Poco/String.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace fastmcp::host {

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

struct McpHttpHandler::Call {
    std::shared_ptr<HttpExchange> exchange;
    ParsedRequest &request;
    BufferedResponse &response;
    std::string_view path;
    std::string_view query;
    // The auth backend this request started with, pinned across every pool hop until the Call
    // goes: a reload swaps the slot, not this (see auth_slot.hpp for where the old one is freed).
    std::shared_ptr<const AuthView> auth;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::shared_ptr<const AccessToken> token;
    std::string_view bearer; // the presented token (views the request), to scrub descriptions
    std::string protocol_version;
    std::shared_ptr<Session> session;
    int status = 0;
    size_t bytes = 0;
    std::string request_id;
    ops::Route route = ops::Route::not_found;
    int reason = -1; // the verdict's reason code when a verify ran

    Call(const std::shared_ptr<HttpExchange> &x, std::shared_ptr<const AuthView> pinned)
        : exchange(x), request(x->request()), response(x->response()), auth(std::move(pinned)) {
        const std::string &uri = request.getURI();
        std::string_view target(uri);
        const size_t q = target.find('?');
        path = target.substr(0, q);
        if (q != std::string_view::npos) query = target.substr(q + 1);
        request_id = ops::request_id_for(std::string(request.field("X-Request-Id")));
    }

    const AuthBackend *backend() const { return auth ? auth->backend.get() : nullptr; }
    void header(const std::string &name, const std::string &value) {
        response.set_field(name, value);
    }
    // The answer; any thread. Logs the access line and hands the response to the loop.
    void send(int code, std::string_view content_type, std::string_view body) {
        status = code;
        bytes = body.size();
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
        if (!content_type.empty()) response.setContentType(std::string(content_type));
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.set_body(body);
        log_access();
        exchange->finish();
    }
    // After an early answer the unread body would corrupt the next request on this connection.
    void close_after() { response.setKeepAlive(false); }
    // Counts the request (relaxed atomics) and writes the access line: once per request, when its
    // answer or its stream's head goes out.
    void log_access() const {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const std::string &method = request.getMethod();
        ops::metrics().request(route, ops::method_of(method), status, seconds);
        if (!log_enabled(FASTMCP_LOG_INFO)) return;
        // Path only: the query string could carry a credential and is never logged.
        const std::string client = request.clientAddress().toString();
        host::log_access({request_id, client, method, path, ops::route_name(route), status, bytes,
                          seconds * 1000,
                          reason < 0 ? std::string_view() : fastmcp_reason_name(reason)});
    }
    // A verdict: its reason for the access line, and the verify metrics.
    void verified(int verdict_reason, std::chrono::steady_clock::time_point verify_started) {
        reason = verdict_reason;
        ops::metrics().verdict(
            verdict_reason,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - verify_started)
                .count());
    }
};

McpHttpHandler::McpHttpHandler(HttpAppConfig config) : config_(std::move(config)) {
    mcp_path_slash_ = config_.mcp_path + "/";
}

void McpHttpHandler::handle(const std::shared_ptr<HttpExchange> &exchange) {
    auto x = std::make_shared<Call>(exchange, config_.auth ? config_.auth->pin() : nullptr);
    try {
        route(x);
    } catch (const std::exception &e) {
        if (!x->response.sent()) {
            x->close_after();
            x->send(500, "application/json", json_error("server_error", "internal error"));
        }
        log_message(FASTMCP_LOG_ERROR, std::string("request failed: ") + e.what());
    }
}

void McpHttpHandler::route(const std::shared_ptr<Call> &x) {
    ParsedRequest &req = x->request;
    x->response.add_fixed("Access-Control-Allow-Origin", "*");
    x->response.add_fixed("Access-Control-Expose-Headers", kExposeHeaders);
    x->response.add_fixed("X-Request-Id", x->request_id);

    if (config_.loopback_guard) {
        if (!is_loopback_host_header(std::string(req.field("Host")))) { // HTTP/1.0 may omit it
            x->close_after();
            return x->send(403, "application/json",
                           json_error("forbidden", "Host header is not a loopback name"));
        }
        const auto &fields = req.fields();
        auto origin = std::find_if(fields.begin(), fields.end(),
                                   [](const auto &f) { return iequals(f.first, "Origin"); });
        if (origin != fields.end() && !is_loopback_origin(std::string(origin->second))) {
            x->close_after();
            return x->send(403, "application/json",
                           json_error("forbidden", "Origin is not allowed"));
        }
    }

    if (auto ops_route = ops::ops_route(x->path)) return serve_ops(x, *ops_route);

    const bool is_mcp = x->path == config_.mcp_path || x->path == mcp_path_slash_;
    bool is_provider_route = false;
    if (x->backend())
        for (const auto &r : x->backend()->info().routes)
            if (x->path == r) is_provider_route = true;
    const bool is_complete = x->path == "/auth/complete";
    x->route = is_mcp              ? ops::Route::mcp
               : is_provider_route ? ops::Route::provider
               : is_complete       ? ops::Route::auth_complete
                                   : ops::Route::not_found;

    if (!is_mcp && !is_provider_route && !is_complete) {
        x->close_after();
        return x->send(404, "application/json", json_error("not_found", "no such route"));
    }
    if (req.getMethod() == "OPTIONS") {
        const char *allow = is_provider_route  ? "GET, POST, OPTIONS"
                            : !is_mcp          ? "GET, OPTIONS"
                            : config_.sessions ? "GET, POST, DELETE, OPTIONS"
                                               : "POST, OPTIONS";
        x->header("Access-Control-Allow-Methods", allow);
        x->header("Access-Control-Allow-Headers", kAllowHeaders);
        x->header("Access-Control-Max-Age", "600");
        x->header("Allow", allow);
        return x->send(204, {}, {});
    }
    if (is_mcp) return serve_mcp(x);
    if (is_complete) return serve_auth_complete(x);
    serve_provider_route(x);
}

// /healthz is answered on the loop; /readyz asks the provider (describe() is foreign code and
// serialised), so it runs on the pool. /metrics is the admin port's only (404 here).
void McpHttpHandler::serve_ops(const std::shared_ptr<Call> &x, ops::Route route) {
    x->route = route;
    const std::string &method = x->request.getMethod();
    ops::OpsSources sources;
    sources.auth = x->backend(); // pinned: the lambda below keeps it alive
    // Any thread. The loop drops the body of a HEAD answer and keeps its Content-Length.
    auto answer = [x](const ops::OpsAnswer &a) {
        if (a.allow_get_only) x->header("Allow", "GET, HEAD");
        x->send(a.status, a.content_type, a.body);
    };
    if (!x->exchange->discard_small_body()) x->close_after(); // loop only: before the pool
    if (!ops::ops_blocks(route, method, sources.auth != nullptr))
        return answer(ops::serve_ops(route, method, sources));
    const bool queued = x->exchange->run_blocking([x, route, sources, answer] {
        answer(ops::serve_ops(route, x->request.getMethod(), sources));
    });
    if (!queued) answer(ops::ops_overloaded(route));
}

// Provider code may block (it is foreign): it runs on the pool. A POST route (an OAuth
// authorization server's /register, /token, consent form) gets its body, read on the loop first.
void McpHttpHandler::serve_provider_route(const std::shared_ptr<Call> &x) {
    if (x->request.getMethod() == "POST") {
        constexpr size_t kMaxRouteBody = 64 * 1024; // forms and DCR documents are small
        return read_body_then(x, kMaxRouteBody, [this, x] { run_provider_route(x); });
    }
    run_provider_route(x);
}

void McpHttpHandler::run_provider_route(const std::shared_ptr<Call> &x) {
    const bool queued = x->exchange->run_blocking([x] {
        RouteRequest rr;
        rr.method = x->request.getMethod();
        rr.path = x->path;
        rr.query = x->query;
        rr.body = x->request.body();
        for (const auto &[name, value] : x->request.fields())
            rr.headers.emplace_back(name, value);
        auto answer = x->backend()->handle_route(rr);
        if (!answer) {
            x->close_after();
            return x->send(503, "application/json",
                           json_error("temporarily_unavailable",
                                      "the auth provider did not serve this route"));
        }
        for (const auto &[n, v] : answer->headers) {
            if (Poco::icompare(n, "Set-Cookie") == 0)
                x->response.add(n, v); // one per cookie
            else
                x->header(n, v);
        }
        x->send(answer->status, answer->content_type, answer->body);
    });
    if (!queued) {
        x->close_after();
        x->send(503, "application/json", json_error("server_busy", "the server is overloaded"));
    }
}

void McpHttpHandler::authenticate(const std::shared_ptr<Call> &x, std::function<void()> next) {
    const AuthBackend *backend = x->backend();
    if (!backend) return next();
    const auto &metadata = x->auth->metadata_url;
    auto reject = [&](const Challenge &c) {
        if (!c.www_authenticate.empty()) x->header("WWW-Authenticate", c.www_authenticate);
        if (!x->exchange->discard_small_body()) x->close_after();
        x->send(c.status, "application/json", c.body);
    };
    if (query_has_access_token(x->query))
        return reject(
            invalid_request(metadata, "access tokens in the query string are not accepted"));

    std::vector<std::string_view> values;
    for (const auto &[name, value] : x->request.fields())
        if (iequals(name, "Authorization")) values.emplace_back(value);
    BearerExtraction bearer = extract_bearer(values);
    switch (bearer.kind) {
    case BearerExtraction::Kind::Missing:
        return reject(missing_credentials(metadata));
    case BearerExtraction::Kind::Duplicate:
        return reject(invalid_request(metadata, bearer.description));
    case BearerExtraction::Kind::Malformed: // MCP: an invalid token MUST get 401
        return reject(invalid_token(metadata, bearer.description, {}));
    case BearerExtraction::Kind::Token:
        x->bearer = bearer.token;
        break;
    }

    // A verified-token cache hit (about a microsecond) is answered on the loop; anything else may
    // block (a JWKS or introspection fetch) and goes to the pool.
    const auto verify_started = std::chrono::steady_clock::now();
    if (config_.inline_work)
        if (auto verdict = backend->verify_cached(bearer.token)) {
            x->verified(verdict->reason, verify_started);
            return on_verdict(x, std::move(*verdict), next);
        }

    // Per backend: the pinned view owns it, and x keeps the view alive while the loop holds it.
    const VerifyDeadline *deadline =
        x->auth->verify_deadline ? &*x->auth->verify_deadline : nullptr;
    if (deadline)
        x->exchange->arm_verify_deadline(
            EventLoop::now_ms() + deadline->watchdog->options().timeout.count(), *deadline);
    const bool queued = x->exchange->run_blocking([this, x, next, deadline, verify_started] {
        AuthVerdict verdict = x->backend()->verify(x->bearer);
        x->exchange->post(
            [this, x, next, deadline, verify_started, verdict = std::move(verdict)]() mutable {
                if (deadline && !x->exchange->disarm_verify_deadline()) {
                    // The loop answered 503 past the deadline and closed: this verdict is nobody's.
                    deadline->watchdog->returned_late(verdict.reason);
                    // Counted and logged as what the client got (latency: until the late return).
                    x->verified(FASTMCP_REASON_PROVIDER_TIMEOUT, verify_started);
                    x->status = 503;
                    x->log_access();
                    return;
                }
                x->verified(verdict.reason, verify_started);
                on_verdict(x, std::move(verdict), next);
            });
    });
    if (!queued) {
        if (deadline) x->exchange->disarm_verify_deadline();
        reject(provider_unavailable(metadata));
    }
}

void McpHttpHandler::on_verdict(const std::shared_ptr<Call> &x, AuthVerdict verdict,
                                const std::function<void()> &next) {
    const auto &metadata = x->auth->metadata_url;
    auto reject = [&](const Challenge &c) {
        if (!c.www_authenticate.empty()) x->header("WWW-Authenticate", c.www_authenticate);
        if (!x->exchange->discard_small_body()) x->close_after();
        x->send(c.status, "application/json", c.body);
    };
    const std::string_view presented = x->bearer;
    switch (verdict.reason) {
    case FASTMCP_REASON_OK:
        if (!verdict.token) return reject(provider_unavailable(metadata));
        x->token = std::move(verdict.token);
        return next();
    case FASTMCP_REASON_MISSING_TOKEN:
        return reject(missing_credentials(metadata));
    case FASTMCP_REASON_INSUFFICIENT_SCOPE:
        return reject(
            insufficient_scope(metadata, verdict.required_scope, verdict.description, presented));
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
        return reject(invalid_token(metadata, verdict.description, presented));
    }
}

void McpHttpHandler::serve_mcp(const std::shared_ptr<Call> &x) {
    authenticate(x, [this, x] {
        const std::string &method = x->request.getMethod();
        if (method == "POST") return serve_mcp_post(x);
        if (config_.sessions && method == "GET") return serve_mcp_get(x);
        if (config_.sessions && method == "DELETE") return serve_mcp_delete(x);
        x->header("Allow", config_.sessions ? "GET, POST, DELETE, OPTIONS" : "POST, OPTIONS");
        x->close_after();
        return x->send(405, "application/json",
                       json_error("method_not_allowed",
                                  config_.sessions
                                      ? "use POST, GET (a session's stream) or DELETE"
                                      : "use POST (this server is stateless: no SSE stream)"));
    });
}

void McpHttpHandler::serve_mcp_post(const std::shared_ptr<Call> &x) {
    x->protocol_version = x->request.field("MCP-Protocol-Version");
    if (!x->protocol_version.empty() && !is_supported_protocol_version(x->protocol_version)) {
        x->close_after();
        return x->send(400, "application/json",
                       jsonrpc_error(nullptr, kInvalidRequest,
                                     "Bad Request: unsupported MCP-Protocol-Version"));
    }
    const std::string content_type = x->request.getContentType();
    if (!content_type.empty() &&
        Poco::icompare(content_type.substr(0, 16), "application/json") != 0) {
        x->close_after();
        return x->send(415, "application/json",
                       json_error("unsupported_media_type", "the body must be application/json"));
    }
    read_body_then(x, config_.limits.max_body_bytes, [this, x] { dispatch(x); });
}

// Reads the request body on the loop, then runs `next`; a body over `limit` answers 413 and one
// cut short 400, both closing the connection (the same answers for /mcp and provider routes).
void McpHttpHandler::read_body_then(const std::shared_ptr<Call> &x, size_t limit,
                                    std::function<void()> next) {
    x->exchange->read_body(limit, [x, next = std::move(next)](HttpExchange::BodyResult r) {
        switch (r) {
        case HttpExchange::BodyResult::TooLarge:
            x->close_after();
            return x->send(413, "application/json",
                           json_error("payload_too_large", "the request body is too large"));
        case HttpExchange::BodyResult::Broken:
            x->close_after();
            return x->send(400, "application/json",
                           json_error("bad_request", "the request body is incomplete"));
        case HttpExchange::BodyResult::Ok:
            return next();
        }
    });
}

void McpHttpHandler::dispatch(const std::shared_ptr<Call> &x) {
    // Parsing a small body is quick; a large one is parsed on the pool.
    constexpr size_t kInlineParseBytes = 64 * 1024;
    if (config_.inline_work && x->request.body().size() <= kInlineParseBytes)
        return proceed(x, config_.dispatcher->parse(x->request.body()));
    const bool queued = x->exchange->run_blocking([this, x] {
        auto parsed = std::make_shared<ParsedBody>(config_.dispatcher->parse(x->request.body()));
        x->exchange->post([this, x, parsed] { proceed(x, std::move(*parsed)); });
    });
    if (!queued) {
        x->close_after();
        x->send(503, "application/json", json_error("server_busy", "the server is overloaded"));
    }
}

namespace {

bool is_method(const nlohmann::json &doc, std::string_view name) {
    if (!doc.is_object()) return false;
    auto m = doc.find("method");
    return m != doc.end() && m->is_string() && m->get_ref<const std::string &>() == name;
}

// A single request (method and id): the kind of message a stream can answer.
bool is_request(const nlohmann::json &doc) {
    return doc.is_object() && doc.contains("id") && doc.contains("method");
}

SessionIdentity identity_of(const AccessToken *token) {
    if (!token) return {};
    return {token->subject, token->client_id};
}

// A request's way back to its client in stateful mode: its stream in the session.
class SessionChannel final : public RequestChannel {
  public:
    SessionChannel(std::shared_ptr<Session> session, uint64_t stream)
        : session_(std::move(session)), stream_(stream) {}
    bool notify(std::string json_message) override {
        return session_->send(stream_, json_message, false);
    }
    bool close_stream() override { return session_->close_sink(stream_); }

  private:
    std::shared_ptr<Session> session_;
    uint64_t stream_;
};

} // namespace

std::shared_ptr<Session> McpHttpHandler::session_of(const std::shared_ptr<Call> &x) {
    const std::string id(x->request.field("Mcp-Session-Id"));
    if (id.empty()) {
        x->send(400, "application/json",
                jsonrpc_error(nullptr, kInvalidRequest,
                              "Bad Request: Mcp-Session-Id header is required"));
        return nullptr;
    }
    // Unknown, expired, ended, or another identity's: the same 404 (never that session's data).
    auto session = config_.sessions->find(id, identity_of(x->token.get()), EventLoop::now_ms());
    if (!session) {
        x->send(404, "application/json", jsonrpc_error(nullptr, -32001, "Session not found"));
        return nullptr;
    }
    x->header("Mcp-Session-Id", id);
    return session;
}

void McpHttpHandler::proceed(const std::shared_ptr<Call> &x, ParsedBody parsed) {
    if (config_.sessions && !parsed.reply) {
        if (is_method(parsed.doc, "initialize")) {
            x->session = config_.sessions->create(identity_of(x->token.get()), EventLoop::now_ms());
            if (!x->session) {
                x->close_after();
                return x->send(503, "application/json",
                               jsonrpc_error(parsed.doc.value("id", nlohmann::json()), -32000,
                                             "Server busy: too many sessions"));
            }
            x->header("Mcp-Session-Id", x->session->id());
        } else if (!(x->session = session_of(x))) {
            return;
        }
    }
    if (!parsed.reply && x->token)
        if (auto needed = config_.dispatcher->missing_scopes(parsed.doc, x->token.get()))
            return reject_scope(x, *needed);
    if (parsed.nonblocking && config_.inline_work) return execute_json(x, std::move(parsed));
    // Work that may take time answers with a stream in stateful mode, so the client can resume it.
    const std::string_view accept = x->request.field("Accept");
    if (x->session && !parsed.reply && is_request(parsed.doc) &&
        accept.find("text/event-stream") != std::string_view::npos)
        return execute_streamed(x, std::move(parsed));
    auto shared = std::make_shared<ParsedBody>(std::move(parsed));
    if (!x->exchange->run_blocking([this, x, shared] { execute_json(x, std::move(*shared)); })) {
        x->close_after();
        x->send(503, "application/json", json_error("server_busy", "the server is overloaded"));
    }
}

// A tool, resource or prompt that needs scopes the token lacks (MCP 2025-11-25, "Scope Challenge
// Handling"): 403 insufficient_scope naming what the token has plus what the item needs, so the
// client can step up with one authorization request.
void McpHttpHandler::reject_scope(const std::shared_ptr<Call> &x,
                                  const std::vector<std::string> &needed) {
    std::vector<std::string> scopes = x->token->scopes;
    for (const auto &s : needed)
        if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
    std::string scope;
    for (const auto &s : scopes) {
        if (!scope.empty()) scope += ' ';
        scope += s;
    }
    Challenge c = insufficient_scope(x->auth ? x->auth->metadata_url : std::string(), scope,
                                     "this tool, resource or prompt needs more scopes", x->bearer);
    x->reason = FASTMCP_REASON_INSUFFICIENT_SCOPE;
    if (!c.www_authenticate.empty()) x->header("WWW-Authenticate", c.www_authenticate);
    x->send(c.status, "application/json", c.body);
}

void McpHttpHandler::execute_json(const std::shared_ptr<Call> &x, ParsedBody parsed) {
    DispatchReply reply;
    {
        RequestScope scope(x->token, nullptr, x->session ? &x->session->mcp() : nullptr);
        reply = config_.dispatcher->execute(std::move(parsed), x->protocol_version.empty()
                                                                   ? kDefaultProtocolVersion
                                                                   : x->protocol_version);
    }
    if (reply.body.empty()) return x->send(202, {}, {});
    x->send(reply.http_status, "application/json", reply.body);
}

void McpHttpHandler::execute_streamed(const std::shared_ptr<Call> &x, ParsedBody parsed) {
    x->response.setContentType("text/event-stream");
    x->header("Cache-Control", "no-cache");
    x->header("X-Accel-Buffering", "no"); // nginx: pass events through unbuffered
    x->status = 200;
    x->log_access();
    auto sink = x->exchange->start_stream();
    const uint64_t stream = x->session->open_request_stream(sink);
    const nlohmann::json id = parsed.doc["id"];
    auto shared = std::make_shared<ParsedBody>(std::move(parsed));
    const bool queued = x->exchange->run_blocking([this, x, shared, stream] {
        SessionChannel channel(x->session, stream);
        DispatchReply reply;
        {
            RequestScope scope(x->token, &channel, &x->session->mcp());
            reply = config_.dispatcher->execute(std::move(*shared), x->protocol_version.empty()
                                                                        ? kDefaultProtocolVersion
                                                                        : x->protocol_version);
        }
        x->session->send(stream, reply.body, true);
    });
    if (!queued)
        x->session->send(stream, jsonrpc_error(id, kInternalError, "Server busy: try again later"),
                         true);
}

void McpHttpHandler::serve_mcp_get(const std::shared_ptr<Call> &x) {
    if (x->request.field("Accept").find("text/event-stream") == std::string_view::npos) {
        x->close_after();
        return x->send(
            406, "application/json",
            json_error("not_acceptable", "a GET stream needs Accept: text/event-stream"));
    }
    auto session = session_of(x);
    if (!session) return;
    uint64_t last_event = 0;
    const std::string last(x->request.field("Last-Event-ID"));
    if (!last.empty()) {
        char *end = nullptr;
        last_event = std::strtoull(last.c_str(), &end, 10);
        if (*end != '\0') last_event = 0; // not one of ours: a plain GET stream
    }
    x->response.setContentType("text/event-stream");
    x->header("Cache-Control", "no-cache");
    x->header("X-Accel-Buffering", "no");
    if (last_event == 0 && !session->standalone_available()) {
        x->close_after();
        return x->send(409, "application/json",
                       json_error("conflict", "this session's GET stream is already open"));
    }
    x->status = 200;
    x->log_access();
    auto sink = x->exchange->start_stream();
    if (last_event != 0 && session->resume(last_event, sink)) return;
    if (!session->open_standalone_stream(sink)) sink->end();
}

void McpHttpHandler::serve_mcp_delete(const std::shared_ptr<Call> &x) {
    const std::string id(x->request.field("Mcp-Session-Id"));
    if (id.empty()) {
        x->close_after();
        return x->send(400, "application/json",
                       jsonrpc_error(nullptr, kInvalidRequest,
                                     "Bad Request: Mcp-Session-Id header is required"));
    }
    if (!config_.sessions->remove(id, identity_of(x->token.get())))
        return x->send(404, "application/json",
                       jsonrpc_error(nullptr, -32001, "Session not found"));
    x->send(204, {}, {});
}

void McpHttpHandler::serve_auth_complete(const std::shared_ptr<Call> &x) {
    if (!x->backend()) {
        x->close_after();
        return x->send(404, "application/json",
                       json_error("not_found", "auth is off on this server"));
    }
    authenticate(x, [x] {
        const AuthInfo &info = x->backend()->info();
        const AccessToken &token = *x->token;
        nlohmann::json doc = {{"authenticated", true},
                              {"subject", token.subject},
                              {"client_id", token.client_id},
                              {"scopes", token.scopes},
                              {"expires_at", token.expires_at},
                              {"issuer", token.issuer.empty() ? info.issuer : token.issuer},
                              {"resource", info.resource}};
        if (prefers_html(std::string(x->request.field("Accept")))) {
            std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Signed "
                               "in</title></head><body>"
                               "<h1>Authentication complete</h1><p>Signed in as <strong>" +
                               html_escape(token.subject) + "</strong> for " +
                               html_escape(info.resource) +
                               ".</p><p>You can close this window.</p></body></html>";
            return x->send(200, "text/html; charset=utf-8", html);
        }
        x->send(200, "application/json",
                doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    });
}

} // namespace fastmcp::host
