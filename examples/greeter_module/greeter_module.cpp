// A server module for `fastmcp run greeter.so --transport http --port 8000`, written on the
// header-only authoring layer (fastmcp/module.hpp over the C ABI fastmcp/server_module.h).
//   greet   greets the caller by the subject of their verified access token (or "anonymous")
//   add     adds two numbers, answering with text and structured content
//   fail    always reports a tool-level error (isError: true)
#include "fastmcp/module.hpp"

#include <nlohmann/json.hpp>

#include <string>

using namespace fastmcp::module;

FASTMCP_MODULE(server, "Greeter", "1.0.0", "Tools that greet you by your verified identity.") {
    server
        .tool("greet", "Greet the caller by their verified identity",
              [](const Args &args, Context &ctx) {
                  const auto token = ctx.get_access_token();
                  return args.get<std::string>("greeting", "Hello") + ", " +
                         (token ? token->subject : std::string("anonymous")) + "!";
              })
        .argument("greeting", "string", "", false);

    server
        .tool("add", "Add two numbers",
              [](const Args &args) {
                  const nlohmann::json sum = args.get<double>("a") + args.get<double>("b");
                  ToolResult result = ToolResult::text(sum.dump());
                  result.structured = {{"sum", sum}};
                  return result;
              })
        .argument("a", "number")
        .argument("b", "number");

    server.tool("fail", "Always fails (shows isError results)",
                []() -> ToolResult { throw ToolError("this tool always fails"); });

    server.log(FASTMCP_LOG_DEBUG, "greeter module registered 3 tools");
}
