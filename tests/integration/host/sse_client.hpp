// A minimal SSE reader for the stream tests: reads one HTTP response whose body is chunked (or
// close-delimited) text/event-stream, and splits it into events.
#pragma once

#include "fastmcp_process.hpp"

#include <poll.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace host_test {

struct SseEvent {
    std::string id;
    std::string data;
    std::string retry;
};

struct SseResponse {
    Response head; // status and headers (no body)
    std::vector<SseEvent> events;
    bool ended = false; // the terminating chunk (or EOF) arrived
    std::string comments;
};

// Reads from `fd` until the response ends, `max_events` events arrived, or `timeout_ms` passed.
inline SseResponse read_sse(int fd, int timeout_ms = 5000, size_t max_events = SIZE_MAX) {
    SseResponse out;
    std::string raw;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool have_head = false, chunked = false;
    size_t body_pos = 0;
    std::string pending; // undecoded SSE text
    auto parse_events = [&] {
        size_t end;
        while ((end = pending.find("\n\n")) != std::string::npos) {
            std::string block = pending.substr(0, end);
            pending.erase(0, end + 2);
            SseEvent e;
            bool any = false;
            size_t start = 0;
            while (start <= block.size()) {
                size_t nl = block.find('\n', start);
                std::string line =
                    block.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
                if (line.rfind(":", 0) == 0)
                    out.comments += line + "\n";
                else if (line.rfind("id: ", 0) == 0)
                    e.id = line.substr(4), any = true;
                else if (line.rfind("retry: ", 0) == 0)
                    e.retry = line.substr(7), any = true;
                else if (line.rfind("data: ", 0) == 0)
                    e.data += line.substr(6), any = true;
                if (nl == std::string::npos) break;
                start = nl + 1;
            }
            if (any) out.events.push_back(e);
        }
    };
    char buf[16384];
    while (!out.ended && out.events.size() < max_events) {
        const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              deadline - std::chrono::steady_clock::now())
                                              .count());
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, left) <= 0) break;
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            out.ended = true;
            break;
        }
        raw.append(buf, static_cast<size_t>(n));
        if (!have_head) {
            const size_t end = raw.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            // The plain-response parser reads the head (no Content-Length: an empty body).
            Response r;
            std::string head_text = raw.substr(0, end + 4);
            parse_response(head_text, r);
            out.head = r;
            chunked = r.header("transfer-encoding") == "chunked";
            raw.erase(0, end + 4);
            have_head = true;
        }
        if (!chunked) {
            pending += raw;
            raw.clear();
        } else {
            for (;;) { // whole chunks only
                const size_t line_end = raw.find("\r\n", body_pos);
                if (line_end == std::string::npos) break;
                const size_t size =
                    std::strtoul(raw.substr(body_pos, line_end - body_pos).c_str(), nullptr, 16);
                if (raw.size() < line_end + 2 + size + 2) break;
                if (size == 0) {
                    out.ended = true;
                    break;
                }
                pending += raw.substr(line_end + 2, size);
                body_pos = line_end + 2 + size + 2;
            }
            raw.erase(0, body_pos);
            body_pos = 0;
        }
        parse_events();
    }
    return out;
}

} // namespace host_test
