// Header parsing and challenge building: Authorization extraction, WWW-Authenticate, Host/Origin.
#include <doctest/doctest.h>

#include "auth/bearer_header.hpp"
#include "auth/challenge.hpp"
#include "http/origin_guard.hpp"
#include "mcp/json_depth.hpp"
#include "mcp/protocol_version.hpp"

using namespace fastmcp::host;
using Kind = BearerExtraction::Kind;

TEST_CASE("extract_bearer") {
    CHECK(extract_bearer({}).kind == Kind::Missing);
    auto b = extract_bearer({"Bearer abc.def-ghi_~+/=="});
    CHECK(b.kind == Kind::Token);
    CHECK(b.token == "abc.def-ghi_~+/==");
    CHECK(extract_bearer({"bearer tok"}).token == "tok");
    CHECK(extract_bearer({"BeArEr     tok  "}).token == "tok");
    CHECK(extract_bearer({"Bearer\ttok"}).token == "tok");
    CHECK(extract_bearer({"Basic dXNlcg=="}).kind == Kind::Missing);
    CHECK(extract_bearer({"Bearerx tok"}).kind == Kind::Missing);
    CHECK(extract_bearer({"Bearer"}).kind == Kind::Malformed);
    CHECK(extract_bearer({"Bearer   "}).kind == Kind::Malformed);
    CHECK(extract_bearer({"Bearer a b"}).kind == Kind::Malformed);
    CHECK(extract_bearer({"Bearer a=b"}).kind == Kind::Malformed);
    CHECK(extract_bearer({"Bearer a\"b"}).kind == Kind::Malformed);
    CHECK(extract_bearer({"Bearer a", "Bearer a"}).kind == Kind::Duplicate);
    // Two credentials in one comma-joined field are duplicates too; a lone comma is just malformed.
    CHECK(extract_bearer({"Bearer a, Bearer b"}).kind == Kind::Duplicate);
    CHECK(extract_bearer({"Bearer a,bearer\tb"}).kind == Kind::Duplicate);
    CHECK(extract_bearer({"Bearer a,b"}).kind == Kind::Malformed);
    CHECK(extract_bearer({"Bearer a, Bearerx"}).kind == Kind::Malformed);
}

TEST_CASE("query_has_access_token") {
    CHECK(query_has_access_token("access_token=x"));
    CHECK(query_has_access_token("a=1&ACCESS_TOKEN=x"));
    CHECK(query_has_access_token("access_token"));
    CHECK_FALSE(query_has_access_token("my_access_token=x"));
    CHECK_FALSE(query_has_access_token(""));
}

TEST_CASE("challenges") {
    auto c = missing_credentials("https://r/.well-known/oauth-protected-resource/mcp");
    CHECK(c.status == 401);
    CHECK(c.www_authenticate == "Bearer resource_metadata=\"https://r/.well-known/oauth-protected-resource/mcp\"");
    c = invalid_token("https://m", "expired \"now\"", "tok");
    CHECK(c.www_authenticate == "Bearer error=\"invalid_token\", error_description=\"expired 'now'\", resource_metadata=\"https://m\"");
    CHECK(c.body == R"({"error":"invalid_token","error_description":"expired 'now'"})");
    c = insufficient_scope("https://m", "read write", "", "tok");
    CHECK(c.status == 403);
    CHECK(c.www_authenticate.find("error=\"insufficient_scope\"") != std::string::npos);
    CHECK(c.www_authenticate.find("scope=\"read write\"") != std::string::npos);
    CHECK(invalid_request("https://m", "dup").status == 400);
    CHECK(provider_unavailable("https://m").status == 503);
}

TEST_CASE("sanitize_description removes the token, quotes, controls and caps the length") {
    CHECK(sanitize_description("bad SECRET here SECRET", "SECRET") == "bad [token] here [token]");
    CHECK(sanitize_description("a\r\nb\\c", {}) == "a  b'c");
    CHECK(sanitize_description(std::string(500, 'x'), {}).size() == 200);
    CHECK(sanitize_description("caf\xc3\xa9", {}) == "caf  ");
}

TEST_CASE("Host and Origin checks") {
    CHECK(is_loopback_host_header("localhost"));
    CHECK(is_loopback_host_header("LOCALHOST:8000"));
    CHECK(is_loopback_host_header("127.0.0.1:1"));
    CHECK(is_loopback_host_header("[::1]:8000"));
    CHECK(is_loopback_host_header("[::1]"));
    CHECK_FALSE(is_loopback_host_header(""));
    CHECK_FALSE(is_loopback_host_header("evil.example"));
    CHECK_FALSE(is_loopback_host_header("localhost.evil.example"));
    CHECK_FALSE(is_loopback_host_header("localhost:80x"));
    CHECK_FALSE(is_loopback_host_header("127.0.0.2"));
    CHECK_FALSE(is_loopback_host_header("[::2]:80"));
    CHECK(is_loopback_origin("http://localhost:6274"));
    CHECK(is_loopback_origin("https://127.0.0.1"));
    CHECK(is_loopback_origin("http://[::1]:3000"));
    CHECK_FALSE(is_loopback_origin("null"));
    CHECK_FALSE(is_loopback_origin("http://evil.example"));
    CHECK_FALSE(is_loopback_origin("file://localhost"));
    CHECK_FALSE(is_loopback_origin("http://localhost@evil.example"));
    CHECK(is_loopback_bind("127.0.0.1"));
    CHECK(is_loopback_bind("::1"));
    CHECK(is_loopback_bind("localhost"));
    CHECK_FALSE(is_loopback_bind("0.0.0.0"));
}

TEST_CASE("json_depth_exceeds and protocol versions") {
    CHECK_FALSE(json_depth_exceeds("[[[]]]", 3));
    CHECK(json_depth_exceeds("[[[[]]]]", 3));
    CHECK_FALSE(json_depth_exceeds(R"(["[[[[[[\"[["])", 2));
    CHECK(is_supported_protocol_version("2025-06-18"));
    CHECK_FALSE(is_supported_protocol_version("2024-11-05"));
    CHECK(negotiate_protocol_version("2025-11-25") == "2025-11-25");
    CHECK(negotiate_protocol_version("x") == kLatestProtocolVersion);
    CHECK(protocol_allows_batches("2025-03-26"));
    CHECK_FALSE(protocol_allows_batches("2025-06-18"));
}
