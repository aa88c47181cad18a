#include "verify_watchdog.hpp"

#include "host_services.hpp"

namespace fastmcp::host {

VerifyWatchdog::VerifyWatchdog(VerifyWatchdogOptions options, std::string label,
                               std::shared_ptr<const AuthBackend> inner)
    : options_(options), label_(std::move(label)), inner_(std::move(inner)) {}

AuthVerdict VerifyWatchdog::verify(std::string_view token) const {
    AuthVerdict verdict;
    if (stuck() >= options_.max_stuck) {
        verdict.reason = FASTMCP_REASON_PROVIDER_TIMEOUT;
        verdict.description = "the auth provider is not answering";
        return verdict;
    }
    try {
        return inner_->verify(token);
    } catch (...) {
        verdict.reason = FASTMCP_REASON_INTERNAL_ERROR;
        verdict.description = "the auth provider failed";
        return verdict;
    }
}

std::optional<AuthVerdict> VerifyWatchdog::verify_cached(std::string_view token) const {
    if (stuck() >= options_.max_stuck) return verify(token); // answers at once, without a call
    try {
        return inner_->verify_cached(token);
    } catch (...) {
        return std::nullopt;
    }
}

void VerifyWatchdog::abandoned() const {
    const int stuck = stuck_.fetch_add(1) + 1;
    log_message(FASTMCP_LOG_ERROR, "auth provider " + label_ + ": verify did not answer within " +
                                       std::to_string(options_.timeout.count()) + " ms (" +
                                       std::to_string(stuck) + " call(s) stuck" +
                                       (stuck >= options_.max_stuck ? "; provider unhealthy" : "") +
                                       "); answered 503 (provider_timeout)");
}

void VerifyWatchdog::returned_late(fastmcp_reason verdict) const {
    stuck_.fetch_sub(1);
    log_message(FASTMCP_LOG_WARNING,
                "auth provider " + label_ +
                    ": a verify call returned after its deadline; its verdict (" +
                    fastmcp_reason_name(verdict) + ") was discarded");
}

} // namespace fastmcp::host
