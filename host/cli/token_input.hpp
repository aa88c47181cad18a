// The token a CLI command was given: the argument itself, @file, or - (standard input).
// Shared by `auth check` and `auth doctor --token`.
#pragma once

#include <cstddef>
#include <string>

namespace fastmcp::cli {

inline constexpr size_t kMaxTokenInput = 64 * 1024;

struct TokenInput {
    std::string token;      // trimmed; a leading "Bearer " removed; empty when too_large
    bool too_large = false; // over kMaxTokenInput: an invalid token, not a usage error
};

// The token from the argument, a file or stdin; at most kMaxTokenInput + 1 bytes are read.
// Throws std::runtime_error for usage errors only (a file that cannot be opened or read). The
// message never contains the token.
TokenInput read_token(const std::string &arg);

} // namespace fastmcp::cli
