#include "log_format.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>

namespace fastmcp::ops {
namespace {

std::atomic<LogFormat> g_format{LogFormat::text};

// JSON string escaping; bytes that are not printable ASCII are escaped as \u00XX so a line stays
// valid JSON whatever a message holds.
void append_string(std::string &out, std::string_view s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void field(std::string &out, const char *name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    append_string(out, value);
}

} // namespace

void set_log_format(LogFormat f) { g_format.store(f, std::memory_order_relaxed); }
LogFormat log_format() { return g_format.load(std::memory_order_relaxed); }

bool parse_log_format(std::string_view value, LogFormat &out) {
    if (value == "text")
        out = LogFormat::text;
    else if (value == "json")
        out = LogFormat::json;
    else
        return false;
    return true;
}

std::string format_time(int64_t unix_ms) {
    const time_t secs = static_cast<time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(unix_ms % 1000));
    return buf;
}

std::string json_log_line(int64_t unix_ms, const char *level, std::string_view message) {
    std::string out = "{\"time\":\"" + format_time(unix_ms) + "\"";
    field(out, "level", level);
    field(out, "message", message);
    out += '}';
    return out;
}

std::string json_access_line(int64_t unix_ms, const AccessFields &f) {
    std::string out = "{\"time\":\"" + format_time(unix_ms) + "\"";
    field(out, "level", "INFO");
    field(out, "message", "access");
    field(out, "request_id", f.request_id);
    field(out, "client", f.client);
    field(out, "method", f.method);
    field(out, "path", f.path.substr(0, 200));
    field(out, "route", f.route);
    out += ",\"status\":" + std::to_string(f.status);
    out += ",\"bytes\":" + std::to_string(f.bytes);
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", f.latency_ms);
    out += ",\"latency_ms\":";
    out += ms;
    if (!f.reason.empty()) field(out, "reason", f.reason);
    out += '}';
    return out;
}

std::string text_access_line(const AccessFields &f) {
    char line[512];
    std::snprintf(
        line, sizeof line, "access %.*s %.*s %.*s %d %zu %.1fms id=%.*s%s%.*s",
        static_cast<int>(f.client.size()), f.client.data(), static_cast<int>(f.method.size()),
        f.method.data(), static_cast<int>(std::min<size_t>(f.path.size(), 200)), f.path.data(),
        f.status, f.bytes, f.latency_ms, static_cast<int>(f.request_id.size()), f.request_id.data(),
        f.reason.empty() ? "" : " reason=", static_cast<int>(f.reason.size()), f.reason.data());
    return line;
}

} // namespace fastmcp::ops
