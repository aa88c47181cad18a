#include "mcp_client.hpp"

#include "sse.hpp"
#include "www_authenticate.hpp"

#include <condition_variable>
#include <thread>

namespace fastmcp::client {
namespace {

std::string describe_failure(int status, const std::string &error, const std::string &body) {
    if (status == 0) return error;
    std::string msg = "HTTP " + std::to_string(status);
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object()) {
        if (auto e = j.find("error"); e != j.end()) {
            if (e->is_string())
                msg += ": " + e->get<std::string>();
            else if (e->is_object() && e->contains("message") && (*e)["message"].is_string())
                msg += ": " + (*e)["message"].get<std::string>();
        }
        if (auto d = j.find("error_description"); d != j.end() && d->is_string())
            msg += " (" + d->get<std::string>() + ")";
    }
    return msg;
}

RpcError rpc_error(const nlohmann::json &e) {
    return RpcError(e.value("code", 0), e.value("message", std::string("error")),
                    e.value("data", nlohmann::json()));
}

bool is_success(int status) { return status >= 200 && status < 300; }

} // namespace

struct McpClient::Listener {
    std::thread thread;
    std::mutex mu;
    std::condition_variable cv;
    bool started = false, stop = false;
    std::function<void()> abort;
};

McpClient::McpClient(std::string url, Authorizer *auth, McpClientOptions options)
    : url_(std::move(url)), auth_(auth), options_(std::move(options)) {}

McpClient::~McpClient() {
    if (!listener_) return;
    {
        std::lock_guard lock(listener_->mu);
        listener_->stop = true;
        if (listener_->abort) listener_->abort();
    }
    listener_->thread.join();
}

void McpClient::start_get_stream() {
    listener_ = std::make_unique<Listener>();
    Listener &l = *listener_;
    // Everything the thread needs is copied now: the main thread keeps using the rest.
    HttpRequest get = base_request("GET", auth_ ? auth_->token() : std::nullopt);
    get.headers.emplace_back("Accept", "text/event-stream");
    l.thread = std::thread([this, &l, get] {
        StreamedResponse res = open(get);
        const bool ok = res.status == 200 && res.content_type() == "text/event-stream";
        {
            std::lock_guard lock(l.mu);
            l.started = true;
            if (ok) l.abort = res.abort;
            l.cv.notify_all();
            if (!ok || l.stop) return; // the server offers no GET stream (405): fine
        }
        SseParser parser;
        std::string line;
        while (res.read_line(line)) {
            const auto ev = parser.feed(line);
            if (!ev || ev->data.empty()) continue;
            const auto j = nlohmann::json::parse(ev->data, nullptr, false);
            if (!j.is_object() || !j.contains("method") || !j.contains("id")) continue;
            HttpRequest post = get;
            post.method = "POST";
            post.headers.pop_back(); // Accept: text/event-stream
            post.headers.emplace_back("Content-Type", "application/json");
            post.headers.emplace_back("Accept", "application/json, text/event-stream");
            post.body = reply_to(j).dump();
            open(post);
            std::lock_guard lock(l.mu);
            if (l.stop) return;
        }
    });
    // Requests the server sends right after ours must find the stream open.
    std::unique_lock lock(l.mu);
    l.cv.wait_for(lock, std::chrono::seconds(5), [&] { return l.started; });
}

StreamedResponse McpClient::open(const HttpRequest &req) {
    if (options_.http) return stream_from(options_.http(req));
    if (options_.open) return options_.open(req);
    return http_open_stream(req);
}

HttpRequest McpClient::base_request(const std::string &method,
                                    const std::optional<std::string> &token) const {
    HttpRequest req;
    req.method = method;
    req.url = url_;
    req.timeout_ms = options_.timeout_ms;
    if (!version_.empty()) req.headers.emplace_back("MCP-Protocol-Version", version_);
    if (!session_id_.empty()) req.headers.emplace_back("Mcp-Session-Id", session_id_);
    if (token) req.headers.emplace_back("Authorization", "Bearer " + *token);
    return req;
}

StreamedResponse McpClient::post(const nlohmann::json &message) {
    std::optional<std::string> token = auth_ ? auth_->token() : std::nullopt;
    auto send = [&] {
        HttpRequest req = base_request("POST", token);
        req.headers.emplace_back("Content-Type", "application/json");
        req.headers.emplace_back("Accept", "application/json, text/event-stream");
        req.body = message.dump();
        return open(req);
    };
    StreamedResponse res = send();
    // The authorizer bounds its own retries (one sign-in, a few step-ups); this cap is a backstop.
    for (int round = 0; auth_ && round < 4; ++round) {
        const std::string challenge = res.header("WWW-Authenticate");
        if (res.status == 401) {
            token = auth_->on_unauthorized(challenge);
        } else if (res.status == 403) {
            const auto c = parse_bearer_challenge(challenge);
            if (!c || c->get("error") != "insufficient_scope") break;
            token = auth_->on_insufficient_scope(challenge);
        } else {
            break;
        }
        if (!token) break;
        res = send();
    }
    return res;
}

nlohmann::json McpClient::reply_to(const nlohmann::json &m) {
    const std::string method = m.value("method", std::string());
    nlohmann::json reply = {{"jsonrpc", "2.0"}, {"id", m["id"]}};
    if (method == "elicitation/create" && options_.elicit) {
        std::lock_guard lock(elicit_mu_);
        reply["result"] = options_.elicit(m.value("params", nlohmann::json::object()));
    } else if (method == "ping") {
        reply["result"] = nlohmann::json::object();
    } else {
        reply["error"] = {{"code", -32601}, {"message", "Method not found: " + method}};
    }
    return reply;
}

void McpClient::answer_server_request(const nlohmann::json &m) {
    const std::string method = m.value("method", std::string());
    StreamedResponse res = post(reply_to(m));
    if (!is_success(res.status))
        throw TransportError(
            res.status,
            method + " answer: " + describe_failure(res.status, res.error, res.read_body()));
}

std::optional<nlohmann::json> McpClient::handle_message(const nlohmann::json &m, int64_t id,
                                                        const std::string &method) {
    if (!m.is_object()) return std::nullopt;
    if (m.contains("method")) {
        if (m.contains("id")) answer_server_request(m);
        return std::nullopt; // notifications (progress, logging) are not shown
    }
    if (!m.contains("id") || m["id"] != id) return std::nullopt;
    if (auto e = m.find("error"); e != m.end() && e->is_object()) throw rpc_error(*e);
    if (auto r = m.find("result"); r != m.end()) return *r;
    throw TransportError(200, method + ": response has neither result nor error");
}

nlohmann::json McpClient::read_stream(StreamedResponse res, int64_t id, const std::string &method) {
    std::string resume_id;
    std::chrono::milliseconds retry = options_.default_retry;
    for (int resumptions = 0;; ++resumptions) {
        SseParser parser;
        auto on_event = [&](const std::optional<SseEvent> &ev) -> std::optional<nlohmann::json> {
            if (!ev) return std::nullopt;
            if (!ev->id.empty()) resume_id = ev->id;
            if (ev->retry_ms && *ev->retry_ms >= 0)
                retry = std::chrono::milliseconds(*ev->retry_ms);
            if (ev->data.empty()) return std::nullopt; // a priming event: only id/retry
            const auto j = nlohmann::json::parse(ev->data, nullptr, false);
            if (j.is_array()) {
                for (const auto &m : j)
                    if (auto r = handle_message(m, id, method)) return r;
                return std::nullopt;
            }
            return handle_message(j, id, method);
        };
        std::string line;
        while (res.read_line(line))
            if (auto r = on_event(parser.feed(line))) return *r;
        if (auto r = on_event(parser.finish())) return *r;

        // The stream ended without our response: resume it where it stopped (SEP-1699).
        if (resume_id.empty())
            throw TransportError(200, method + ": the server's stream ended without a response");
        if (resumptions >= options_.max_resumptions)
            throw TransportError(200, method + ": no response after " +
                                          std::to_string(resumptions) + " resumptions");
        if (options_.sleep)
            options_.sleep(retry);
        else
            std::this_thread::sleep_for(retry);
        HttpRequest get = base_request("GET", auth_ ? auth_->token() : std::nullopt);
        get.headers.emplace_back("Accept", "text/event-stream");
        get.headers.emplace_back("Last-Event-ID", resume_id);
        res = open(get);
        if (res.status != 200 || res.content_type() != "text/event-stream")
            throw TransportError(res.status,
                                 method + ": resuming the stream failed: " +
                                     describe_failure(res.status, res.error, res.read_body()));
    }
}

nlohmann::json McpClient::request(const std::string &method, const nlohmann::json &params) {
    const int64_t id = next_id_++;
    const nlohmann::json msg = {
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    StreamedResponse res = post(msg);
    if (res.status != 200) {
        // A JSON-RPC error may ride on a 4xx (e.g. 400 for a bad protocol version).
        const std::string body = res.read_body();
        const auto j = nlohmann::json::parse(body, nullptr, false);
        if (res.status != 0 && j.is_object() && j.contains("error") && j["error"].is_object() &&
            j["error"].contains("code"))
            throw rpc_error(j["error"]);
        throw TransportError(res.status,
                             method + ": " + describe_failure(res.status, res.error, body));
    }
    if (auto sid = res.header("Mcp-Session-Id"); !sid.empty()) session_id_ = sid;

    const std::string ct = res.content_type();
    if (ct == "text/event-stream") return read_stream(std::move(res), id, method);
    if (ct != "application/json")
        throw TransportError(res.status, method + ": unexpected Content-Type '" +
                                             res.header("Content-Type") + "'");
    auto j = nlohmann::json::parse(res.read_body(), nullptr, false);
    std::vector<nlohmann::json> messages;
    if (j.is_array())
        for (auto &m : j)
            messages.push_back(std::move(m));
    else if (!j.is_discarded())
        messages.push_back(std::move(j));
    for (const auto &m : messages)
        if (auto r = handle_message(m, id, method)) return *r;
    throw TransportError(res.status,
                         method + ": no response with id " + std::to_string(id) + " in the reply");
}

void McpClient::notify(const std::string &method, const nlohmann::json &params) {
    const nlohmann::json msg = {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}};
    StreamedResponse res = post(msg);
    if (!is_success(res.status))
        throw TransportError(
            res.status, method + ": " + describe_failure(res.status, res.error, res.read_body()));
}

nlohmann::json McpClient::initialize() {
    nlohmann::json capabilities = nlohmann::json::object();
    if (options_.elicit) capabilities["elicitation"] = nlohmann::json::object();
    nlohmann::json result = request(
        "initialize",
        {{"protocolVersion", options_.protocol_version},
         {"capabilities", capabilities},
         {"clientInfo", {{"name", options_.client_name}, {"version", options_.client_version}}}});
    const std::string offered = result.value("protocolVersion", std::string());
    // MCP lifecycle: a client that does not support the server's version must disconnect.
    if (offered != "2025-06-18" && offered != "2025-03-26" && offered != "2025-11-25")
        throw TransportError(200, "initialize: server chose unsupported protocol version '" +
                                      offered + "'");
    version_ = offered;
    notify("notifications/initialized");
    if (options_.get_stream && !session_id_.empty()) start_get_stream();
    return result;
}

} // namespace fastmcp::client
