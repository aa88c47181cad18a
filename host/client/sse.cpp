#include "sse.hpp"

#include <charconv>

namespace fastmcp::client {

std::optional<SseEvent> SseParser::dispatch() {
    std::optional<SseEvent> out;
    if (has_fields_) {
        SseEvent e;
        e.id = last_id_;
        e.type = std::move(type_);
        e.data = std::move(data_);
        e.retry_ms = retry_;
        out = std::move(e);
    }
    type_.clear();
    data_.clear();
    has_data_ = has_fields_ = false;
    retry_.reset();
    return out;
}

std::optional<SseEvent> SseParser::feed(std::string_view line) {
    if (line.empty()) return dispatch();
    if (line.front() == ':') return std::nullopt; // a comment
    const size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
        if (has_data_) data_ += '\n';
        data_.append(value);
        has_data_ = has_fields_ = true;
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) last_id_ = std::string(value);
        has_fields_ = true;
    } else if (field == "event") {
        type_ = std::string(value);
    } else if (field == "retry") {
        long ms = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
        if (ec == std::errc() && p == value.data() + value.size() && !value.empty()) retry_ = ms;
        has_fields_ = true;
    }
    return std::nullopt;
}

std::optional<SseEvent> SseParser::finish() {
    if (!has_data_) return std::nullopt;
    return dispatch();
}

std::vector<nlohmann::json> sse_json_messages(std::string_view body) {
    std::vector<nlohmann::json> out;
    SseParser parser;
    auto take = [&](const std::optional<SseEvent> &e) {
        if (!e || e->data.empty()) return;
        auto j = nlohmann::json::parse(e->data, nullptr, false);
        if (!j.is_discarded()) out.push_back(std::move(j));
    };
    size_t pos = 0;
    while (pos < body.size()) {
        // Lines end in CRLF, LF or CR.
        const size_t end = body.find_first_of("\r\n", pos);
        if (end == std::string_view::npos) {
            take(parser.feed(body.substr(pos)));
            break;
        }
        take(parser.feed(body.substr(pos, end - pos)));
        pos = end + ((body[end] == '\r' && end + 1 < body.size() && body[end + 1] == '\n') ? 2 : 1);
    }
    take(parser.finish());
    return out;
}

} // namespace fastmcp::client
