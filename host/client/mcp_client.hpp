// A minimal MCP client over Streamable HTTP (MCP 2025-06-18): initialize, notifications/initialized,
// then requests; responses may come as application/json or text/event-stream. Authorization is
// delegated to an Authorizer, which is asked again once when the server answers 401.
#pragma once

#include "http_exchange.hpp"

#include <nlohmann/json.hpp>

#include <functional>
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
    TransportError(int status, const std::string &message) : std::runtime_error(message), status(status) {}
    int status;
};

struct McpClientOptions {
    std::string protocol_version = "2025-06-18";
    std::string client_name = "fastmcp-cpp";
    std::string client_version = "0.1.0";
    std::function<HttpResponse(const HttpRequest &)> http = http_exchange;
};

class McpClient {
public:
    McpClient(std::string url, Authorizer *auth, McpClientOptions options = {});

    // initialize + notifications/initialized. Returns the server's initialize result.
    nlohmann::json initialize();
    // One request; returns its `result` or throws RpcError / TransportError.
    nlohmann::json request(const std::string &method, const nlohmann::json &params = nlohmann::json::object());
    void notify(const std::string &method, const nlohmann::json &params = nlohmann::json::object());

    const std::string &negotiated_version() const { return version_; }

private:
    HttpResponse post(const nlohmann::json &message);
    HttpResponse post_once(const nlohmann::json &message, const std::optional<std::string> &token);

    std::string url_;
    Authorizer *auth_;
    McpClientOptions options_;
    std::string version_;
    std::string session_id_;
    int64_t next_id_ = 1;
};

} // namespace fastmcp::client
