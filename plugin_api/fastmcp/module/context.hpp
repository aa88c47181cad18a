// What a handler can do about the request it serves: who is calling, client-visible logging and
// progress, cancellation, and server-to-client requests (sampling, elicitation).
// A Context lives for one handler call, on that call's thread; do not keep it.
#pragma once

#include "fastmcp/module/errors.hpp"
#include "fastmcp/module/host.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::module {

// The verified token of the request being served.
struct AccessToken {
    std::string token; // the raw credential, byte for byte: pass it on only to its audience
    std::string subject;
    std::string client_id;
    std::string issuer;
    std::vector<std::string> scopes;
    int64_t expires_at = 0; // Unix seconds, 0 = none
    nlohmann::json claims = nlohmann::json::object();

    bool has_scope(std::string_view scope) const {
        return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
    }
};

// MCP logging levels (notifications/message), least to most severe.
enum class LogLevel {
    debug = FASTMCP_MCP_LOG_DEBUG,
    info = FASTMCP_MCP_LOG_INFO,
    notice = FASTMCP_MCP_LOG_NOTICE,
    warning = FASTMCP_MCP_LOG_WARNING,
    error = FASTMCP_MCP_LOG_ERROR,
    critical = FASTMCP_MCP_LOG_CRITICAL,
    alert = FASTMCP_MCP_LOG_ALERT,
    emergency = FASTMCP_MCP_LOG_EMERGENCY
};

// The client's answer to elicit().
struct Elicitation {
    std::string action; // "accept", "decline" or "cancel"
    nlohmann::json content = nlohmann::json::object();
    nlohmann::json result = nlohmann::json::object(); // the client's whole answer (_meta...)
    bool accepted() const { return action == "accept"; }
};

class Context : public Host {
  public:
    explicit Context(const fastmcp_server_host *host) : Host(host) {}

    std::optional<AccessToken> get_access_token() const {
        if (!FASTMCP_MODULE_HOST_HAS(host_, get_access_token)) return std::nullopt;
        fastmcp_token_view v{};
        v.struct_size = sizeof v;
        if (!host_->get_access_token(host_->ctx, &v)) return std::nullopt;
        AccessToken t;
        t.token.assign(view(v.token));
        t.subject.assign(view(v.subject));
        t.client_id.assign(view(v.client_id));
        t.issuer.assign(view(v.issuer));
        for (size_t i = 0; v.scopes && i < v.scope_count; ++i)
            t.scopes.emplace_back(view(v.scopes[i]));
        t.expires_at = v.expires_at;
        auto claims = nlohmann::json::parse(view(v.claims_json), nullptr, false);
        if (claims.is_object()) t.claims = std::move(claims);
        return t;
    }

    // notifications/message to the client (subject to its logging/setLevel). True when sent.
    bool log(LogLevel level, const nlohmann::json &data, std::string_view logger = {}) const {
        if (!FASTMCP_MODULE_HOST_HAS(host_, log_message)) return false;
        const std::string json = dump(data);
        return host_->log_message(host_->ctx, static_cast<int>(level), json.data(), json.size(),
                                  logger.empty() ? nullptr : logger.data(), logger.size()) == 1;
    }
    bool debug(std::string_view m) const { return log(LogLevel::debug, std::string(m)); }
    bool info(std::string_view m) const { return log(LogLevel::info, std::string(m)); }
    bool warning(std::string_view m) const { return log(LogLevel::warning, std::string(m)); }
    bool error(std::string_view m) const { return log(LogLevel::error, std::string(m)); }
    using Host::log; // log(fastmcp_log_level, message): the server's own log

    // notifications/progress, when the request carried a progressToken. True when sent.
    bool report_progress(double progress, std::optional<double> total = std::nullopt,
                         std::string_view message = {}) const {
        if (!FASTMCP_MODULE_HOST_HAS(host_, report_progress)) return false;
        return host_->report_progress(host_->ctx, progress, total ? *total : -1.0,
                                      message.empty() ? nullptr : message.data(),
                                      message.size()) == 1;
    }

    // True once the client cancelled this request: stop work, the answer will be dropped.
    bool is_cancelled() const {
        return FASTMCP_MODULE_HOST_HAS(host_, is_cancelled) && host_->is_cancelled(host_->ctx) == 1;
    }

    // sampling/createMessage with these params (messages, maxTokens...); returns the client's
    // result. Throws ClientRequestError when there is none (stateless mode, timeout...).
    nlohmann::json sample(const nlohmann::json &params,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const {
        if (!FASTMCP_MODULE_HOST_HAS(host_, sample))
            throw ClientRequestError(
                FASTMCP_CLIENT_UNSUPPORTED,
                "sampling is not supported by this host (server module ABI < 1.3)");
        const std::string json = dump(params);
        fastmcp_client_result out{};
        out.struct_size = sizeof out;
        const int status =
            host_->sample(host_->ctx, json.data(), json.size(), millis(timeout), &out);
        return answer("sampling", status, out);
    }
    // One user message in plain text; returns the text of the client's answer.
    std::string sample_text(std::string_view prompt, int max_tokens = 256) const {
        const nlohmann::json r = sample(nlohmann::json{
            {"messages", nlohmann::json::array(
                             {{{"role", "user"},
                               {"content", {{"type", "text"}, {"text", std::string(prompt)}}}}})},
            {"maxTokens", max_tokens}});
        const auto content = r.find("content");
        if (content == r.end() || !content->is_object() || content->value("type", "") != "text")
            throw ClientRequestError(FASTMCP_CLIENT_OK,
                                     "sampling: the client's answer is not text");
        return content->value("text", "");
    }

    // elicitation/create (form mode). Throws ClientRequestError when there is no answer.
    Elicitation elicit(std::string_view message, const nlohmann::json &requested_schema,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const {
        if (!FASTMCP_MODULE_HOST_HAS(host_, elicit))
            throw ClientRequestError(
                FASTMCP_CLIENT_UNSUPPORTED,
                "elicitation is not supported by this host (server module ABI < 1.3)");
        const std::string schema = dump(requested_schema);
        fastmcp_client_result out{};
        out.struct_size = sizeof out;
        const int status = host_->elicit(host_->ctx, message.data(), message.size(), schema.data(),
                                         schema.size(), millis(timeout), &out);
        const nlohmann::json result = answer("elicitation", status, out);
        Elicitation e;
        e.result = result;
        e.action = result.value("action", "");
        if (result.contains("content") && result["content"].is_object())
            e.content = result["content"];
        return e;
    }

    // A raw JSON-RPC notification on this request's stream (ABI 1.2). True when queued.
    bool notify(std::string_view method, const nlohmann::json &params = nullptr) const {
        if (!FASTMCP_MODULE_HOST_HAS(host_, notify)) return false;
        const std::string json = params.is_null() ? std::string() : dump(params);
        return host_->notify(host_->ctx, method.data(), method.size(), json.data(), json.size()) ==
               1;
    }
    // Ends this request's SSE response now (SEP-1699 polling); true when there was one.
    bool close_sse_stream() const {
        return FASTMCP_MODULE_HOST_HAS(host_, close_sse_stream) &&
               host_->close_sse_stream(host_->ctx) == 1;
    }

  private:
    static std::string dump(const nlohmann::json &j) {
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    static uint32_t millis(std::chrono::milliseconds t) {
        return static_cast<uint32_t>(std::clamp<long long>(t.count(), 0, UINT32_MAX));
    }
    static const char *outcome(int status) {
        switch (status) {
        case FASTMCP_CLIENT_OK:
            return ": the client's answer is not a JSON object";
        case FASTMCP_CLIENT_ERROR:
            return " failed on the client";
        case FASTMCP_CLIENT_TIMEOUT:
            return ": no answer from the client in time";
        case FASTMCP_CLIENT_UNSUPPORTED:
            return " is not available";
        case FASTMCP_CLIENT_CANCELLED:
            return ": the request was cancelled";
        default:
            return " failed";
        }
    }
    static nlohmann::json answer(const char *what, int status, const fastmcp_client_result &out) {
        auto body = nlohmann::json::parse(view(out.result_json), nullptr, false);
        if (status == FASTMCP_CLIENT_OK && body.is_object()) return body;
        std::string why =
            body.is_object() && body.contains("message") && body["message"].is_string()
                ? body["message"].get<std::string>()
                : std::string();
        std::string message = what + std::string(outcome(status));
        if (!why.empty()) message += ": " + why;
        throw ClientRequestError(status, message, std::string(view(out.result_json)));
    }
};

} // namespace fastmcp::module
