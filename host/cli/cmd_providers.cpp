#include "commands.hpp"

#include <cstdio>

namespace fastmcp::cli {

int cmd_providers(const Args &) {
    std::fputs("fastmcp: 'providers' is not implemented yet\n", stderr);
    return 2;
}

} // namespace fastmcp::cli
