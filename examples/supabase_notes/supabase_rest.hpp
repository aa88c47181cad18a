// A small PostgREST client for the supabase_notes module: every request goes out as the signed-in
// user (their bearer token, byte for byte) with the project's anon key, over HTTPS verified
// against the system CA store (http only for loopback hosts, for local stacks and tests).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace supabase_notes {

struct SupabaseConfig {
    std::string url;      // SUPABASE_URL, normalised (no trailing '/')
    std::string anon_key; // SUPABASE_ANON_KEY
};

// Validates SUPABASE_URL with the same rules as every fastmcp URL setting (absolute http(s), no
// userinfo/query/fragment, http only for loopback). Returns an error naming the variable, or "".
std::string validate_config(std::optional<std::string> url, std::optional<std::string> anon_key, SupabaseConfig &out);

struct RestResult {
    bool ok = false;        // a 2xx answer whose body parsed as JSON (or was empty)
    int status = 0;         // 0 when no answer came back
    nlohmann::json body;    // the parsed body, when ok
    std::string error;      // for the tool result: status and Supabase's message; never the token
};

// One request to {url}/rest/v1/{table_and_query}. `bearer` is sent as "Authorization: Bearer "
// + bearer, unchanged. `json_body` empty means GET, else POST with Prefer: return=representation.
RestResult rest_call(const SupabaseConfig &config, std::string_view table_and_query, std::string_view bearer,
                     const std::string &json_body = {});

} // namespace supabase_notes
