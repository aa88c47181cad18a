// A server module for `fastmcp run supabase_notes.so`: the docs' "Supabase client integration".
// Its tools call Supabase's Data API (PostgREST) *as the signed-in user*: the MCP request's
// verified access token goes to Supabase byte for byte, with the project's anon key, so Supabase's
// row-level security decides what each user sees.
//   list_notes          the caller's rows of public.notes
//   add_note {body}     inserts a row (Supabase's policy sets/checks its owner)
// Configuration: SUPABASE_URL and SUPABASE_ANON_KEY, from the environment or the .env file the
// host loaded (server.get_env). Missing or invalid values stop the server at start-up.
#include "supabase_rest.hpp"

#include "fastmcp/module.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

using namespace fastmcp::module;

namespace {

// The caller's raw token; a tool error when the server runs without auth.
std::string caller_token(const Context &ctx) {
    const auto token = ctx.get_access_token();
    if (!token || token->token.empty())
        throw ToolError("no signed-in user: supabase_notes calls Supabase as the caller, so run it "
                        "with an auth "
                        "provider (FASTMCP_SERVER_AUTH, e.g. AuthKitProvider)");
    return token->token;
}

// A failed Supabase call: its status and message as an isError result (never the token).
ToolResult rest_error(const supabase_notes::RestResult &r) {
    ToolResult result = ToolResult::error(r.error);
    result.structured = {{"status", r.status}};
    return result;
}

} // namespace

FASTMCP_MODULE(server, "Supabase Notes", "1.0.0",
               "Your notes in Supabase, read and written as you.") {
    supabase_notes::SupabaseConfig config;
    const std::string problem = supabase_notes::validate_config(
        server.get_env("SUPABASE_URL"), server.get_env("SUPABASE_ANON_KEY"), config);
    if (!problem.empty()) throw std::runtime_error("supabase_notes: " + problem);

    server.tool("list_notes", "List your notes (Supabase, as you: row-level security applies)",
                [config](Context &ctx) {
                    const auto r = supabase_notes::rest_call(
                        config, "notes?select=id,body,created_at&order=id.asc", caller_token(ctx));
                    if (!r.ok) return rest_error(r);
                    const nlohmann::json notes =
                        r.body.is_array() ? r.body : nlohmann::json::array();
                    ToolResult result = ToolResult::text(notes.dump());
                    result.structured = {{"notes", notes}};
                    return result;
                });

    server
        .tool("add_note", "Add a note owned by you (Supabase, as you)",
              [config](const Args &args, Context &ctx) {
                  const auto body = args.find<std::string>("body");
                  if (!body || body->empty()) throw ToolError("body must be a non-empty string");
                  const auto r = supabase_notes::rest_call(config, "notes", caller_token(ctx),
                                                           nlohmann::json{{"body", *body}}.dump());
                  if (!r.ok) return rest_error(r);
                  const nlohmann::json note =
                      r.body.is_array() && !r.body.empty() ? r.body[0] : r.body;
                  ToolResult result = ToolResult::text(note.dump());
                  result.structured = {{"note", note}};
                  return result;
              })
        .input_schema(
            R"({"type":"object","properties":{"body":{"type":"string","minLength":1}},"required":["body"]})");

    server.log(FASTMCP_LOG_INFO,
               "supabase_notes: calling " + config.url + "/rest/v1 as the signed-in user");
}
