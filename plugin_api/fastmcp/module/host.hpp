// The host's module-wide services, as lent to register_tools: the server log, configuration
// lookup, and the list/resource notifications a module may send at any time from any thread.
// Copyable and cheap (one pointer); valid until the server stops.
#pragma once

#include "fastmcp/server_module.h"

#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

// True when the host's function table reaches `member` and it is set (an older host has a
// shorter table: its struct_size says how far it goes).
#define FASTMCP_MODULE_HOST_HAS(host, member)                                                      \
    ((host) != nullptr &&                                                                          \
     (host)->struct_size >= offsetof(fastmcp_server_host, member) + sizeof((host)->member) &&      \
     (host)->member != nullptr)

namespace fastmcp::module {

inline std::string_view view(fastmcp_str s) { return {s.data ? s.data : "", s.size}; }
inline fastmcp_str str(std::string_view s) { return {s.data(), s.size()}; }

class Host {
  public:
    explicit Host(const fastmcp_server_host *host = nullptr) : host_(host) {}

    // The server's own log (stderr / the host's sink), never the client. No tokens or secrets.
    void log(fastmcp_log_level level, std::string_view message) const {
        if (FASTMCP_MODULE_HOST_HAS(host_, log))
            host_->log(host_->ctx, level, message.data(), message.size());
    }

    // Configuration the way the host reads it: process environment, then its .env file.
    std::optional<std::string> get_env(std::string_view name) const {
        if (FASTMCP_MODULE_HOST_HAS(host_, get_env)) {
            fastmcp_str out{};
            if (host_->get_env(host_->ctx, name.data(), name.size(), &out))
                return std::string(view(out));
            return std::nullopt;
        }
        const char *v = std::getenv(std::string(name).c_str()); // a 1.0 host: process env only
        return v ? std::optional<std::string>(v) : std::nullopt;
    }

    // notifications/resources/updated to the sessions subscribed to `uri`; returns how many.
    int notify_resource_updated(std::string_view uri) const {
        return FASTMCP_MODULE_HOST_HAS(host_, notify_resource_updated)
                   ? host_->notify_resource_updated(host_->ctx, uri.data(), uri.size())
                   : 0;
    }
    int notify_resource_list_changed() const {
        return FASTMCP_MODULE_HOST_HAS(host_, notify_resource_list_changed)
                   ? host_->notify_resource_list_changed(host_->ctx)
                   : 0;
    }
    int notify_tool_list_changed() const {
        return FASTMCP_MODULE_HOST_HAS(host_, notify_tool_list_changed)
                   ? host_->notify_tool_list_changed(host_->ctx)
                   : 0;
    }
    int notify_prompt_list_changed() const {
        return FASTMCP_MODULE_HOST_HAS(host_, notify_prompt_list_changed)
                   ? host_->notify_prompt_list_changed(host_->ctx)
                   : 0;
    }

    // ABI 1.3 or later: resources, prompts, completions, scopes and the handler calls exist.
    bool speaks_1_3() const { return FASTMCP_MODULE_HOST_HAS(host_, add_prompt); }

    const fastmcp_server_host *abi() const { return host_; }

  protected:
    const fastmcp_server_host *host_;
};

} // namespace fastmcp::module
