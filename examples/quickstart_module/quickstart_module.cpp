// A complete server module: fastmcp run build/examples/quickstart.so --transport http --port 8000
#include "fastmcp/module.hpp"

using namespace fastmcp::module;

FASTMCP_MODULE(server, "Quickstart", "1.0.0", "A tool, a resource and a prompt.") {
    server
        .tool("add", "Add two numbers",
              [](const Args &args) {
                  return nlohmann::json{{"sum", args.get<double>("a") + args.get<double>("b")}};
              })
        .argument("a", "number")
        .argument("b", "number");
    server
        .tool("whoami", "Who your token says you are",
              [](Context &ctx) {
                  ctx.info("whoami was called"); // to the client, if it asked for logs
                  const auto token = ctx.get_access_token();
                  return token ? token->subject : std::string("anonymous");
              })
        .scopes({"profile"}); // listed/callable only with it, else 403 insufficient_scope
    server.resource("config://version", "version", [] { return std::string("1.0.0"); });
    server
        .prompt("review", "Review some code",
                [](const Args &args) {
                    return "Please review this code:\n" + args.get<std::string>("code");
                })
        .argument("code", "the code to review");
}
