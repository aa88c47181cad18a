#include "commands.hpp"

#include <cstdio>

namespace fastmcp::cli {

int cmd_auth_doctor(const Args &) {
    std::fputs("fastmcp: 'auth_doctor' is not implemented yet\n", stderr);
    return 2;
}

} // namespace fastmcp::cli
