// A token decoded for display only (verification is the provider's job): header and claims as
// JSON, the signature reduced to its length. Shared by `auth check` and `auth doctor --token`.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fastmcp::cli {

struct DecodedToken {
    nlohmann::json header; // null when it does not decode
    nlohmann::json claims; // null when it does not decode
    size_t parts = 0;
    size_t signature_chars = 0;
    std::string problem;   // why a part does not decode; empty when both do
};

DecodedToken decode_for_display(const std::string &token);

// "2026-11-26T05:30:00Z"
std::string utc_time(int64_t unix_seconds);
// "in 8m 3s" / "2h 5m ago"
std::string relative_time(int64_t delta_seconds);
// "exp: 2026-11-26T05:30:00Z (in 8m 3s)" for each of iat, nbf, exp present in `claims`.
std::vector<std::string> time_notes(const nlohmann::json &claims, int64_t now);
// `j` pretty-printed, each line prefixed with `indent`.
void print_indented(const nlohmann::json &j, const char *indent = "  ");

} // namespace fastmcp::cli
