#include "auth_from_env.hpp"

#include "../auth/verify_watchdog.hpp"
#include "fastmcp/loader.hpp"
#include "fastmcp/provider_backend.hpp"
#include "fastmcp/server.hpp"
#include "host_services.hpp"

#include "fastmcp/env/field_value.hpp"

#include <chrono>
#include <cstdlib>
#include <optional>
#include <stdexcept>

namespace fastmcp::host {
namespace {

// Keeps the services the provider was created with alive as long as the provider, and destroys the
// provider first.
struct LoadedProvider {
    std::unique_ptr<HostServices> services;
    std::unique_ptr<loader::ProviderHandle> handle;
    ~LoadedProvider() { handle.reset(); }
};

constexpr const char *kVerifyTimeoutVariable = "FASTMCP_PROVIDER_VERIFY_TIMEOUT";
constexpr const char *kMaxHungCallsVariable = "FASTMCP_PROVIDER_MAX_HUNG_CALLS";
// Above the longest default network timeout of a bundled provider (introspection: 10 s per
// request; JWKS: 5 s, off the request path), so a slow IdP is reported by the provider itself
// (jwks_unavailable, introspection_unavailable) and the watchdog only fires on a provider that
// hangs.
constexpr int kDefaultVerifyTimeoutMs = 15000;

VerifyWatchdogOptions watchdog_options(const env::Environment &env, int verify_timeout_ms) {
    VerifyWatchdogOptions o;
    o.timeout = std::chrono::milliseconds(kDefaultVerifyTimeoutMs);
    if (verify_timeout_ms >= 0) {
        o.timeout = std::chrono::milliseconds(verify_timeout_ms);
    } else if (auto v = env.get(kVerifyTimeoutVariable)) {
        try {
            double seconds = env::parse_duration(v->value);
            if (seconds < 0 || seconds > 3600) throw std::runtime_error("out of range");
            o.timeout = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
        } catch (const std::exception &) {
            throw StartupError(v->label() + ": '" + v->value +
                               "' is not a duration in 0..1h (e.g. 5s, 500ms; 0 disables)");
        }
    }
    if (auto v = env.get(kMaxHungCallsVariable)) {
        char *end = nullptr;
        long n = std::strtol(v->value.c_str(), &end, 10);
        if (v->value.empty() || *end || n < 1 || n > 1000)
            throw StartupError(v->label() + ": '" + v->value + "' is not a number in 1..1000");
        o.max_stuck = static_cast<int>(n);
    }
    return o;
}

} // namespace

LoadedAuth auth_from_environment(const AuthSource &source) {
    try {
        auto env = env::Environment::from_process(
            source.env_file.empty() ? std::nullopt : std::optional<std::string>(source.env_file));
        HostServices::Options options;
        options.mcp_path = source.mcp_path;
        options.bind_host = source.bind_host;
        options.bind_is_loopback = source.bind_is_loopback;
        auto loaded = std::make_shared<LoadedProvider>();
        loaded->services = std::make_unique<HostServices>(std::move(options));
        loaded->handle =
            loader::load_provider(env, loader::default_search_path(env), loaded->services->api());
        if (!loaded->handle) return {};
        for (const auto &w : loaded->handle->warnings())
            log_message(FASTMCP_LOG_WARNING, w);
        const auto &h = *loaded->handle;
        auto backend = std::make_shared<ProviderBackend>(&h.desc(), h.instance(), loaded);
        log_message(FASTMCP_LOG_INFO, "auth provider " + h.provider_name() + " from " +
                                          h.module_path() + " protects " +
                                          backend->info().resource);
        const VerifyWatchdogOptions watchdog = watchdog_options(env, source.verify_timeout_ms);
        if (watchdog.timeout.count() == 0) {
            log_message(FASTMCP_LOG_WARNING,
                        std::string(kVerifyTimeoutVariable) +
                            "=0: no deadline on verify; a hung provider hangs its requests");
            return {backend, backend->label()};
        }
        return {std::make_shared<VerifyWatchdog>(watchdog, backend->label(), backend),
                backend->label()};
    } catch (const StartupError &) {
        throw;
    } catch (const std::exception &e) {
        throw StartupError(std::string("auth configuration error: ") + e.what());
    }
}

} // namespace fastmcp::host
