#include "postgrest_reply.hpp"

namespace fastmcp::supabase_standin {

Reply Reply::json(int status, const nlohmann::json &body) {
    Reply r;
    r.status = status;
    r.body = body.dump();
    return r;
}

Reply Reply::postgrest_error(int status, std::string_view code, std::string_view message, std::string_view hint,
                             std::string_view details) {
    nlohmann::json body = {{"code", code}, {"details", nullptr}, {"hint", nullptr}, {"message", message}};
    if (!hint.empty()) body["hint"] = hint;
    if (!details.empty()) body["details"] = details;
    return json(status, body);
}

Reply Reply::gateway_error(int status, std::string_view message, std::string_view hint) {
    return json(status, {{"message", message}, {"hint", hint}});
}

} // namespace fastmcp::supabase_standin
