#include "demo_app.hpp"

namespace fastmcp::host {

nlohmann::json whoami_json(const AccessToken *token) {
    if (!token) return {{"authenticated", false}};
    nlohmann::json claims = nlohmann::json::parse(token->claims_json, nullptr, false);
    if (claims.is_discarded()) claims = nlohmann::json::object();
    return {{"authenticated", true},     {"subject", token->subject}, {"client_id", token->client_id},
            {"scopes", token->scopes},   {"expires_at", token->expires_at}, {"issuer", token->issuer},
            {"claims", std::move(claims)}};
}

// Both tools are pure functions of their arguments and the request's token: they run on the I/O
// loop (no thread hand-off per call).
void add_demo_tools(Server &server) {
    server.nonblocking_tool("whoami", "Who is calling: the verified access token's subject, client, scopes, expiry and claims",
                R"({"type":"object","properties":{}})", [](const nlohmann::json &) {
                    auto token = get_access_token();
                    nlohmann::json who = whoami_json(token.get());
                    ToolResult r = ToolResult::text(who.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
                    r.structured = std::move(who);
                    return r;
                });
    server.nonblocking_tool("echo", "Echo the given text back",
                R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})",
                [](const nlohmann::json &args) {
                    const auto &text = args.at("text");
                    if (!text.is_string()) return ToolResult::error("text must be a string");
                    return ToolResult::text(text.get<std::string>());
                });
}

} // namespace fastmcp::host
