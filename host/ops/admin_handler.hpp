// The admin port (--admin-port, loopback only): /healthz, /readyz and /metrics, nothing else.
// A second HttpServer runs it (its own loop and pool), so probes and scrapes never queue behind
// MCP traffic.
#pragma once

#include "ops_endpoints.hpp"

#include "../http/auth_slot.hpp"
#include "../http/connection.hpp"

#include <functional>
#include <memory>

namespace fastmcp::ops {

class AdminHandler final : public host::RequestHandler {
  public:
    // `gauges` fills the scrape-time numbers (open connections, sessions); called on the pool.
    // `auth` is the main port's slot (null: auth off): /readyz asks the provider serving now.
    AdminHandler(std::shared_ptr<const host::AuthSlot> auth,
                 std::function<void(OpsSources &)> gauges)
        : auth_(std::move(auth)), gauges_(std::move(gauges)) {}
    void handle(const std::shared_ptr<host::HttpExchange> &exchange) override;

  private:
    std::shared_ptr<const host::AuthSlot> auth_;
    std::function<void(OpsSources &)> gauges_;
};

} // namespace fastmcp::ops
