#include "auth_reload.hpp"

#include "host_services.hpp"

#include <atomic>
#include <exception>
#include <utility>

namespace fastmcp::host {
namespace {

std::atomic<uint64_t> g_succeeded{0};
std::atomic<uint64_t> g_failed{0};

std::string in_use(const std::string &label) { return label.empty() ? "no auth" : label; }

} // namespace

ReloadStats reload_stats() {
    return {g_succeeded.load(std::memory_order_relaxed), g_failed.load(std::memory_order_relaxed)};
}

AuthReloader::AuthReloader(AuthSource source, std::shared_ptr<AuthSlot> slot, std::string label)
    : source_(std::move(source)), slot_(std::move(slot)), label_(std::move(label)) {}

bool AuthReloader::reload() {
    std::string why;
    try {
        LoadedAuth next = auth_from_environment(source_);
        if (next.backend) {
            slot_->replace(std::move(next.backend));
            g_succeeded.fetch_add(1, std::memory_order_relaxed);
            log_message(FASTMCP_LOG_INFO, "auth reload succeeded: now serving with " + next.label +
                                              " (was " + in_use(label_) + ")");
            label_ = std::move(next.label);
            return true;
        }
        if (label_.empty()) {
            g_succeeded.fetch_add(1, std::memory_order_relaxed);
            log_message(FASTMCP_LOG_INFO, "auth reload succeeded: FASTMCP_SERVER_AUTH is still "
                                          "unset, auth stays off");
            return true;
        }
        why = "FASTMCP_SERVER_AUTH is unset: a reload never turns auth off (restart the server "
              "to serve without auth)";
    } catch (const std::exception &e) {
        why = e.what();
    } catch (...) {
        why = "unknown error";
    }
    g_failed.fetch_add(1, std::memory_order_relaxed);
    log_message(FASTMCP_LOG_ERROR,
                "auth reload failed, still serving with " + in_use(label_) + ": " + why);
    return false;
}

} // namespace fastmcp::host
