// Variable lookup with FastMCP / pydantic-settings precedence: the process environment wins over
// the .env file. Names are case-sensitive.
#pragma once

#include "fastmcp/env/env_file.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::env {

inline constexpr const char *kEnvFileVariable = "FASTMCP_ENV_FILE";
inline constexpr const char *kDefaultEnvFile = ".env";

struct Variable {
    std::string name;
    std::string value;
    std::string file; // empty when it came from the process environment
    int line = 0;

    bool from_file() const { return !file.empty(); }
    // "env" or "<file>:<line>"
    std::string source() const;
    // The prefix for messages about this variable: "NAME" or "<file>:<line>: NAME".
    std::string label() const;
};

class Environment {
public:
    Environment() = default;
    Environment(std::map<std::string, std::string> process, std::optional<EnvFile> file);

    // Snapshot of `environ` plus the .env file: `env_file` if given (e.g. --env-file), else
    // $FASTMCP_ENV_FILE, else ./.env. A missing default file is fine; a missing named file throws
    // EnvError, as does a malformed one.
    static Environment load(const char *const *environ_block,
                            const std::optional<std::string> &env_file = std::nullopt);
    // Same, reading the real process environment.
    static Environment from_process(const std::optional<std::string> &env_file = std::nullopt);

    std::optional<Variable> get(std::string_view name) const;
    // Every variable whose name starts with `prefix`, process and file merged, sorted by name.
    std::vector<Variable> with_prefix(std::string_view prefix) const;
    // The .env file that was read, if any.
    const std::optional<EnvFile> &file() const { return file_; }

private:
    std::map<std::string, std::string> process_;
    std::optional<EnvFile> file_;
};

} // namespace fastmcp::env
