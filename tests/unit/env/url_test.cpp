// URL rules: absolute http(s) with a host; no userinfo/query/fragment; http only on loopback.
#include "fastmcp/env/error.hpp"
#include "fastmcp/env/url.hpp"

#include <doctest/doctest.h>

using fastmcp::env::is_loopback_host;
using fastmcp::env::parse_url;
using fastmcp::env::ValueError;

namespace {
std::string ok(const std::string &v) {
    auto u = parse_url(v);
    return u.url;
}
std::string error_of(const std::string &v) {
    try {
        parse_url(v);
    } catch (const ValueError &e) {
        return e.what();
    }
    FAIL("expected a ValueError for " << v);
    return {};
}
} // namespace

TEST_CASE("https URLs are accepted and normalised") {
    CHECK(ok("https://example.com") == "https://example.com");
    CHECK(ok("https://example.com/") == "https://example.com");
    CHECK(ok("https://example.com/mcp/") == "https://example.com/mcp");
    CHECK(ok("https://example.com//") == "https://example.com");
    CHECK(ok("HTTPS://Example.COM:8443/Path") == "https://example.com:8443/Path");
    CHECK(ok("  https://example.com  ") == "https://example.com");
    CHECK(parse_url("https://example.com").notices.empty());
}

TEST_CASE("http is accepted for loopback hosts only") {
    CHECK(ok("http://localhost:8000") == "http://localhost:8000");
    CHECK(ok("http://LOCALHOST:8000/") == "http://localhost:8000");
    CHECK(ok("http://127.0.0.1:9100") == "http://127.0.0.1:9100");
    CHECK(ok("http://127.255.3.4") == "http://127.255.3.4");
    CHECK(ok("http://[::1]:8000/mcp") == "http://[::1]:8000/mcp");
    for (const char *bad : {"http://example.com", "http://10.0.0.1", "http://128.0.0.1", "http://127.0.0.1.evil.com",
                            "http://localhost.evil.com", "http://[::2]", "http://0.0.0.0:8000"}) {
        CAPTURE(bad);
        std::string e = error_of(bad);
        CHECK(e.find("http:// is allowed only for loopback hosts (localhost, 127.0.0.0/8, [::1])") == 0);
        CHECK(e.find("must use https://") != std::string::npos);
    }
}

TEST_CASE("loopback detection") {
    CHECK(is_loopback_host("localhost"));
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("127.1.2.3"));
    CHECK(is_loopback_host("[::1]"));
    CHECK_FALSE(is_loopback_host("127.0.0"));
    CHECK_FALSE(is_loopback_host("127.0.0.256"));
    CHECK_FALSE(is_loopback_host("127.0.0.1.2"));
    CHECK_FALSE(is_loopback_host("::1")); // URLs carry IPv6 in brackets
    CHECK_FALSE(is_loopback_host("example.com"));
}

TEST_CASE("a bare host gets https:// with a notice") {
    auto u = parse_url("your-project-12345.authkit.app");
    CHECK(u.url == "https://your-project-12345.authkit.app");
    REQUIRE(u.notices.size() == 1);
    CHECK(u.notices[0] == "no scheme given; using https://your-project-12345.authkit.app");
    CHECK(ok("your-project-12345.authkit.app/") == "https://your-project-12345.authkit.app");
    CHECK(ok("auth.example.com:8443/tenant") == "https://auth.example.com:8443/tenant");
}

TEST_CASE("not absolute / unsupported scheme") {
    CHECK(error_of("").find("empty URL") == 0);
    CHECK(error_of("   ").find("empty URL") == 0);
    CHECK(error_of("/relative/path").find("not an absolute URL") == 0);
    CHECK(error_of("nodot").find("not an absolute URL") == 0);
    CHECK(error_of("ftp://example.com").find("unsupported scheme 'ftp'") == 0);
    CHECK(error_of("file:///etc/passwd").find("unsupported scheme 'file'") == 0);
    CHECK(error_of("https://").find("URL has no host") == 0);
    CHECK(error_of("https:///path").find("URL has no host") == 0);
    CHECK(error_of("https://:443").find("URL has no host") == 0);
}

TEST_CASE("no userinfo, query or fragment") {
    CHECK(error_of("https://user:pw@example.com").find("URL must not contain user information") == 0);
    CHECK(error_of("https://user:pw@example.com").find("pw") == std::string::npos); // never echo credentials
    CHECK(error_of("https://example.com/?a=b").find("URL must not contain a query") == 0);
    CHECK(error_of("https://example.com/?key=abc").find("abc") == std::string::npos);
    CHECK(error_of("https://example.com/#frag").find("URL must not contain a fragment") == 0);
}

TEST_CASE("invalid host, port, blanks") {
    CHECK(error_of("https://exa mple.com").find("blank or control character") != std::string::npos);
    CHECK(error_of("https://example.com:0").find("invalid port") == 0);
    CHECK(error_of("https://example.com:65536").find("invalid port") == 0);
    CHECK(error_of("https://example.com:").find("invalid port") == 0);
    CHECK(error_of("https://example.com:80a").find("invalid port") == 0);
    CHECK(error_of("https://exa$mple.com").find("invalid host") == 0);
    CHECK(error_of("https://[::1").find("unterminated IPv6") == 0);
    CHECK(error_of("https://[zz::1]").find("invalid IPv6") == 0);
}
