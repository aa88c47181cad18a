// A module built for a future ABI major: the host must refuse it, naming both versions.
#include "fastmcp/auth_plugin.h"

// Declared in a namespace because C++ forbids a function named like the struct in one scope;
// C linkage ignores the namespace.
namespace broken_abi {
extern "C" FASTMCP_AUTH_EXPORT const struct fastmcp_auth_module *fastmcp_auth_module(void) {
    static const struct fastmcp_auth_module module = {FASTMCP_AUTH_ABI_MAJOR + 1, 3, sizeof(struct fastmcp_auth_module),
                                                      "broken_abi", "9.0", nullptr, 0};
    return &module;
}
} // namespace broken_abi
