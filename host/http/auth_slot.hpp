// The auth backend the HTTP handler serves with, replaceable while requests run (SIGHUP reload).
//
// A request pins one AuthView for its whole life: the backend it verifies with, the routes and
// metadata URL it answers with, and the verify deadline's canned 503 all come from that view. A
// replaced backend therefore serves its in-flight requests to the end, and is destroyed (its
// module dlclose'd, see auth_from_env.cpp) when the last request holding it returns.
#pragma once

#include "connection.hpp"

#include "fastmcp/auth_backend.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>

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
    // Thread-safe. Requests that start after this use `backend`; the old view is released here,
    // outside the lock, and lives on in the requests that pinned it.
    void replace(std::shared_ptr<const AuthBackend> backend);

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const AuthView> view_;
};

} // namespace fastmcp::host
