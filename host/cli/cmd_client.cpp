#include "commands.hpp"

#include <cstdio>

namespace fastmcp::cli {

int cmd_client(const Args &) {
    std::fputs("fastmcp: 'client' is not implemented yet\n", stderr);
    return 2;
}

} // namespace fastmcp::cli
