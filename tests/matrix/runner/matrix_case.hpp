// One environment-matrix case: load it from its directory, run it, judge the result.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace fastmcp::matrix {

struct Paths {
    std::string fastmcp;        // the fastmcp binary
    std::string providers;      // build/lib/fastmcp/providers
    std::string test_providers; // build/tests/providers
};

struct Case {
    std::string name;
    std::string dir;
    std::vector<std::string> args;             // after `fastmcp`
    std::map<std::string, std::string> env;    // the child's whole environment
    nlohmann::json expect;                     // expect.json
};

struct Outcome {
    bool passed = false;
    std::string why; // first mismatch when failed
};

// Reads args / process.env / expect.json from `dir`; throws std::runtime_error on a bad case.
Case load_case(const std::string &dir, const Paths &paths);
Outcome run_case(const Case &c, const Paths &paths, int timeout_s);

// Every key of `expected` must be in `actual` with a matching value (objects recursively; arrays
// element by element and of equal length; scalars equal). Returns "" or the first mismatch.
std::string json_subset_mismatch(const nlohmann::json &expected, const nlohmann::json &actual,
                                 const std::string &where = "$");

// ${PROVIDERS}, ${TEST_PROVIDERS}, ${CASE} -> paths.
std::string substitute(std::string s, const Paths &paths, const std::string &case_dir);

} // namespace fastmcp::matrix
