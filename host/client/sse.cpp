#include "sse.hpp"

namespace fastmcp::client {

std::vector<nlohmann::json> sse_json_messages(std::string_view body) {
    std::vector<nlohmann::json> out;
    std::string data;
    bool has_data = false;
    auto dispatch = [&] {
        if (has_data) {
            auto j = nlohmann::json::parse(data, nullptr, false);
            if (!j.is_discarded()) out.push_back(std::move(j));
        }
        data.clear();
        has_data = false;
    };
    size_t pos = 0;
    while (pos <= body.size()) {
        // Lines end in CRLF, LF or CR.
        size_t end = body.find_first_of("\r\n", pos);
        const bool last = end == std::string_view::npos;
        std::string_view line = body.substr(pos, last ? std::string_view::npos : end - pos);
        if (line.empty()) {
            if (last) break;
            dispatch();
        } else if (line.front() != ':') { // ':' starts a comment
            const size_t colon = line.find(':');
            std::string_view field = line.substr(0, colon);
            std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
            if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            if (field == "data") {
                if (has_data) data += '\n';
                data.append(value);
                has_data = true;
            }
        }
        if (last) break;
        pos = end + ((body[end] == '\r' && end + 1 < body.size() && body[end + 1] == '\n') ? 2 : 1);
    }
    dispatch(); // a stream cut after the last data line still yields its message
    return out;
}

} // namespace fastmcp::client
