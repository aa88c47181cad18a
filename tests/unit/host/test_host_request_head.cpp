// parse_request_head: the strict HTTP/1.1 head parser in front of every request (RFC 9112).
#include <doctest/doctest.h>

#include "http/ascii_case.hpp"
#include "http/byte_scan.hpp"
#include "http/request_head.hpp"

#include <string>

using namespace fastmcp::host;

namespace {
int parse(const std::string &head, RequestHead &out, RequestHeadLimits limits = {}) {
    return parse_request_head(head, limits, out);
}
int status_of(const std::string &head) {
    RequestHead out;
    return parse(head, out);
}
std::string with_fields(const std::string &fields) {
    return "POST /mcp HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n";
}
} // namespace

TEST_CASE("a well-formed head: request line, fields in order, trimmed values, framing") {
    RequestHead h;
    const std::string text =
        "POST /mcp?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAuthorization:  Bearer abc \t\r\n"
        "Content-Type:application/json\r\nContent-Length: 17\r\nX-Empty:\r\n\r\n";
    REQUIRE(parse(text, h) == 0);
    CHECK(h.method == "POST");
    CHECK(h.target == "/mcp?x=1");
    CHECK(h.minor_version == 1);
    REQUIRE(h.fields.size() == 5);
    CHECK(h.fields[1].first == "Authorization");
    CHECK(h.fields[1].second == "Bearer abc");
    CHECK(h.fields[2].second == "application/json");
    CHECK(h.fields[4].second.empty());
    CHECK(h.body == RequestHead::Body::Length);
    CHECK(h.content_length == 17);

    REQUIRE(parse("GET / HTTP/1.0\r\n\r\n", h) == 0); // HTTP/1.0 needs no Host
    CHECK(h.minor_version == 0);
    CHECK(h.body == RequestHead::Body::None);
    REQUIRE(parse(with_fields("Transfer-Encoding: Chunked\r\n"), h) == 0);
    CHECK(h.body == RequestHead::Body::Chunked);
    REQUIRE(parse(with_fields("Content-Length: 5\r\ncontent-length: 5\r\n"), h) ==
            0); // repeated, equal
    CHECK(h.content_length == 5);
}

TEST_CASE("malformed request lines are 400, unknown versions 505, long ones 414") {
    CHECK(status_of("POST  /mcp HTTP/1.1\r\n\r\n") == 400);
    CHECK(status_of("POST /mcp  HTTP/1.1\r\n\r\n") == 400);
    CHECK(status_of("POST /mcp\r\n\r\n") == 400);
    CHECK(status_of("PO(ST /mcp HTTP/1.1\r\n\r\n") == 400);
    CHECK(status_of("POST /m\xc3\xa9 HTTP/1.1\r\n\r\n") == 400);
    CHECK(status_of("POST /m\tcp HTTP/1.1\r\n\r\n") == 400);
    CHECK(status_of("POST /mcp http/1.1\r\n\r\n") == 400);
    CHECK(status_of("POST /mcp HTTP/1.1 \r\n\r\n") == 400);
    CHECK(status_of("POST /mcp HTTP/2.0\r\n\r\n") == 505);
    CHECK(status_of("POST /mcp HTTP/1.2\r\n\r\n") == 505);
    CHECK(status_of("POST /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n") == 414);
    CHECK(status_of("POST /mcp HTTP/1.1\r\n") == 400); // not a whole head
}

TEST_CASE("field syntax that smuggling relies on is refused") {
    CHECK(status_of(with_fields("X-A: 1\r\n folded\r\n")) == 400); // obs-fold
    CHECK(status_of(with_fields("X-A : 1\r\n")) == 400);           // space before the colon
    CHECK(status_of(with_fields("X-A 1\r\n")) == 400);             // no colon
    CHECK(status_of(with_fields(": 1\r\n")) == 400);               // empty name
    CHECK(status_of(with_fields("X-A: a\rb\r\n")) == 400);         // bare CR
    CHECK(status_of(with_fields("X-A: a\nX-B: b\r\n")) == 400);    // bare LF
    CHECK(status_of(with_fields(std::string("X-A: a\0b\r\n", 11))) == 400); // NUL
    CHECK(status_of(with_fields("Content-Length: 5\r\nContent-Length: 6\r\n")) == 400);
    CHECK(status_of(with_fields("Content-Length: +5\r\n")) == 400);
    CHECK(status_of(with_fields("Content-Length: 5, 5\r\n")) == 400);
    CHECK(status_of(with_fields("Content-Length: 0x10\r\n")) == 400);
    CHECK(status_of(with_fields("Content-Length: 99999999999999999999\r\n")) == 400);
    CHECK(status_of(with_fields("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")) == 400);
    CHECK(status_of(with_fields("Transfer-Encoding: chunked, chunked\r\n")) == 400);
    CHECK(status_of(with_fields("Transfer-Encoding:\r\n")) == 400);
    CHECK(status_of(with_fields("Transfer-Encoding: gzip, chunked\r\n")) == 501);
    CHECK(status_of(with_fields("Transfer-Encoding: identity\r\n")) == 501);
    CHECK(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
    CHECK(status_of(with_fields("Host: other\r\n")) == 400);                    // two Host fields
    CHECK(status_of("POST /mcp HTTP/1.1\r\nContent-Length: 0\r\n\r\n") == 400); // none in HTTP/1.1
    CHECK(status_of("POST /mcp HTTP/1.0\r\nContent-Length: 0\r\n\r\n") == 0);
}

TEST_CASE("size limits answer 431") {
    RequestHeadLimits limits;
    RequestHead h;
    CHECK(parse(with_fields("X-A: " + std::string(8192, 'v') + "\r\n"), h, limits) == 0);
    CHECK(parse(with_fields("X-A: " + std::string(8193, 'v') + "\r\n"), h, limits) == 431);
    CHECK(parse(with_fields(std::string(257, 'n') + ": 1\r\n"), h, limits) == 431);
    limits.max_fields = 3;
    CHECK(parse(with_fields("A: 1\r\nB: 2\r\n"), h, limits) == 0);
    CHECK(parse(with_fields("A: 1\r\nB: 2\r\nC: 3\r\n"), h, limits) == 431);
    limits = {};
    limits.max_fields_bytes = 30; // "Host" + "h" + 4 = 9, then "X-A" + 14 + 4 = 21: 30 fits, 31 not
    CHECK(parse(with_fields("X-A: " + std::string(14, 'v') + "\r\n"), h, limits) == 0);
    CHECK(parse(with_fields("X-A: " + std::string(15, 'v') + "\r\n"), h, limits) == 431);
}

TEST_CASE("field names and tokens compare case-insensitively in ASCII only") {
    CHECK(iequals("Content-Length", "content-LENGTH"));
    CHECK(iequals("", ""));
    CHECK_FALSE(iequals("close", "closed"));
    CHECK_FALSE(iequals("Host", "Hosu"));
    // Only A-Z fold: '@' and '`' sit 32 apart like 'A'/'a' but are different bytes, and a Latin-1
    // or UTF-8 byte never equals another byte.
    CHECK_FALSE(iequals("@", "`"));
    CHECK_FALSE(iequals("[", "{"));
    CHECK_FALSE(iequals("\xC9", "\xE9"));
    CHECK_FALSE(iequals("k", "\xE2\x84\xAA")); // the Kelvin sign is not k
}

TEST_CASE("find_head_end") {
    CHECK(find_head_end("GET / HTTP/1.1\r\nHost: h\r\n") == 0);
    CHECK(find_head_end("GET / HTTP/1.1\r\n\r\nbody") == 18);
    CHECK(find_head_end("GET / HTTP/1.1\n\n") == 0);
}

// The 8-bytes-at-a-time scans give the byte-by-byte answers: every byte value, at every offset of
// a word and in the tail, among otherwise good bytes.
TEST_CASE("byte scans: is_field_value and leading_span agree with the byte-wise definitions") {
    std::array<bool, 256> letters{};
    for (int c = 'a'; c <= 'z'; ++c)
        letters[c] = true;
    for (size_t length : {1u, 7u, 8u, 9u, 16u, 23u}) {
        for (size_t at = 0; at < length; ++at) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string s(length, 'x');
                s[at] = static_cast<char>(byte);
                const auto c = static_cast<unsigned char>(byte);
                const bool field_ok = (c >= 0x20 || c == '\t') && c != 0x7f;
                CHECK(fastmcp::host::is_field_value(s) == field_ok);
                CHECK(fastmcp::host::leading_span(letters, s) == (letters[c] ? length : at));
            }
        }
    }
    CHECK(fastmcp::host::is_field_value(std::string("a\tb c\x80\xff", 7)));
    CHECK(fastmcp::host::leading_span(letters, "") == 0);
}

// The 16-bytes-a-step b64token scan gives the table's answer: every byte value at every offset of
// a block and of the tail, among good bytes of every kind.
TEST_CASE("byte scans: leading_b64token agrees with the b64token table") {
    const std::string good = "AZaz09-._~+/Mm5";
    for (size_t length : {1u, 15u, 16u, 17u, 31u, 32u, 47u}) {
        for (size_t at = 0; at < length; ++at) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string s;
                for (size_t k = 0; k < length; ++k)
                    s += good[(k * 7 + at) % good.size()];
                s[at] = static_cast<char>(byte);
                const auto c = static_cast<unsigned char>(byte);
                CHECK(fastmcp::host::leading_b64token(s) ==
                      (fastmcp::host::kB64TokenBytes[c] ? length : at));
            }
        }
    }
    CHECK(fastmcp::host::leading_b64token("") == 0);
    for (char c : std::string("AZaz09-._~+/"))
        CHECK(fastmcp::host::kB64TokenBytes[static_cast<unsigned char>(c)]);
    int count = 0;
    for (bool b : fastmcp::host::kB64TokenBytes)
        count += b;
    CHECK(count == 26 + 26 + 10 + 6);
}
