// Typed settings values for every fastmcp_field_type of the plugin ABI.
#pragma once

#include "fastmcp/auth_plugin.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::env {

bool parse_bool(std::string_view value);        // true/false/1/0/yes/no/on/off (any case)
long long parse_int(std::string_view value);    // decimal, optional sign
double parse_duration(std::string_view value);  // seconds: "60", "60s", "500ms", "10m", "1h"

// Converts an env-syntax value to the JSON the provider receives. `notices` collects non-fatal
// remarks (URL scheme added). Throws ValueError.
nlohmann::json parse_field_value(fastmcp_field_type type, std::string_view value,
                                 std::vector<std::string> *notices = nullptr);

const char *field_type_name(uint32_t type); // "string", "url", "scopes", ...

} // namespace fastmcp::env
