// Shared by the three loop prototypes: the minimal HTTP/1.1 keep-alive framing they all run (head
// ends at "\r\n\r\n", body is Content-Length bytes) and the fixed JSON answer. Deliberately not the
// project's strict parser: the prototypes measure the loop, not the parser.
#pragma once

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>
#include <strings.h>

namespace loopproto {

inline constexpr std::string_view kBody =
    R"({"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello"}],"isError":false}})";

inline const std::string kResponse = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                     "Content-Length: " +
                                     std::to_string(kBody.size()) + "\r\n\r\n" + std::string(kBody);

// Length of the first complete request in buf; 0 while more bytes are needed; -1 if malformed.
inline long complete_request(std::string_view buf) {
    const size_t end = buf.find("\r\n\r\n");
    if (end == std::string_view::npos) return buf.size() > 65536 ? -1 : 0;
    constexpr std::string_view name = "content-length:";
    size_t length = 0;
    for (size_t pos = buf.find("\r\n") + 2; pos < end + 2;) {
        const size_t eol = buf.find("\r\n", pos);
        std::string_view line = buf.substr(pos, eol - pos);
        pos = eol + 2;
        if (line.size() <= name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0)
            continue;
        line.remove_prefix(name.size());
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), length);
        if (ec != std::errc() || length > (1u << 20)) return -1;
    }
    const size_t total = end + 4 + length;
    return buf.size() >= total ? static_cast<long>(total) : 0;
}

// Consumes every complete request at the front of in, appending one answer per request to out.
// Returns false on a malformed request (the caller closes the connection).
inline bool answer_requests(std::string &in, std::string &out) {
    size_t consumed = 0;
    long length;
    while ((length = complete_request(std::string_view(in).substr(consumed))) > 0) {
        out += kResponse;
        consumed += static_cast<size_t>(length);
    }
    in.erase(0, consumed);
    return length == 0;
}

inline int port_arg(int argc, char **argv) { return argc > 1 ? std::atoi(argv[1]) : 8080; }

} // namespace loopproto
