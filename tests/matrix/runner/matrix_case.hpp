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
    std::string scratch;                       // ${SCRATCH}: a fresh directory for this run, or ""
    std::vector<std::string> args;             // after `fastmcp`
    std::map<std::string, std::string> env;    // the child's whole environment
    nlohmann::json expect;                     // expect.json
    bool serves() const { return expect.contains("requests"); } // a running host is probed
};

struct Outcome {
    bool passed = false;
    std::string why; // first mismatch when failed
};

// Reads args / process.env / expect.json from `dir`; throws std::runtime_error on a bad case.
// A case whose expect.json has "scratch" gets a fresh directory (created here, filled by
// prepare_scratch, removed by remove_scratch).
Case load_case(const std::string &dir, const Paths &paths);
Outcome run_case(const Case &c, const Paths &paths, int timeout_s);
void remove_scratch(const Case &c);

// Every key of `expected` must be in `actual` with a matching value (objects recursively; arrays
// element by element and of equal length; scalars equal). Returns "" or the first mismatch.
std::string json_subset_mismatch(const nlohmann::json &expected, const nlohmann::json &actual,
                                 const std::string &where = "$");

// ${PROVIDERS}, ${TEST_PROVIDERS}, ${CASE}, ${SCRATCH} -> paths.
std::string substitute(std::string s, const Paths &paths, const std::string &case_dir,
                       const std::string &scratch = {});

// "Listening on http://127.0.0.1:PORT/path" (the host's readiness line) -> {port, path}; port 0
// when `text` holds no complete readiness line yet.
struct ReadyLine {
    int port = 0;
    std::string path;
};
ReadyLine find_ready_line(const std::string &text);

// The JSON-RPC body a request entry sends: "rpc" may be a method name ("ping"), an object that
// is completed with jsonrpc and id, or absent (ping).
std::string rpc_body(const nlohmann::json &request);

} // namespace fastmcp::matrix
