#include "commands.hpp"

#include <cstdio>

namespace fastmcp::cli {

int cmd_auth_config(const Args &) {
    std::fputs("fastmcp: 'auth_config' is not implemented yet\n", stderr);
    return 2;
}

} // namespace fastmcp::cli
