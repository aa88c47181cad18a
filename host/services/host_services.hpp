// The services the host lends to providers (fastmcp_host_api): logging, the clock and an HTTP
// client. Tests construct one with a fake clock and a fake fetcher.
#pragma once

#include "fastmcp/auth_plugin.h"
#include "fastmcp/provider.hpp"

#include "../ops/log_format.hpp"

#include <functional>
#include <string>

namespace fastmcp::host {

class HostServices {
public:
    using LogFn = std::function<void(fastmcp_log_level, std::string_view)>;
    using ClockFn = std::function<int64_t()>; // Unix ms
    using FetchFn = std::function<plugin::HttpResponse(const plugin::HttpRequest &)>;

    struct Options {
        LogFn log;     // default: stderr, "level message"
        ClockFn clock; // default: system clock
        FetchFn fetch; // default: Poco HTTP(S) client (see http_fetch.hpp)
        std::string mcp_path = "/mcp";
        std::string bind_host = "127.0.0.1";
        bool bind_is_loopback = true;
    };

    HostServices();
    explicit HostServices(Options options);
    HostServices(const HostServices &) = delete;
    HostServices &operator=(const HostServices &) = delete;

    // Valid for the lifetime of this object.
    const fastmcp_host_api *api() const { return &api_; }
    const Options &options() const { return options_; }

private:
    Options options_;
    fastmcp_host_api api_{};
};

// Minimum level printed by the default logger (FASTMCP_LOG_* value).
void set_default_log_level(int level);

// Writes one line through the default logger (stderr, "LEVEL message"), honouring the level above.
void log_message(fastmcp_log_level level, std::string_view message);
// One access line at INFO, in the configured format (ops::set_log_format).
void log_access(const ops::AccessFields &fields);
// True when `level` would be printed (lets callers skip building a message).
bool log_enabled(fastmcp_log_level level);

} // namespace fastmcp::host
