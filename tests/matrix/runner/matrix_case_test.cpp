// The matrix runner's own judgement: subset matching and placeholders.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "matrix_case.hpp"

#include <doctest/doctest.h>

using namespace fastmcp::matrix;
using nlohmann::json;

TEST_CASE("subset: extra keys in actual are fine; missing or different ones are not") {
    json actual = json::parse(R"({"provider":"P","settings":{"a":1,"b":[1,2]},"warnings":[]})");
    CHECK(json_subset_mismatch(json::parse(R"({"provider":"P"})"), actual).empty());
    CHECK(json_subset_mismatch(json::parse(R"({"settings":{"b":[1,2]}})"), actual).empty());
    CHECK(json_subset_mismatch(json::parse(R"({"provider":"Q"})"), actual) == "$.provider: expected \"Q\", got \"P\"");
    CHECK(json_subset_mismatch(json::parse(R"({"module":"x"})"), actual) == "$.module: missing");
    CHECK(json_subset_mismatch(json::parse(R"({"settings":{"b":[1]}})"), actual) ==
          "$.settings.b: expected [1], got [1,2]");
    CHECK(json_subset_mismatch(json::parse(R"({"warnings":["w"]})"), actual) == "$.warnings: expected [\"w\"], got []");
    CHECK(json_subset_mismatch(json::parse(R"({"settings":1})"), actual).find("$.settings: expected 1") == 0);
    CHECK(json_subset_mismatch(json::parse(R"({"provider":null})"), json::parse(R"({"provider":null})")).empty());
}

TEST_CASE("placeholders") {
    Paths p{"/b/fastmcp", "/b/lib/fastmcp/providers", "/b/tests/providers"};
    CHECK(substitute("${TEST_PROVIDERS}/x.so:${PROVIDERS}", p, "/c") == "/b/tests/providers/x.so:/b/lib/fastmcp/providers");
    CHECK(substitute("${CASE}/nope.so ${CASE}", p, "/c") == "/c/nope.so /c");
}
