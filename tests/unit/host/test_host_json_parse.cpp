// parse_json (simdjson, nlohmann deciding where they could differ) against nlohmann's own parse:
// the same verdict, the same values and the same types, on valid and hostile bodies alike.
#include <doctest/doctest.h>

#include "../../fuzz/json_same.hpp"
#include "mcp/json_parse.hpp"

#include <string>
#include <vector>

using nlohmann::json;

using fastmcp::fuzz::same_tree;

TEST_CASE("parse_json gives nlohmann's answer: verdict, values and types") {
    const std::vector<std::string> bodies = {
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}})",
        R"([{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}])",
        R"({"id":-7,"big":18446744073709551615,"max":9223372036854775807,"neg":-9223372036854775808})",
        R"({"nz":-0})",
        R"({"id":0,"x":-0.25})",
        R"({"f":1.5,"e":1e2,"E":-2.5E-3,"z":0,"nz":-0,"nzf":-0.0,"one":1.0})",
        R"({"past64":123456789012345678901234567890,"huge":1e400,"tiny":1e-400})",
        R"({"a":1,"a":2,"b":{"c":[],"d":{}},"t":true,"f":false,"n":null})",
        "{\"utf8\":\"h\xC3\xA9llo \xF0\x9F\x98\x80\"}",
        R"({"esc":"\"\\\/\b\f\n\r\t","u":"\u00e9\ud83d\ude00"})",
        R"({"lone_high":"\ud800"})",
        R"({"lone_low":"\udc00"})",
        R"({"bad_escape":"\x"})",
        "{\"bad_utf8\":\"\xC3\x28\"}",
        "{\"overlong\":\"\xC0\xAF\"}",
        "{\"ctl\":\"a\x01b\"}",
        std::string("{\"nul\":\"a\0b\"}", 13),
        std::string("{}\0", 3),
        "",
        " ",
        "{",
        "}",
        "[1,]",
        "{\"a\":1,}",
        "{'a':1}",
        "{\"a\" 1}",
        "01",
        "-",
        "1.",
        ".5",
        "+1",
        "1e",
        "NaN",
        "Infinity",
        "tru",
        "nulll",
        "{} {}",
        "{}x",
        "[1] ",
        " \t\r\n{}\n",
        "\"s\"",
        "42",
        "-0",
        "true",
        "null",
        "/* c */ {}",
        "{\"a\":[[[[[[[[1]]]]]]]]}",
    };
    for (const auto &body : bodies) {
        INFO("body: " << body);
        const json ours = fastmcp::host::parse_json(body);
        const json theirs = json::parse(body, nullptr, false);
        CHECK(ours.is_discarded() == theirs.is_discarded());
        if (!theirs.is_discarded()) CHECK(same_tree(ours, theirs));
    }
}

TEST_CASE("parse_json: a body past 64 KB gives the same tree") {
    std::string big = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"items":[)";
    for (int i = 0; i < 20000; ++i)
        big += std::to_string(i) + ",";
    big += R"("end"]}})";
    REQUIRE(big.size() > 64 * 1024);
    const json ours = fastmcp::host::parse_json(big);
    CHECK(same_tree(ours, json::parse(big)));
    CHECK(fastmcp::host::parse_json(big.substr(0, big.size() - 1)).is_discarded());
}

TEST_CASE("parse_json keeps unsigned, signed and float integers apart as nlohmann does") {
    const json j = fastmcp::host::parse_json(R"({"u":1,"s":-1,"f":1.0})");
    CHECK(j["u"].is_number_unsigned());
    CHECK(j["s"].is_number_integer());
    CHECK_FALSE(j["s"].is_number_unsigned());
    CHECK(j["f"].is_number_float());
}
