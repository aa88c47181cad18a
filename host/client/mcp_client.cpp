#include "mcp_client.hpp"

#include "sse.hpp"

namespace fastmcp::client {
namespace {

std::string describe_failure(const HttpResponse &res) {
    if (res.status == 0) return res.error;
    std::string msg = "HTTP " + std::to_string(res.status);
    const auto j = nlohmann::json::parse(res.body, nullptr, false);
    if (j.is_object()) {
        if (auto e = j.find("error"); e != j.end()) {
            if (e->is_string()) msg += ": " + e->get<std::string>();
            else if (e->is_object() && e->contains("message") && (*e)["message"].is_string())
                msg += ": " + (*e)["message"].get<std::string>();
        }
        if (auto d = j.find("error_description"); d != j.end() && d->is_string()) msg += " (" + d->get<std::string>() + ")";
    }
    return msg;
}

} // namespace

McpClient::McpClient(std::string url, Authorizer *auth, McpClientOptions options)
    : url_(std::move(url)), auth_(auth), options_(std::move(options)) {}

HttpResponse McpClient::post_once(const nlohmann::json &message, const std::optional<std::string> &token) {
    HttpRequest req;
    req.method = "POST";
    req.url = url_;
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
    if (!version_.empty()) req.headers.emplace_back("MCP-Protocol-Version", version_);
    if (!session_id_.empty()) req.headers.emplace_back("Mcp-Session-Id", session_id_);
    if (token) req.headers.emplace_back("Authorization", "Bearer " + *token);
    req.body = message.dump();
    return options_.http(req);
}

HttpResponse McpClient::post(const nlohmann::json &message) {
    std::optional<std::string> token = auth_ ? auth_->token() : std::nullopt;
    HttpResponse res = post_once(message, token);
    if (res.status == 401 && auth_) {
        token = auth_->on_unauthorized(res.header("WWW-Authenticate"));
        if (token) res = post_once(message, token);
    }
    return res;
}

nlohmann::json McpClient::request(const std::string &method, const nlohmann::json &params) {
    const int64_t id = next_id_++;
    const nlohmann::json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    const HttpResponse res = post(msg);
    if (res.status != 200) {
        // A JSON-RPC error may ride on a 4xx (e.g. 400 for a bad protocol version).
        const auto j = nlohmann::json::parse(res.body, nullptr, false);
        if (res.status != 0 && j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("code"))
            throw RpcError(j["error"].value("code", 0), j["error"].value("message", std::string("error")), j["error"].value("data", nlohmann::json()));
        throw TransportError(res.status, method + ": " + describe_failure(res));
    }
    if (auto sid = res.header("Mcp-Session-Id"); !sid.empty()) session_id_ = sid;

    std::vector<nlohmann::json> messages;
    const std::string ct = res.content_type();
    if (ct == "text/event-stream") {
        messages = sse_json_messages(res.body);
    } else if (ct == "application/json") {
        auto j = nlohmann::json::parse(res.body, nullptr, false);
        if (j.is_array()) for (auto &m : j) messages.push_back(std::move(m));
        else if (!j.is_discarded()) messages.push_back(std::move(j));
    } else {
        throw TransportError(res.status, method + ": unexpected Content-Type '" + res.header("Content-Type") + "'");
    }
    for (const auto &m : messages) {
        if (!m.is_object() || !m.contains("id") || m["id"] != id) continue; // notifications, server requests
        if (auto e = m.find("error"); e != m.end() && e->is_object())
            throw RpcError(e->value("code", 0), e->value("message", std::string("error")), e->value("data", nlohmann::json()));
        if (auto r = m.find("result"); r != m.end()) return *r;
        throw TransportError(res.status, method + ": response has neither result nor error");
    }
    throw TransportError(res.status, method + ": no response with id " + std::to_string(id) + " in the reply");
}

void McpClient::notify(const std::string &method, const nlohmann::json &params) {
    const nlohmann::json msg = {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}};
    const HttpResponse res = post(msg);
    if (res.status != 202 && res.status != 200 && res.status != 204)
        throw TransportError(res.status, method + ": " + describe_failure(res));
}

nlohmann::json McpClient::initialize() {
    nlohmann::json result = request("initialize", {{"protocolVersion", options_.protocol_version},
                                                   {"capabilities", nlohmann::json::object()},
                                                   {"clientInfo", {{"name", options_.client_name}, {"version", options_.client_version}}}});
    const std::string offered = result.value("protocolVersion", std::string());
    // MCP lifecycle: a client that does not support the server's version must disconnect.
    if (offered != "2025-06-18" && offered != "2025-03-26" && offered != "2025-11-25")
        throw TransportError(200, "initialize: server chose unsupported protocol version '" + offered + "'");
    version_ = offered;
    notify("notifications/initialized");
    return result;
}

} // namespace fastmcp::client
