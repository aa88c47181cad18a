#include "commands.hpp"

#include <cstdio>

namespace fastmcp::cli {

int cmd_run(const Args &) {
    std::fputs("fastmcp: 'run' is not implemented yet\n", stderr);
    return 2;
}

} // namespace fastmcp::cli
