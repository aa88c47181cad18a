#include "request_head.hpp"
#include "ascii_case.hpp"
#include "byte_scan.hpp"

#include <array>
#include <cstring>

namespace fastmcp::host {

namespace {

constexpr auto kToken = alnum_and("!#$%&'*+-.^_`|~"); // RFC 9110 §5.6.2 tchar

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!kToken[c]) return false;
    return true;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ows(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back()))
        s.remove_suffix(1);
    return s;
}

// request-line = method SP request-target SP HTTP-version (RFC 9112 §3).
int parse_request_line(std::string_view line, const RequestHeadLimits &limits, RequestHead &out) {
    if (line.size() > limits.max_request_line) return 414;
    const size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return 400;
    const size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return 400;
    out.method = line.substr(0, sp1);
    out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!is_token(out.method) || out.target.empty()) return 400;
    for (unsigned char c : out.target)
        if (c <= 0x20 || c >= 0x7f)
            return 400; // visible ASCII only; anything else is percent-encoded
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
        version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
        return 400;
    if (version[5] != '1') return 505;
    out.minor_version = version[7] - '0';
    if (out.minor_version > 1) return 505;
    return 0;
}

// Content-Length = 1*DIGIT; repeated fields must agree (RFC 9112 §6.3).
int parse_content_length(std::string_view value, bool &seen, uint64_t &length) {
    if (value.empty() || value.size() > 18) return 400;
    uint64_t n = 0;
    for (char c : value) {
        if (c < '0' || c > '9') return 400;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (seen && n != length) return 400;
    seen = true;
    length = n;
    return 0;
}

// Transfer-Encoding: only "chunked", once (RFC 9112 §6.1). Another coding is 501.
int parse_transfer_encoding(std::string_view value, bool &chunked) {
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        const std::string_view coding = trim_ows(value.substr(start, comma - start));
        if (!coding.empty()) {
            if (!iequals(coding, "chunked")) return 501;
            if (chunked) return 400;
            chunked = true;
        }
        start = comma + 1;
    }
    return 0;
}

} // namespace

size_t find_head_end(std::string_view received) {
    const size_t at = received.find("\r\n\r\n");
    return at == std::string_view::npos ? 0 : at + 4;
}

int parse_request_head(std::string_view head, const RequestHeadLimits &limits, RequestHead &out) {
    auto fields =
        std::move(out.fields); // its capacity is kept: a reused head parses without allocating
    fields.clear();
    out = RequestHead{};
    out.fields = std::move(fields);
    if (head.size() < 4 || head.substr(head.size() - 4) != "\r\n\r\n") return 400;
    head.remove_suffix(2); // every line, the last field's included, now ends in CRLF
    size_t eol = head.find("\r\n");
    if (const int status = parse_request_line(head.substr(0, eol), limits, out)) return status;
    size_t pos = eol + 2;

    bool has_length = false, chunked = false, has_te = false;
    size_t hosts = 0, fields_bytes = 0;
    while (pos < head.size()) {
        eol = head.find("\r\n", pos);
        const std::string_view line = head.substr(pos, eol - pos);
        pos = eol + 2;
        if (line.empty() || is_ows(line.front())) return 400; // obs-fold (RFC 9112 §5.2)
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) return 400;
        const std::string_view name = line.substr(0, colon);
        if (name.size() > limits.max_name) return 431;
        if (!is_token(name)) return 400; // also refuses whitespace before the colon (§5.1)
        const std::string_view value = trim_ows(line.substr(colon + 1));
        if (value.size() > limits.max_value) return 431;
        if (!is_field_value(value)) return 400;
        fields_bytes += name.size() + value.size() + 4;
        if (out.fields.size() >= limits.max_fields || fields_bytes > limits.max_fields_bytes)
            return 431;
        out.fields.emplace_back(name, value);

        if (iequals(name, "Content-Length")) {
            if (const int status = parse_content_length(value, has_length, out.content_length))
                return status;
        } else if (iequals(name, "Transfer-Encoding")) {
            has_te = true;
            if (const int status = parse_transfer_encoding(value, chunked)) return status;
        } else if (iequals(name, "Host")) {
            ++hosts;
        }
    }
    // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
    if (hosts > 1 || (hosts == 0 && out.minor_version == 1)) return 400;
    if (has_te) {
        // Both framings at once is the classic smuggling vector; HTTP/1.0 has no chunked coding.
        if (has_length || out.minor_version == 0 || !chunked) return 400;
        out.body = RequestHead::Body::Chunked;
    } else if (has_length) {
        out.body = RequestHead::Body::Length;
    }
    return 0;
}

} // namespace fastmcp::host
