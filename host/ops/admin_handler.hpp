// The admin port (--admin-port, loopback only): /healthz, /readyz and /metrics, nothing else.
// A second HttpServer runs it, so probes and scrapes never queue behind MCP traffic.
#pragma once

#include "../http/connection.hpp"

#include "fastmcp/auth_backend.hpp"

#include <memory>

namespace fastmcp::ops {

class AdminHandler final : public host::RequestHandler {
  public:
    explicit AdminHandler(std::shared_ptr<const AuthBackend> auth) : auth_(std::move(auth)) {}
    void handle(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response,
                host::ConnectionState &connection) override;

  private:
    std::shared_ptr<const AuthBackend> auth_;
};

} // namespace fastmcp::ops
