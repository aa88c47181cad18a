// A server module for `fastmcp run supabase_notes.so`: the docs' "Supabase client integration".
// Its tools call Supabase's Data API (PostgREST) *as the signed-in user*: the MCP request's
// verified access token goes to Supabase byte for byte, with the project's anon key, so Supabase's
// row-level security decides what each user sees.
//   list_notes          the caller's rows of public.notes
//   add_note {body}     inserts a row (Supabase's policy sets/checks its owner)
// Configuration: SUPABASE_URL and SUPABASE_ANON_KEY, from the environment or the .env file the
// host loaded (host->get_env). Missing or invalid values stop the server at start-up.
#include "supabase_rest.hpp"

#include "fastmcp/server_module.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>

namespace {

const fastmcp_server_host *g_host = nullptr;
supabase_notes::SupabaseConfig g_config;

void respond(fastmcp_tool_respond_fn fn, void *ctx, const std::string &text, bool is_error,
             const std::string &structured = {}) {
    fastmcp_tool_result r{};
    r.struct_size = sizeof r;
    r.is_error = is_error ? 1 : 0;
    r.text = {text.data(), text.size()};
    r.structured_json = {structured.data(), structured.size()};
    fn(ctx, &r);
}

void log(fastmcp_log_level level, const std::string &message) {
    g_host->log(g_host->ctx, level, message.data(), message.size());
}

std::optional<std::string> config_value(const char *name) {
    const size_t len = std::char_traits<char>::length(name);
    if (g_host->struct_size >= offsetof(fastmcp_server_host, get_env) + sizeof(void *) && g_host->get_env) {
        fastmcp_str v{};
        if (g_host->get_env(g_host->ctx, name, len, &v)) return std::string(v.data, v.size);
        return std::nullopt;
    }
    const char *v = std::getenv(name); // a host older than ABI 1.1: the process environment only
    return v ? std::optional<std::string>(v) : std::nullopt;
}

// The caller's raw token, or a tool error when the server runs without auth.
std::optional<std::string> caller_token(fastmcp_tool_respond_fn fn, void *ctx) {
    fastmcp_token_view token{};
    token.struct_size = sizeof token;
    if (!g_host->get_access_token(g_host->ctx, &token) || !token.token.size) {
        respond(fn, ctx,
                "no signed-in user: supabase_notes calls Supabase as the caller, so run it with an auth provider "
                "(FASTMCP_SERVER_AUTH, e.g. AuthKitProvider)",
                true);
        return std::nullopt;
    }
    return std::string(token.token.data, token.token.size);
}

int list_notes(void *, fastmcp_str, fastmcp_tool_respond_fn fn, void *ctx) {
    const auto token = caller_token(fn, ctx);
    if (!token) return 0;
    const auto r = supabase_notes::rest_call(g_config, "notes?select=id,body,created_at&order=id.asc", *token);
    if (!r.ok) {
        respond(fn, ctx, r.error, true, nlohmann::json{{"status", r.status}}.dump());
        return 0;
    }
    const nlohmann::json notes = r.body.is_array() ? r.body : nlohmann::json::array();
    respond(fn, ctx, notes.dump(), false, nlohmann::json{{"notes", notes}}.dump());
    return 0;
}

int add_note(void *, fastmcp_str args_json, fastmcp_tool_respond_fn fn, void *ctx) {
    const auto args = nlohmann::json::parse(std::string(args_json.data, args_json.size), nullptr, false);
    if (!args.is_object() || !args.contains("body") || !args["body"].is_string() ||
        args["body"].get<std::string>().empty()) {
        respond(fn, ctx, "body must be a non-empty string", true);
        return 0;
    }
    const auto token = caller_token(fn, ctx);
    if (!token) return 0;
    const auto r = supabase_notes::rest_call(g_config, "notes", *token, nlohmann::json{{"body", args["body"]}}.dump());
    if (!r.ok) {
        respond(fn, ctx, r.error, true, nlohmann::json{{"status", r.status}}.dump());
        return 0;
    }
    const nlohmann::json note = r.body.is_array() && !r.body.empty() ? r.body[0] : r.body;
    respond(fn, ctx, note.dump(), false, nlohmann::json{{"note", note}}.dump());
    return 0;
}

int register_tools(const fastmcp_server_host *host) {
    g_host = host;
    const std::string problem =
        supabase_notes::validate_config(config_value("SUPABASE_URL"), config_value("SUPABASE_ANON_KEY"), g_config);
    if (!problem.empty()) {
        log(FASTMCP_LOG_ERROR, "supabase_notes: " + problem);
        return 1;
    }
    const fastmcp_tool_desc tools[] = {
        {sizeof(fastmcp_tool_desc), "list_notes",
         "List your notes (Supabase, as you: row-level security applies)",
         R"({"type":"object","properties":{}})", list_notes, nullptr, nullptr, nullptr, nullptr,
         nullptr, 0},
        {sizeof(fastmcp_tool_desc), "add_note", "Add a note owned by you (Supabase, as you)",
         R"({"type":"object","properties":{"body":{"type":"string","minLength":1}},"required":["body"]})",
         add_note, nullptr, nullptr, nullptr, nullptr, nullptr, 0},
    };
    for (const auto &t : tools)
        if (host->add_tool(host->ctx, &t) != 0) return 1;
    log(FASTMCP_LOG_INFO, "supabase_notes: calling " + g_config.url + "/rest/v1 as the signed-in user");
    return 0;
}

} // namespace

extern "C" FASTMCP_AUTH_EXPORT const fastmcp_server_module *fastmcp_server_module_entry(void) {
    static const fastmcp_server_module module = {FASTMCP_SERVER_MODULE_ABI_MAJOR,
                                                 FASTMCP_SERVER_MODULE_ABI_MINOR,
                                                 sizeof(fastmcp_server_module),
                                                 "Supabase Notes",
                                                 "1.0.0",
                                                 register_tools,
                                                 "Your notes in Supabase, read and written as you."};
    return &module;
}
