#include "json_parse.hpp"

#include <simdjson.h>

namespace fastmcp::host {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxFastBody = 64 * 1024; // MCP requests are mostly well under 1 KB

// An element type this walk does not know (a newer simdjson): nlohmann parses the text instead.
struct Disagreement {};

json to_json(simdjson::dom::element e) {
    switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
        json out = json::object();
        // operator[]: a repeated name keeps its last value, as nlohmann's own parser does.
        for (const auto field : simdjson::dom::object(e))
            out[std::string(field.key)] = to_json(field.value);
        return out;
    }
    case simdjson::dom::element_type::ARRAY: {
        json out = json::array();
        for (const auto item : simdjson::dom::array(e))
            out.push_back(to_json(item));
        return out;
    }
    case simdjson::dom::element_type::STRING:
        return json(std::string(std::string_view(e)));
    case simdjson::dom::element_type::INT64: {
        // nlohmann reads an integer without a sign as unsigned.
        const int64_t v = int64_t(e);
        return v >= 0 ? json(static_cast<uint64_t>(v)) : json(v);
    }
    case simdjson::dom::element_type::UINT64:
        return json(uint64_t(e));
    case simdjson::dom::element_type::DOUBLE:
        return json(double(e));
    case simdjson::dom::element_type::BOOL:
        return json(bool(e));
    case simdjson::dom::element_type::NULL_VALUE:
        return json(nullptr);
    }
    throw Disagreement{};
}

// A "-0" that is a whole integer: simdjson reads 0, nlohmann a signed 0. "-0.5" and "-0e1" read
// alike, and "-0" before a digit is no JSON number (dates and ids in strings: "2026-01-02").
bool has_negative_zero_integer(std::string_view text) {
    for (size_t at = text.find("-0"); at != std::string_view::npos; at = text.find("-0", at + 2)) {
        const char next = at + 2 < text.size() ? text[at + 2] : '\0';
        if (!(next >= '0' && next <= '9') && next != '.' && next != 'e' && next != 'E') return true;
    }
    return false;
}

} // namespace

json parse_json(std::string_view text) {
    // Escaped code points (lone surrogates above all) are where parsers differ most, and an
    // integer "-0" is read differently: such texts are nlohmann's to parse.
    // Past kMaxFastBody, nlohmann too: each thread's simdjson parser keeps buffers sized to the
    // largest text it has parsed, and a few large bodies must not pin megabytes per thread. An
    // empty text may have no data pointer, which simdjson would hand to memcpy.
    if (!text.empty() && text.size() <= kMaxFastBody &&
        text.find("\\u") == std::string_view::npos && !has_negative_zero_integer(text)) {
        thread_local simdjson::dom::parser parser; // buffers reused by every body on this thread
        simdjson::dom::element root;
        if (parser.parse(text.data(), text.size(), true).get(root) == simdjson::SUCCESS) {
            try {
                return to_json(root);
            } catch (const Disagreement &) {
            }
        }
    }
    return json::parse(text, nullptr, false);
}

} // namespace fastmcp::host
