// Parsing of `.env` files: KEY=value lines with the dotenv quoting rules (see docs/configuration.md).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::env {

struct FileEntry {
    std::string value;
    int line = 0; // 1-based line of the assignment
};

struct EnvFile {
    std::string path;                       // as given (used in messages)
    std::map<std::string, FileEntry> entries; // a later assignment of the same name wins
};

// Parses .env text. Throws EnvError("<path>:<line>: ...") on the first malformed line.
EnvFile parse_env_text(std::string_view text, const std::string &path);

// Reads and parses one file. Throws EnvError when it cannot be read.
EnvFile load_env_file(const std::string &path);

} // namespace fastmcp::env
