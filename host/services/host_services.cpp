#include "host_services.hpp"

#include "http_fetch.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>

namespace fastmcp::host {
namespace {

std::atomic<int> g_min_level{FASTMCP_LOG_INFO};

const char *level_name(int level) {
    if (level >= FASTMCP_LOG_ERROR) return "ERROR";
    if (level >= FASTMCP_LOG_WARNING) return "WARNING";
    if (level >= FASTMCP_LOG_INFO) return "INFO";
    return "DEBUG";
}

int64_t system_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// One fputs per line: stdio locks the stream, so concurrent lines never interleave.
void write_line(std::string line) {
    line += '\n';
    std::fputs(line.c_str(), stderr);
}

void default_log(fastmcp_log_level level, std::string_view message) {
    if (level < g_min_level.load(std::memory_order_relaxed)) return;
    if (ops::log_format() == ops::LogFormat::json)
        return write_line(ops::json_log_line(system_now_ms(), level_name(level), message));
    std::fprintf(stderr, "%s %.*s\n", level_name(level), static_cast<int>(message.size()),
                 message.data());
}

} // namespace

void set_default_log_level(int level) { g_min_level.store(level); }

void log_message(fastmcp_log_level level, std::string_view message) { default_log(level, message); }

void log_access(const ops::AccessFields &fields) {
    if (!log_enabled(FASTMCP_LOG_INFO)) return;
    if (ops::log_format() == ops::LogFormat::json)
        return write_line(ops::json_access_line(system_now_ms(), fields));
    default_log(FASTMCP_LOG_INFO, ops::text_access_line(fields));
}

bool log_enabled(fastmcp_log_level level) { return level >= g_min_level.load(std::memory_order_relaxed); }

HostServices::HostServices() : HostServices(Options{}) {}

HostServices::HostServices(Options options) : options_(std::move(options)) {
    if (!options_.log) options_.log = default_log;
    if (!options_.clock) options_.clock = system_now_ms;
    if (!options_.fetch) options_.fetch = http_fetch;

    api_.struct_size = sizeof api_;
    api_.ctx = this;
    api_.log = [](void *ctx, int level, const char *message, size_t size) {
        static_cast<HostServices *>(ctx)->options_.log(static_cast<fastmcp_log_level>(level),
                                                       std::string_view(message, size));
    };
    api_.now_ms = [](void *ctx) -> int64_t { return static_cast<HostServices *>(ctx)->options_.clock(); };
    api_.http_fetch = [](void *ctx, const fastmcp_http_request *request,
                         fastmcp_http_response_fn on_response, void *user) {
        plugin::HttpResponse response;
        try {
            plugin::HttpRequest r;
            r.method = request->method ? request->method : "GET";
            r.url.assign(plugin::view(request->url));
            for (size_t i = 0; i < request->header_count; ++i)
                r.headers.emplace_back(std::string(plugin::view(request->headers[i].name)),
                                       std::string(plugin::view(request->headers[i].value)));
            r.body.assign(plugin::view(request->body));
            r.timeout_ms = request->timeout_ms;
            r.max_response_bytes = request->max_response_bytes;
            response = static_cast<HostServices *>(ctx)->options_.fetch(r);
        } catch (const std::exception &e) {
            response = {};
            response.error = e.what();
        }
        fastmcp_http_response out{};
        out.struct_size = sizeof out;
        out.status = response.status;
        out.body = plugin::str(response.body);
        out.content_type = plugin::str(response.content_type);
        out.error = plugin::str(response.error);
        on_response(user, &out);
    };
    api_.mcp_path = plugin::str(options_.mcp_path);
    api_.bind_host = plugin::str(options_.bind_host);
    api_.bind_is_loopback = options_.bind_is_loopback ? 1 : 0;
}

} // namespace fastmcp::host
