// Header-only C++ layer over server_module.h that makes a server module a few lines:
//
//   #include "fastmcp/module.hpp"
//   using namespace fastmcp::module;
//   FASTMCP_MODULE(server, "Greeter", "1.0.0", "optional instructions") {
//       server.tool("add", "Add two numbers", [](const Args &a) { return a.get<double>("a") + ...;
//       })
//           .argument("a", "number").argument("b", "number");
//   }
//
// Handlers are lambdas taking what they use (const Args&, Context&, ...); see module/server.hpp.
// Exceptions never cross the C ABI: a tool's becomes an isError result, a resource's, prompt's or
// completion's a JSON-RPC error; a tool that answers nothing still gets exactly one (error)
// answer. Depends on the C++17 standard library and nlohmann_json (header-only).
#pragma once

#include "fastmcp/module/args.hpp"
#include "fastmcp/module/context.hpp"
#include "fastmcp/module/errors.hpp"
#include "fastmcp/module/host.hpp"
#include "fastmcp/module/prompt_result.hpp"
#include "fastmcp/module/resource_result.hpp"
#include "fastmcp/module/server.hpp"
#include "fastmcp/module/tool_result.hpp"
#include "fastmcp/server_module.h"

#include <deque>

namespace fastmcp::module::detail {

inline const char *instructions() { return nullptr; }
inline const char *instructions(const char *text) { return text; }

// register_tools for FASTMCP_MODULE: each call gets its own Server, kept until the module is
// unloaded (the host calls it once; handlers point into it).
template <void (*Setup)(Server &)> int register_with(const fastmcp_server_host *host) {
    static std::deque<Server> servers;
    try {
        return servers.emplace_back(host).run(Setup);
    } catch (...) {
        return 1;
    }
}

} // namespace fastmcp::module::detail

// Defines the module's one exported symbol and opens the body of its setup function:
//   FASTMCP_MODULE(server, "Name", "1.0.0"[, "instructions"]) { server.tool(...); }
// An exception thrown from the body (e.g. a missing setting) is logged and stops the server.
#define FASTMCP_MODULE(server_var, module_name, module_version, ...)                               \
    static void fastmcp_module_setup(::fastmcp::module::Server &);                                 \
    extern "C" FASTMCP_AUTH_EXPORT const fastmcp_server_module *fastmcp_server_module_entry(       \
        void) {                                                                                    \
        static const fastmcp_server_module module = {                                              \
            FASTMCP_SERVER_MODULE_ABI_MAJOR,                                                       \
            FASTMCP_SERVER_MODULE_ABI_MINOR,                                                       \
            sizeof(fastmcp_server_module),                                                         \
            module_name,                                                                           \
            module_version,                                                                        \
            &::fastmcp::module::detail::register_with<&fastmcp_module_setup>,                      \
            ::fastmcp::module::detail::instructions(__VA_ARGS__)};                                 \
        return &module;                                                                            \
    }                                                                                              \
    static void fastmcp_module_setup(::fastmcp::module::Server &server_var)
