// fastmcp run [SERVER_MODULE.so] --transport http [--host H] [--port P] [--path /mcp]
//             [--env-file F] [--log-level L] [limits...]
#include "commands.hpp"
#include "fastmcp/env/field_value.hpp"

#include "fastmcp/server.hpp"

#include "../server/demo_app.hpp"
#include "../server/server_module.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace fastmcp::cli {
namespace {

constexpr const char *kRunUsage =
    "usage: fastmcp run [SERVER_MODULE.so] --transport http [--host H] [--port P] [--path /mcp]\n"
    "                   [--env-file F] [--log-level debug|info|warning|error]\n"
    "                   [--max-body-bytes N] [--request-timeout-ms N] [--keep-alive-timeout-ms N]\n"
    "                   [--max-threads N] [--drain-timeout-ms N] [--verify-timeout DURATION]\n"
    "                   [--workers N] [--max-connections N]\n"
    "                   [--stateful] [--max-sessions N] [--session-idle-timeout DURATION]\n"
    "                   [--admin-port P] [--log-format text|json]\n"
    "  --admin-port P       /healthz, /readyz and /metrics on 127.0.0.1:P (0: the OS picks)\n"
    "  --log-format F       text (default) or json: one JSON object a line\n"
    "  --stateful           sessions (Mcp-Session-Id), GET streams and resumable SSE; also\n"
    "                       FASTMCP_STATELESS_HTTP=false. Default: stateless (any replica serves\n"
    "                       any request)\n"
    "  --max-sessions N     live sessions before initialize gets 503 (10000)\n"
    "  --session-idle-timeout DURATION  a session with no request and no open stream ends (30m)\n"
    "  --sse-keep-alive DURATION  a comment line on an SSE stream idle this long (15s)\n"
    "  --workers N          event loops (default: one per CPU this process may run on)\n"
    "  --max-connections N  open connections before new ones get 503 (default: the open-file\n"
    "                       limit, raised to its hard limit, less 1/8 kept for fetches and files)\n"
    "  --max-threads N      threads for blocking work: provider verify misses and tools (64)\n"
    "Without a module, serves the built-in demo app (tools: whoami, echo).\n"
    "Auth comes from FASTMCP_SERVER_AUTH (environment or .env); unset means auth off.\n";

long parse_number(const std::string &flag, const std::string &value, long min, long max) {
    char *end = nullptr;
    errno = 0;
    long n = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end || errno || n < min || n > max)
        throw StartupError(flag + ": '" + value + "' is not a number in " + std::to_string(min) + ".." + std::to_string(max));
    return n;
}

// --verify-timeout: a duration ("5s", "500ms", "0" = no watchdog); wins over FASTMCP_PROVIDER_VERIFY_TIMEOUT.
int parse_verify_timeout(const std::string &value) {
    double seconds = -1;
    try {
        seconds = env::parse_duration(value);
    } catch (const std::exception &) {
    }
    if (seconds < 0 || seconds > 3600)
        throw StartupError("--verify-timeout: '" + value + "' is not a duration in 0..1h (e.g. 5s, 500ms; 0 disables)");
    return static_cast<int>(seconds * 1000);
}

// A duration flag ("30m", "90s", "500ms") in milliseconds, at least 1 s.
int parse_duration_ms(const std::string &flag, const std::string &value) {
    double seconds = -1;
    try {
        seconds = env::parse_duration(value);
    } catch (const std::exception &) {
    }
    if (seconds < 1 || seconds > 7 * 24 * 3600)
        throw StartupError(flag + ": '" + value + "' is not a duration in 1s..7d (e.g. 30m, 90s)");
    return static_cast<int>(seconds * 1000);
}

} // namespace

int cmd_run(const Args &args) {
    RunOptions options;
    std::string module_path;
    try {
        for (size_t i = 0; i < args.size(); ++i) {
            const std::string &a = args[i];
            auto value = [&]() -> const std::string & {
                if (i + 1 >= args.size()) throw StartupError(a + " needs a value");
                return args[++i];
            };
            if (a == "--help" || a == "-h") {
                std::fputs(kRunUsage, stdout);
                return 0;
            } else if (a == "--transport") options.transport = value();
            else if (a == "--host") options.host = value();
            else if (a == "--port") options.port = static_cast<int>(parse_number(a, value(), 0, 65535));
            else if (a == "--path") options.path = value();
            else if (a == "--env-file") options.env_file = value();
            else if (a == "--log-level") options.log_level = value();
            else if (a == "--log-format") options.log_format = value();
            else if (a == "--admin-port") options.admin_port = static_cast<int>(parse_number(a, value(), 0, 65535));
            else if (a == "--max-body-bytes") options.limits.max_body_bytes = static_cast<size_t>(parse_number(a, value(), 1, 1L << 30));
            else if (a == "--request-timeout-ms") options.limits.request_timeout_ms = static_cast<int>(parse_number(a, value(), 100, 3600000));
            else if (a == "--keep-alive-timeout-ms") options.limits.keep_alive_timeout_ms = static_cast<int>(parse_number(a, value(), 100, 3600000));
            else if (a == "--max-threads") options.limits.max_threads = static_cast<int>(parse_number(a, value(), 2, 4096));
            else if (a == "--drain-timeout-ms") options.limits.drain_timeout_ms = static_cast<int>(parse_number(a, value(), 0, 3600000));
            else if (a == "--verify-timeout") options.limits.verify_timeout_ms = parse_verify_timeout(value());
            else if (a == "--stateful") options.stateful = true;
            else if (a == "--max-sessions") options.limits.max_sessions = static_cast<int>(parse_number(a, value(), 1, 10000000));
            else if (a == "--session-idle-timeout") options.limits.session_idle_timeout_ms = parse_duration_ms(a, value());
            else if (a == "--sse-keep-alive") options.limits.stream_keep_alive_ms = parse_duration_ms(a, value());
            else if (a == "--workers") options.limits.workers = static_cast<int>(parse_number(a, value(), 1, 256));
            else if (a == "--max-connections") options.limits.max_connections = static_cast<int>(parse_number(a, value(), 1, 10000000));
            else if (!a.empty() && a[0] == '-') throw StartupError("unknown option " + a + "\n" + kRunUsage);
            else if (module_path.empty()) module_path = a;
            else throw StartupError("only one server module may be given\n" + std::string(kRunUsage));
        }
        if (options.transport != "http" && options.transport != "streamable-http")
            throw StartupError("--transport " + options.transport +
                               " is not supported: this host serves Streamable HTTP only (use --transport http)");

        std::shared_ptr<host::ServerModule> module;
        if (!module_path.empty()) module = host::ServerModule::open(module_path);
        Server server{module ? module->name() : "AuthKit Secured App", module ? module->version() : FASTMCP_VERSION};
        if (module) {
            server.instructions(module->instructions());
            module->register_tools(server, options.env_file);
        } else {
            host::add_demo_tools(server);
        }
        return server.run(options);
    } catch (const StartupError &e) {
        std::fprintf(stderr, "fastmcp: %s\n", e.what());
        return 2;
    }
}

} // namespace fastmcp::cli
