// A minimal MCP client over Streamable HTTP (MCP 2025-11-25, also 2025-06-18 and 2025-03-26):
// initialize, notifications/initialized, then requests. A response may come as application/json
// or as a text/event-stream that is read event by event: server requests on it (elicitation/create,
// ping) are answered with a POST, and a stream that ends before the response is resumed with a GET
// carrying Last-Event-ID after the server's `retry:` delay. Authorization is delegated to an
// Authorizer, asked again when the server answers 401, or 403 insufficient_scope.
#pragma once

#include "http_exchange.hpp"
#include "http_stream.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

namespace fastmcp::client {

class Authorizer {
  public:
    virtual ~Authorizer() = default;
    // The bearer token to send, or nullopt to send none.
    virtual std::optional<std::string> token() = 0;
    // The server answered 401 with this WWW-Authenticate value: a new token, or nullopt to give up.
    virtual std::optional<std::string> on_unauthorized(const std::string &www_authenticate) = 0;
    // The server answered 403 insufficient_scope (step-up): a token with more scope, or nullopt.
    virtual std::optional<std::string> on_insufficient_scope(const std::string &) {
        return std::nullopt;
    }
};

// The server's JSON-RPC error object.
class RpcError : public std::runtime_error {
  public:
    RpcError(int code, const std::string &message, nlohmann::json data)
        : std::runtime_error(message), code(code), data(std::move(data)) {}
    int code;
    nlohmann::json data;
};

// HTTP-level failure (status 0 when the connection itself failed).
class TransportError : public std::runtime_error {
  public:
    TransportError(int status, const std::string &message)
        : std::runtime_error(message), status(status) {}
    int status;
};

struct McpClientOptions {
    std::string protocol_version = "2025-11-25";
    std::string client_name = "fastmcp-cpp";
    std::string client_version = "0.1.0";
    // Idle limit on a response stream (and connect/send timeout) for MCP requests.
    uint32_t timeout_ms = 120000;
    // Resumptions of one request's stream (GET with Last-Event-ID) before giving up.
    int max_resumptions = 5;
    // Delay before a resumption when the server sent no `retry:` field.
    std::chrono::milliseconds default_retry{1000};
    // Set: elicitation is advertised and each elicitation/create's params are answered by it.
    std::function<nlohmann::json(const nlohmann::json &params)> elicit;
    // Transport: complete responses (fakes in tests) if `http` is set, else streamed (`open`,
    // http_open_stream by default).
    std::function<HttpResponse(const HttpRequest &)> http;
    std::function<StreamedResponse(const HttpRequest &)> open;
    std::function<void(std::chrono::milliseconds)> sleep; // default: this thread sleeps
    // Stateful servers (Mcp-Session-Id): after initialize, hold the GET stream open in a thread
    // and answer the server requests that arrive on it.
    bool get_stream = true;
};

class McpClient {
  public:
    McpClient(std::string url, Authorizer *auth, McpClientOptions options = {});
    ~McpClient(); // ends the GET stream
    McpClient(const McpClient &) = delete;
    McpClient &operator=(const McpClient &) = delete;

    // initialize + notifications/initialized. Returns the server's initialize result.
    nlohmann::json initialize();
    // One request; returns its `result` or throws RpcError / TransportError.
    nlohmann::json request(const std::string &method,
                           const nlohmann::json &params = nlohmann::json::object());
    void notify(const std::string &method, const nlohmann::json &params = nlohmann::json::object());

    const std::string &negotiated_version() const { return version_; }

  private:
    StreamedResponse open(const HttpRequest &req);
    HttpRequest base_request(const std::string &method,
                             const std::optional<std::string> &token) const;
    StreamedResponse post(const nlohmann::json &message);
    nlohmann::json read_stream(StreamedResponse res, int64_t id, const std::string &method);
    std::optional<nlohmann::json> handle_message(const nlohmann::json &m, int64_t id,
                                                 const std::string &method);
    void answer_server_request(const nlohmann::json &m);
    nlohmann::json reply_to(const nlohmann::json &m);
    void start_get_stream();

    struct Listener; // the GET stream's thread and its stop hook
    std::unique_ptr<Listener> listener_;
    std::mutex elicit_mu_; // one question at a time, from either stream

    std::string url_;
    Authorizer *auth_;
    McpClientOptions options_;
    std::string version_;
    std::string session_id_;
    int64_t next_id_ = 1;
};

} // namespace fastmcp::client
