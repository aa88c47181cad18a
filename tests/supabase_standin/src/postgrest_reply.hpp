// What the stand-in answers, shaped like Supabase's two layers: the API gateway (Kong: missing or
// wrong `apikey` -> {"message","hint"}) and PostgREST ({"code","details","hint","message"}).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastmcp::supabase_standin {

struct Reply {
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    static Reply json(int status, const nlohmann::json &body);
    // PostgREST's error body; `hint` and `details` are null unless given.
    static Reply postgrest_error(int status, std::string_view code, std::string_view message,
                                 std::string_view hint = {}, std::string_view details = {});
    // The gateway's error body (no PostgREST code).
    static Reply gateway_error(int status, std::string_view message, std::string_view hint);
};

} // namespace fastmcp::supabase_standin
