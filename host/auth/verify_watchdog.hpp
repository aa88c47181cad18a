// A deadline for every provider verify() call (docs/plugin-abi.md, "Faults").
//
// verify runs inline on the request thread (no hand-off: a thread switch per request costs more
// than most verifies). The deadline is enforced by the connection reaper
// (host/http/connection.hpp): the handler marks its connection "verifying" with a deadline; a call
// still running past it is abandoned by the reaper, which writes a canned 503 (provider_timeout,
// never 200), shuts the socket and reports it here (abandoned()). The request thread stays inside
// the provider until it returns; then its verdict is discarded and reported here too
// (returned_late()).
//
// This class is the provider's health: while `max_stuck` abandoned calls are still inside the
// provider, verify answers PROVIDER_TIMEOUT at once without calling it, so a provider that hangs
// forever holds at most `max_stuck` (+ in-flight) request threads. When stuck calls return, the
// count drops and calls flow again (recovery needs no restart). A thread can not be cancelled
// safely inside foreign code, so a stuck one is never killed, and the module is never unloaded
// under it (the stuck request thread holds the backend).
#pragma once

#include "fastmcp/auth_backend.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace fastmcp::host {

struct VerifyWatchdogOptions {
    // > 0. (A timeout of 0 means no watchdog at all: the raw backend is used.)
    std::chrono::milliseconds timeout{15000};
    int max_stuck = 4; // abandoned calls still inside the provider that make it unhealthy
};

// An AuthBackend decorator: verify() checks health and calls the inner backend inline; info() and
// handle_route() are the inner backend's. The HTTP handler recognises it and arms the deadline.
class VerifyWatchdog final : public AuthBackend {
  public:
    // `label` names the provider in log lines ("Name (/path/module.so)").
    VerifyWatchdog(VerifyWatchdogOptions options, std::string label,
                   std::shared_ptr<const AuthBackend> inner);

    // Thread-safe. Never throws. PROVIDER_TIMEOUT at once while unhealthy.
    AuthVerdict verify(std::string_view token) const override;
    // The inner backend's cached verdict; while unhealthy, PROVIDER_TIMEOUT (no call either way).
    std::optional<AuthVerdict> verify_cached(std::string_view token) const override;
    const AuthInfo &info() const override { return inner_->info(); }
    std::optional<RouteResponse> handle_route(const RouteRequest &request) const override {
        return inner_->handle_route(request);
    }
    std::string live_describe_json() const override { return inner_->live_describe_json(); }

    const VerifyWatchdogOptions &options() const { return options_; }
    int stuck() const { return stuck_.load(std::memory_order_relaxed); }

    // The reaper gave up on a call past its deadline (logs an ERROR, counts it as stuck).
    void abandoned() const;
    // An abandoned call came back; its verdict was discarded (logs a WARNING without the token).
    void returned_late(fastmcp_reason verdict) const;

  private:
    VerifyWatchdogOptions options_;
    std::string label_;
    std::shared_ptr<const AuthBackend> inner_;
    mutable std::atomic<int> stuck_{0};
};

} // namespace fastmcp::host
