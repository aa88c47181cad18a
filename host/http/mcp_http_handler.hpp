// The application behind every connection: DNS-rebinding guard, CORS, the auth middleware,
// provider routes, /auth/complete and Streamable HTTP POSTs to the MCP path.
#pragma once

#include "auth_slot.hpp"
#include "connection.hpp"

#include "fastmcp/auth_backend.hpp"
#include "fastmcp/server.hpp"

#include "../mcp/dispatcher.hpp"

#include <memory>
#include <string>

namespace fastmcp::host {

struct HttpAppConfig {
    std::string mcp_path = "/mcp";
    bool loopback_guard = true; // validate Host and Origin (on loopback binds)
    ServerLimits limits;
    std::shared_ptr<const AuthSlot> auth; // null: auth off for good; else pinned per request
    std::shared_ptr<const Dispatcher> dispatcher;
};

class McpHttpHandler final : public RequestHandler {
  public:
    explicit McpHttpHandler(HttpAppConfig config);
    void handle(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response,
                ConnectionState &connection) override;

  private:
    struct Exchange;
    void route(Exchange &x);
    void serve_mcp(Exchange &x);
    void serve_auth_complete(Exchange &x);
    bool authenticate(Exchange &x, std::shared_ptr<const AccessToken> &token);
    bool read_body(Exchange &x, std::string &body);

    HttpAppConfig config_;
    std::string mcp_path_slash_;
};

} // namespace fastmcp::host
