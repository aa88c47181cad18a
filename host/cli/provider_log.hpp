#pragma once
// Provider log lines kept, not printed, by `auth check` and `auth config`: their output stays clean
// and deterministic; the lines are shown in a section of their own.

#include "fastmcp/auth_plugin.h"

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::cli {

class ProviderLog {
  public:
    explicit ProviderLog(fastmcp_log_level min_level = FASTMCP_LOG_DEBUG) : min_level_(min_level) {}

    void add(fastmcp_log_level level, std::string_view message) {
        if (level < min_level_) return;
        const char *name = level >= FASTMCP_LOG_ERROR     ? "ERROR"
                           : level >= FASTMCP_LOG_WARNING ? "WARNING"
                           : level >= FASTMCP_LOG_INFO    ? "INFO"
                                                          : "DEBUG";
        std::lock_guard lock(mu_);
        lines_.push_back(std::string(name) + " " + std::string(message));
    }

    std::vector<std::string> lines() const {
        std::lock_guard lock(mu_);
        return lines_;
    }

  private:
    const fastmcp_log_level min_level_;
    mutable std::mutex mu_;
    std::vector<std::string> lines_;
};

} // namespace fastmcp::cli
