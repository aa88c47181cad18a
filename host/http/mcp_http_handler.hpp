// The application behind every connection: DNS-rebinding guard, CORS, the auth middleware,
// provider routes, /auth/complete and Streamable HTTP on the MCP path. Runs on the event loops:
// a cached verify and a nonblocking request (ping, tools/list, a pure tool) finish inline; a
// verify miss, a provider route and any other tool run on the blocking pool, whose answer is
// posted back to the loop.
#pragma once

#include "auth_slot.hpp"
#include "connection.hpp"

#include "fastmcp/auth_backend.hpp"
#include "fastmcp/server.hpp"

#include "../mcp/dispatcher.hpp"
#include "../mcp/session_store.hpp"
#include "../ops/metrics.hpp"

#include <functional>
#include <memory>
#include <string>

namespace fastmcp::host {

struct HttpAppConfig {
    std::string mcp_path = "/mcp";
    bool loopback_guard = true; // validate Host and Origin (on loopback binds)
    ServerLimits limits;
    std::shared_ptr<const AuthSlot> auth; // null: auth off for good; else pinned per request
    std::shared_ptr<const Dispatcher> dispatcher;
    bool inline_work = true; // false: every verify and request runs on the pool (for measuring)
    std::shared_ptr<SessionStore> sessions; // stateful mode (Mcp-Session-Id); null: stateless
};

class McpHttpHandler final : public RequestHandler {
  public:
    explicit McpHttpHandler(HttpAppConfig config);
    void handle(const std::shared_ptr<HttpExchange> &exchange) override;

    struct Call; // one request's state across its asynchronous steps

  private:
    void route(const std::shared_ptr<Call> &x);
    void serve_ops(const std::shared_ptr<Call> &x, ops::Route route); // /healthz, /readyz
    void serve_provider_route(const std::shared_ptr<Call> &x);
    void run_provider_route(const std::shared_ptr<Call> &x);
    void read_body_then(const std::shared_ptr<Call> &x, size_t limit, std::function<void()> next);
    void serve_mcp(const std::shared_ptr<Call> &x);
    void serve_mcp_post(const std::shared_ptr<Call> &x);
    void dispatch(const std::shared_ptr<Call> &x);
    void proceed(const std::shared_ptr<Call> &x, ParsedBody parsed);
    void reject_scope(const std::shared_ptr<Call> &x, const std::vector<std::string> &needed);
    void execute_json(const std::shared_ptr<Call> &x, ParsedBody parsed);
    void execute_streamed(const std::shared_ptr<Call> &x, ParsedBody parsed);
    void serve_mcp_get(const std::shared_ptr<Call> &x);
    void serve_mcp_delete(const std::shared_ptr<Call> &x);
    // The session named by Mcp-Session-Id for this caller; on failure the answer was sent.
    std::shared_ptr<Session> session_of(const std::shared_ptr<Call> &x);
    void serve_auth_complete(const std::shared_ptr<Call> &x);
    // Verifies the bearer token, then runs `next` on the loop; on failure the answer was sent.
    void authenticate(const std::shared_ptr<Call> &x, std::function<void()> next);
    void on_verdict(const std::shared_ptr<Call> &x, AuthVerdict verdict,
                    const std::function<void()> &next);

    HttpAppConfig config_;
    std::string mcp_path_slash_;
};

} // namespace fastmcp::host
