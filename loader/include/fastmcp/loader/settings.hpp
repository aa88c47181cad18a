// Provider settings read generically from the provider's schema (prefix + fields).
#pragma once

#include "fastmcp/auth_plugin.h"
#include "fastmcp/env/environment.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace fastmcp::loader {

inline constexpr const char *kMask = "********";

struct Settings {
    nlohmann::json values = nlohmann::json::object(); // lower-case field name -> typed value
    std::map<std::string, std::string> sources;       // field -> "env" | "<file>:<line>" | "default"
    std::vector<std::string> warnings;                 // unknown variables, notices
    std::vector<std::string> secret_fields;            // lower-case names of FASTMCP_FIELD_SECRET

    // `values` with every secret replaced by kMask: the only form that may be printed.
    nlohmann::json masked() const;
};

// Reads every field of `desc` from `env` (prefix + NAME), applies defaults, checks required
// fields and types. Throws LoadError(SettingsInvalid) naming the variable (and file:line).
Settings read_settings(const fastmcp_provider_desc &desc, const env::Environment &env);

// Edit distance used for "did you mean" (exposed for tests).
size_t edit_distance(const std::string &a, const std::string &b);

} // namespace fastmcp::loader
