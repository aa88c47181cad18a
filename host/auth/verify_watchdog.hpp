// A deadline for every provider verify() call (docs/plugin-abi.md, "Hangs").
//
// A call runs on a watchdog worker thread while the request thread waits at most `timeout`. When
// the deadline passes, the request gets a PROVIDER_TIMEOUT verdict (HTTP 503, never 200) and the
// call is abandoned: its worker is "stuck" until the provider returns, and whatever it returns
// then is discarded (a late "OK" never reaches any request). While `max_stuck` workers are stuck,
// the provider is unhealthy and every verify answers PROVIDER_TIMEOUT at once without calling it,
// so a provider that hangs forever costs at most `max_stuck` (+ in-flight) threads. When stuck
// calls return, the count drops and calls flow again (recovery needs no restart).
//
// A thread can not be cancelled safely inside foreign code, so a stuck thread is never killed;
// at destruction, has_stuck() tells the owner not to unload the module under it.
#pragma once

#include "fastmcp/auth_backend.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace fastmcp::host {

struct VerifyWatchdogOptions {
    // 0 disables the watchdog: verify runs inline on the request thread (no deadline).
    std::chrono::milliseconds timeout{5000};
    int max_stuck = 4;      // stuck workers that make the provider unhealthy
    int max_workers = 512;  // hard cap on worker threads (beyond it: PROVIDER_TIMEOUT at once)
};

// An AuthBackend decorator: verify() goes through the watchdog; info() and handle_route() are the
// inner backend's.
class VerifyWatchdog final : public AuthBackend {
public:
    // `label` names the provider in log lines ("Name (/path/module.so)").
    VerifyWatchdog(VerifyWatchdogOptions options, std::string label, std::shared_ptr<const AuthBackend> inner);
    // Stops idle workers and waits for busy ones; stuck workers are left running (detached).
    ~VerifyWatchdog() override;
    VerifyWatchdog(const VerifyWatchdog &) = delete;
    VerifyWatchdog &operator=(const VerifyWatchdog &) = delete;

    // Thread-safe. Never throws; never returns OK unless the provider said so within the deadline.
    AuthVerdict verify(std::string_view token) const override;
    const AuthInfo &info() const override { return inner_->info(); }
    std::optional<RouteResponse> handle_route(const RouteRequest &request) const override {
        return inner_->handle_route(request);
    }

    const VerifyWatchdogOptions &options() const { return options_; }
    int stuck() const;   // abandoned calls still running inside the provider
    int workers() const; // worker threads alive
    bool has_stuck() const { return stuck() > 0; }

private:
    struct State;
    VerifyWatchdogOptions options_;
    std::shared_ptr<const AuthBackend> inner_;
    std::shared_ptr<State> state_;
};

} // namespace fastmcp::host
