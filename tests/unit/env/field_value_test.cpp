// Typed values for every fastmcp_field_type.
#include "fastmcp/env/error.hpp"
#include "fastmcp/env/field_value.hpp"

#include <doctest/doctest.h>

using namespace fastmcp::env;
using nlohmann::json;

TEST_CASE("bool") {
    for (const char *t : {"true", "TRUE", "1", "yes", "On", " true "}) CHECK(parse_bool(t) == true);
    for (const char *f : {"false", "False", "0", "no", "OFF"}) CHECK(parse_bool(f) == false);
    for (const char *bad : {"", "2", "y", "truee", "enabled"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH_AS(parse_bool(bad), doctest::Contains("not a boolean"), ValueError);
    }
    CHECK(parse_field_value(FASTMCP_FIELD_BOOL, "yes") == json(true));
}

TEST_CASE("int") {
    CHECK(parse_int("42") == 42);
    CHECK(parse_int("-7") == -7);
    CHECK(parse_int("+7") == 7);
    CHECK(parse_int(" 8 ") == 8);
    for (const char *bad : {"", "4.2", "12abc", "0x10", "99999999999999999999", "--1"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_int(bad), ValueError);
    }
    CHECK(parse_field_value(FASTMCP_FIELD_INT, "300").dump() == "300");
}

TEST_CASE("duration: the documented forms") {
    CHECK(parse_duration("60") == 60.0);
    CHECK(parse_duration("60s") == 60.0);
    CHECK(parse_duration("500ms") == 0.5);
    CHECK(parse_duration("10m") == 600.0);
    CHECK(parse_duration("1h") == 3600.0);
    CHECK(parse_duration("1.5s") == 1.5);
    CHECK(parse_duration("0") == 0.0);
    CHECK(parse_duration(" 2H ") == 7200.0);
    // emitted as a JSON number of seconds; whole seconds as integers
    CHECK(parse_field_value(FASTMCP_FIELD_DURATION, "60").dump() == "60");
    CHECK(parse_field_value(FASTMCP_FIELD_DURATION, "10m").dump() == "600");
    CHECK(parse_field_value(FASTMCP_FIELD_DURATION, "500ms").dump() == "0.5");
}

TEST_CASE("duration: invalid") {
    for (const char *bad : {"", "-5", "s", "5x", "5 s s", "1d", ".5", "5.", "1.2.3", "ms"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH_AS(parse_duration(bad), doctest::Contains("not a duration"), ValueError);
    }
}

TEST_CASE("string keeps the value as given") {
    CHECK(parse_field_value(FASTMCP_FIELD_STRING, " a b ") == json(" a b "));
    CHECK(parse_field_value(FASTMCP_FIELD_STRING, "") == json(""));
}

TEST_CASE("url goes through the URL rules and reports notices") {
    std::vector<std::string> notices;
    CHECK(parse_field_value(FASTMCP_FIELD_URL, "x.authkit.app/", &notices) == json("https://x.authkit.app"));
    CHECK(notices.size() == 1);
    CHECK_THROWS_AS(parse_field_value(FASTMCP_FIELD_URL, "http://example.com"), ValueError);
}

TEST_CASE("scopes dedupe, lists do not") {
    CHECK(parse_field_value(FASTMCP_FIELD_SCOPES, "a b a") == json({"a", "b"}));
    CHECK(parse_field_value(FASTMCP_FIELD_LIST, "a b a") == json({"a", "b", "a"}));
    CHECK(parse_field_value(FASTMCP_FIELD_SCOPES, "") == json::array());
    CHECK_THROWS_AS(parse_field_value(FASTMCP_FIELD_SCOPES, "[read,write]"), ValueError);
}

TEST_CASE("json") {
    CHECK(parse_field_value(FASTMCP_FIELD_JSON, "{\"a\":[1,2]}") == json::parse("{\"a\":[1,2]}"));
    CHECK(parse_field_value(FASTMCP_FIELD_JSON, "3") == json(3));
    CHECK_THROWS_WITH_AS(parse_field_value(FASTMCP_FIELD_JSON, "{a:1}"), "not valid JSON", ValueError);
}

TEST_CASE("type names") {
    CHECK(std::string(field_type_name(FASTMCP_FIELD_URL)) == "url");
    CHECK(std::string(field_type_name(FASTMCP_FIELD_DURATION)) == "duration");
    CHECK(std::string(field_type_name(99)) == "unknown");
}
