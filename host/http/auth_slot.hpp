// The auth backend the HTTP handler serves with, replaceable while requests run (SIGHUP reload).
//
// A request pins one AuthView for its whole life (McpHttpHandler::Call holds it across every
// hop between the event loop and the blocking pool): the backend it verifies with, the routes
// and metadata URL it answers with, and the verify deadline whose canned 503 the loop writes all
// come from that view. A replaced backend therefore serves its in-flight requests to the end.
//
// Where the old provider dies: a replaced view is kept in the slot's retired list, so a request
// never drops the last reference (that could run the provider's destructor and dlclose on an
// event loop, or on a pool thread a request needs). collect(), called by the server's control
// thread every 200 ms, frees the retired views no request holds any more: the provider is
// destroyed and its module dlclose'd there (see auth_from_env.cpp), after its last call returned.
#pragma once

#include "connection.hpp"

#include "fastmcp/auth_backend.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fastmcp::host {

// Response headers that browsers may read (CORS), on every answer including the reaper's 503.
inline constexpr const char *kExposeHeaders =
    "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version";

// Everything the handler derives from one backend. Immutable once built.
struct AuthView {
    std::shared_ptr<const AuthBackend> backend; // null: auth off
    std::string metadata_url; // RFC 9728 URL for challenges (the provider's, else derived)
    std::optional<VerifyDeadline> verify_deadline; // set when the backend is a VerifyWatchdog
};

// RFC 9728: the metadata URL inserts /.well-known/oauth-protected-resource before the path.
std::string derived_metadata_url(const std::string &resource);

std::shared_ptr<const AuthView> make_auth_view(std::shared_ptr<const AuthBackend> backend);

// An RCU-style cell: a mutex held only for the pointer copy (not atomic<shared_ptr>: libstdc++
// 12's is opaque to TSan, see jwks/shared_cell.hpp), so a reader never waits for a reload.
class AuthSlot {
  public:
    explicit AuthSlot(std::shared_ptr<const AuthBackend> backend)
        : view_(make_auth_view(std::move(backend))) {}

    // Thread-safe. Never null (the view's backend is null when auth is off).
    std::shared_ptr<const AuthView> pin() const {
        std::lock_guard lock(mutex_);
        return view_;
    }
    // Thread-safe. Requests that start after this use `backend`; the old view is retired: it
    // lives on in the requests that pinned it, and collect() frees it after them.
    void replace(std::shared_ptr<const AuthBackend> backend);
    // Thread-safe; call it off the event loops. Frees the retired views that no request pins any
    // more (destroying their providers on this thread); returns how many are still pinned.
    size_t collect();

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const AuthView> view_;
    std::vector<std::shared_ptr<const AuthView>> retired_; // replaced, maybe still pinned
};

} // namespace fastmcp::host
