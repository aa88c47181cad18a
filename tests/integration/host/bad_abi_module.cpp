// A server module built for a future ABI major: `fastmcp run` must refuse it, naming both versions.
#include "fastmcp/server_module.h"

namespace {
int register_tools(const fastmcp_server_host *) { return 0; }
} // namespace

extern "C" FASTMCP_AUTH_EXPORT const fastmcp_server_module *fastmcp_server_module_entry(void) {
    static const fastmcp_server_module module = {FASTMCP_SERVER_MODULE_ABI_MAJOR + 1, 0, sizeof(fastmcp_server_module),
                                                 "future", "9.0", register_tools, nullptr};
    return &module;
}
