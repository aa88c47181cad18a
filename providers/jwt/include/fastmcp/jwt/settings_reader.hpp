// Typed access to a provider's settings JSON (as the host built it from the schema), with errors
// that name the environment variable a user has to fix.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::jwt {

class SettingsReader {
public:
    // Throws plugin::ConfigError when `json` is not a JSON object.
    SettingsReader(std::string_view json, std::string env_prefix);

    // "FASTMCP_SERVER_AUTH_JWT_" + "JWKS_URI" for field "jwks_uri".
    std::string variable(std::string_view field) const;
    bool has(std::string_view field) const;

    std::optional<std::string> string(std::string_view field) const; // empty string = absent
    std::string required_string(std::string_view field) const;
    // A URL without its trailing slash; absent -> nullopt. Throws unless http(s)://host...
    std::optional<std::string> url(std::string_view field) const;
    // Required URL; `hint` completes the error message ("is required (e.g. ...)").
    std::string required_url(std::string_view field, std::string_view hint = {}) const;
    std::vector<std::string> list(std::string_view field) const; // absent -> {}
    int64_t duration_ms(std::string_view field, int64_t default_ms) const;
    // An integer in [min, max]; absent -> default_value. Accepts a JSON integer or its text.
    int64_t integer(std::string_view field, int64_t default_value, int64_t min, int64_t max) const;

    // Throws plugin::ConfigError("<VARIABLE>: <why>").
    [[noreturn]] void fail(std::string_view field, std::string_view why) const;

private:
    const nlohmann::json *find(std::string_view field) const;
    nlohmann::json values_;
    std::string prefix_;
};

std::string trim_trailing_slash(std::string url);

} // namespace fastmcp::jwt
