// Log line formats: "LEVEL message" text (default) or one JSON object per line
// (--log-format json / FASTMCP_LOG_FORMAT=json): time, level, message and, on access lines,
// request_id, route, method, status, latency_ms and reason. Callers never pass tokens or secrets;
// the access line carries the path only (never the query string) and a reason code name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fastmcp::ops {

enum class LogFormat { text, json };
void set_log_format(LogFormat f);
LogFormat log_format();
// "text" or "json"; false for anything else.
bool parse_log_format(std::string_view value, LogFormat &out);

struct AccessFields {
    std::string_view request_id;
    std::string_view client; // peer address
    std::string_view method;
    std::string_view path;
    std::string_view route; // ops::route_name
    int status = 0;
    size_t bytes = 0;
    double latency_ms = 0;
    std::string_view reason; // verdict reason code name; empty when no verify ran
};

// RFC 3339 UTC with milliseconds, e.g. 2026-12-02T03:04:05.678Z.
std::string format_time(int64_t unix_ms);
// One line without the trailing newline.
std::string json_log_line(int64_t unix_ms, const char *level, std::string_view message);
std::string json_access_line(int64_t unix_ms, const AccessFields &f);
std::string text_access_line(const AccessFields &f);

} // namespace fastmcp::ops
