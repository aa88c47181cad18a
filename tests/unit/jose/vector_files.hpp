// Loading the shared conformance vectors (never copied into the repo) and small decoding helpers.
#pragma once

#include "fastmcp/jose/jwk.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace fastmcp::jose::testing {

// The vectors folder (FASTMCP_VECTORS_DIR).
std::string vectors_dir();
// True when the folder exists; otherwise a doctest MESSAGE naming the missing path is emitted and
// the caller returns (the test is skipped, not failed).
bool vectors_present();
// Parsed JSON of `relative` inside the vectors folder. A missing or unreadable file inside a
// present folder is a test failure (nullopt after FAIL_CHECK).
std::optional<nlohmann::json> load_vector_file(const std::string &relative);
std::string hex_decode(const std::string &hex);

} // namespace fastmcp::jose::testing
