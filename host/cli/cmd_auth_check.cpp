#include "commands.hpp"

#include <cstdio>

namespace fastmcp::cli {

int cmd_auth_check(const Args &) {
    std::fputs("fastmcp: 'auth_check' is not implemented yet\n", stderr);
    return 2;
}

} // namespace fastmcp::cli
