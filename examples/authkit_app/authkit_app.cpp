// The docs' "AuthKit Secured App", in C++ with the library API. Auth comes from the environment
// exactly as in the docs' env-only example:
//
//   FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.workos.AuthKitProvider
//   FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN=https://your-project.authkit.app
//   FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL=http://localhost:8000
//
//   ./authkit_app [--host H] [--port P] [--env-file F]
#include "fastmcp/server.hpp"

#include <cstdlib>
#include <string>

int main(int argc, char **argv) {
    fastmcp::Server mcp{"AuthKit Secured App"};

    mcp.tool("get_user_info", "Who is signed in: the claims of the verified AuthKit token",
             R"({"type":"object","properties":{}})", [](const nlohmann::json &) {
                 auto token = fastmcp::get_access_token();
                 if (!token) return fastmcp::ToolResult::error("no access token (auth is off)");
                 nlohmann::json info = {{"subject", token->subject},
                                        {"client_id", token->client_id},
                                        {"scopes", token->scopes},
                                        {"expires_at", token->expires_at}};
                 fastmcp::ToolResult r = fastmcp::ToolResult::text(info.dump());
                 r.structured = info;
                 return r;
             });
    mcp.tool("echo", "Echo the given text", R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})",
             [](const nlohmann::json &args) { return fastmcp::ToolResult::text(args.at("text").get<std::string>()); });

    fastmcp::RunOptions options;
    options.port = 8000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--host") options.host = argv[i + 1];
        else if (flag == "--port") options.port = std::atoi(argv[i + 1]);
        else if (flag == "--env-file") options.env_file = argv[i + 1];
    }
    return mcp.run(options);
}
