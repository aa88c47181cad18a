// Args: typed access to a handler's arguments, fail closed (no silent coercion).
#include "fastmcp/module/args.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using fastmcp::module::Args;
using fastmcp::module::ArgumentError;
using nlohmann::json;

TEST_CASE("Args: required, defaulted and optional values of each JSON type") {
    const json j = {{"name", "Ada"},     {"n", 3}, {"x", 2.5}, {"flag", true}, {"tags", {"a", "b"}},
                    {"nothing", nullptr}};
    const Args args(j);
    CHECK(args.get<std::string>("name") == "Ada");
    CHECK(args.get<int>("n") == 3);
    CHECK(args.get<double>("n") == 3.0); // an integer is a number
    CHECK(args.get<double>("x") == 2.5);
    CHECK(args.get<bool>("flag"));
    CHECK(args.get<std::vector<std::string>>("tags") == std::vector<std::string>{"a", "b"});
    CHECK(args.get<std::string>("missing", "fallback") == "fallback");
    CHECK(args.get<int>("nothing", 7) == 7); // null counts as absent
    CHECK(args.get<int>("n", 7) == 3);
    CHECK_FALSE(args.find<std::string>("missing").has_value());
    CHECK(args.find<std::string>("name").value() == "Ada");
    CHECK(args.has("name"));
    CHECK_FALSE(args.has("nothing"));
    CHECK(args.json() == j);
}

TEST_CASE("Args: a missing required argument names it") {
    const json j = json::object();
    const Args args(j);
    CHECK_THROWS_WITH_AS(args.get<std::string>("body"), "missing required argument 'body'",
                         ArgumentError);
}

TEST_CASE(
    "Args: a mistyped value is an error, also for optional ones, and says what was expected") {
    const json j = {{"name", 5},  {"n", "3"},  {"x", 2.5},    {"flag", 1},
                    {"big", 300}, {"neg", -1}, {"whole", 4.0}};
    const Args args(j);
    CHECK_THROWS_WITH_AS(args.get<std::string>("name"),
                         "argument 'name' must be a string, got number", ArgumentError);
    CHECK_THROWS_WITH_AS(args.get<double>("n"), "argument 'n' must be a number, got string",
                         ArgumentError);
    CHECK_THROWS_WITH_AS(args.get<int>("x"), "argument 'x' must be an integer, got number",
                         ArgumentError);
    CHECK_THROWS_WITH_AS(args.get<bool>("flag"), "argument 'flag' must be a boolean, got number",
                         ArgumentError);
    CHECK_THROWS_AS(args.get<std::int8_t>("big"), ArgumentError); // out of range, not wrapped
    CHECK_THROWS_AS(args.get<unsigned>("neg"), ArgumentError);    // no sign flip
    CHECK_THROWS_AS(args.get<std::string>("name", "dflt"),
                    ArgumentError); // present but wrong: not the default
    CHECK_THROWS_AS(args.find<std::vector<int>>("n"), ArgumentError);
    CHECK(args.get<int>("whole") == 4); // JSON Schema: 4.0 is an integer
}
