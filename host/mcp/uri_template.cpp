#include "uri_template.hpp"

#include <cctype>
#include <stdexcept>

namespace fastmcp::host {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool stops_variable(char c) { return c == '/' || c == '?' || c == '#'; }

} // namespace

UriTemplate::UriTemplate(std::string_view text) {
    std::string literal;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '}') throw std::invalid_argument("uriTemplate: unmatched '}'");
        if (text[i] != '{') {
            literal += text[i];
            continue;
        }
        const size_t close = text.find('}', i);
        if (close == std::string_view::npos)
            throw std::invalid_argument("uriTemplate: unclosed '{'");
        std::string name(text.substr(i + 1, close - i - 1));
        if (name.empty()) throw std::invalid_argument("uriTemplate: empty variable name");
        for (char c : name)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '%'))
                throw std::invalid_argument(
                    "uriTemplate: only RFC 6570 level 1 ({name}) is supported");
        if (!names_.empty() && literal.empty())
            throw std::invalid_argument("uriTemplate: two variables need a literal between them");
        literals_.push_back(std::move(literal));
        literal.clear();
        names_.push_back(std::move(name));
        i = close;
    }
    literals_.push_back(std::move(literal));
}

std::optional<nlohmann::json> UriTemplate::match(std::string_view uri) const {
    nlohmann::json vars = nlohmann::json::object();
    size_t pos = 0;
    for (size_t v = 0; v <= names_.size(); ++v) {
        const std::string &lit = literals_[v];
        if (uri.compare(pos, lit.size(), lit) != 0) return std::nullopt;
        pos += lit.size();
        if (v == names_.size()) break;
        // The variable runs to the next literal (or the end), never across '/', '?' or '#'.
        const std::string &next = literals_[v + 1];
        size_t end = pos;
        while (end < uri.size() && !stops_variable(uri[end]) &&
               (next.empty() || uri.compare(end, next.size(), next) != 0))
            ++end;
        if (end == pos) return std::nullopt;
        vars[names_[v]] = percent_decode(uri.substr(pos, end - pos));
        pos = end;
    }
    if (pos != uri.size()) return std::nullopt;
    return vars;
}

} // namespace fastmcp::host
