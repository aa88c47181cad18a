// The token a CLI command was given: the argument itself, @file, or - (standard input).
// Shared by `auth check` and `auth doctor --token`.
#pragma once

#include <cstddef>
#include <string>

namespace fastmcp::cli {

inline constexpr size_t kMaxTokenInput = 64 * 1024;

// The token from the argument, a file or stdin, trimmed; a leading "Bearer " is tolerated.
// Throws std::runtime_error (unreadable file, input over kMaxTokenInput). The message never
// contains the token.
std::string read_token(const std::string &arg);

} // namespace fastmcp::cli
