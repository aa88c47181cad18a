// Scope lists: every format and every invalid example of issue 2.
#include "fastmcp/env/error.hpp"
#include "fastmcp/env/scopes.hpp"

#include <doctest/doctest.h>

using fastmcp::env::parse_list;
using fastmcp::env::parse_scopes;
using fastmcp::env::ValueError;
using V = std::vector<std::string>;

namespace {
std::string error_of(const std::string &v) {
    try {
        parse_scopes(v);
    } catch (const ValueError &e) {
        return e.what();
    }
    FAIL("expected a ValueError for " << v);
    return {};
}
} // namespace

TEST_CASE("comma-separated") {
    CHECK(parse_scopes("read,write") == V{"read", "write"});
    CHECK(parse_scopes("read, write ,admin") == V{"read", "write", "admin"});
    CHECK(parse_scopes(",read,,write,") == V{"read", "write"});
}

TEST_CASE("whitespace-separated") {
    CHECK(parse_scopes("openid profile email") == V{"openid", "profile", "email"});
    CHECK(parse_scopes("openid\tprofile\n email") == V{"openid", "profile", "email"});
}

TEST_CASE("mixed comma and whitespace (the issue's example)") {
    CHECK(parse_scopes("openid, profile  email") == V{"openid", "profile", "email"});
}

TEST_CASE("JSON array of strings") {
    CHECK(parse_scopes("[\"openid\",\"profile\"]") == V{"openid", "profile"});
    CHECK(parse_scopes("  [ \"a:read\" , \"b\" ]  ") == V{"a:read", "b"});
    CHECK(parse_scopes("[]").empty());
}

TEST_CASE("empty or whitespace means no scopes") {
    CHECK(parse_scopes("").empty());
    CHECK(parse_scopes("   ").empty());
    CHECK(parse_scopes(" , , ").empty());
}

TEST_CASE("duplicates dropped, first-seen order kept") {
    CHECK(parse_scopes("b a b c a") == V{"b", "a", "c"});
    CHECK(parse_scopes("[\"x\",\"y\",\"x\"]") == V{"x", "y"});
    CHECK(parse_list("b a b") == V{"b", "a", "b"}); // plain lists keep duplicates
}

TEST_CASE("scopes with URL-ish characters are kept as written") {
    CHECK(parse_scopes("api://app/read https://x/y.write") == V{"api://app/read", "https://x/y.write"});
}

TEST_CASE("values starting with [ that are not a JSON array of non-empty strings are errors") {
    for (const char *bad : {"[read,write]", "[1,2]", "[null]", "[\"\"]", "[\"a\", 1]", "[\"a\"", "[", "[[\"a\"]]",
                            "[\" \"]", "[true]"}) {
        CAPTURE(bad);
        std::string e = error_of(bad);
        CHECK(e.find("JSON array of non-empty strings") != std::string::npos);
    }
    CHECK(error_of("[read,write]").find("not valid JSON") == 0);
    CHECK(error_of("[1,2]").find("JSON array item 1 is not a string") == 0);
    CHECK(error_of("[null]").find("JSON array item null is not a string") == 0);
}

TEST_CASE("a JSON object is an error, not guessed at") {
    std::string e = error_of("{\"a\":1}");
    CHECK(e.find("a JSON object is not a list") == 0);
}

TEST_CASE("JSON scope strings must be scope tokens") {
    CHECK(error_of("[\"a b\"]").find("contains a blank") != std::string::npos);
    CHECK(error_of("read]").find("contains a quote, backslash or bracket") != std::string::npos);
    CHECK(error_of("\"read\"").find("contains a quote") != std::string::npos);
}

TEST_CASE("lists share the grammar") {
    CHECK(parse_list("a, b c") == V{"a", "b", "c"});
    CHECK(parse_list("[\"a b\"]") == V{"a b"});
    CHECK_THROWS_AS(parse_list("[1]"), ValueError);
}
