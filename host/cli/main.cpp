// `fastmcp` entry point: dispatches to the subcommands declared in commands.hpp.
#include "commands.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace {

constexpr const char *kMainUsage =
    "usage: fastmcp <command> [options]\n"
    "\n"
    "commands:\n"
    "  run [MODULE.so] --transport http [--host H] [--port P] [--path /mcp] [--env-file F]\n"
    "  auth config [--env-file F] [--json] [--check]   show and validate the auth provider "
    "settings\n"
    "  auth check --token <JWT|@file|->                 explain why a token is accepted or "
    "rejected\n"
    "  auth doctor [--probe] [--token T] [--json]       step-by-step diagnosis of the auth set-up\n"
    "  providers [--json]                               list provider modules on the search path\n"
    "  client URL [--auth oauth|bearer:TOKEN] ping|tools|call NAME JSON\n"
    "  version\n";

} // namespace

int main(int argc, char **argv) {
    using namespace fastmcp::cli;
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        std::fputs(kMainUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const std::string cmd = argv[1];
    try {
        if (cmd == "auth") {
            if (argc < 3) {
                std::fputs(kMainUsage, stderr);
                return 2;
            }
            const std::string sub = argv[2];
            Args rest(argv + 3, argv + argc);
            if (sub == "config") return cmd_auth_config(rest);
            if (sub == "check") return cmd_auth_check(rest);
            if (sub == "doctor") return cmd_auth_doctor(rest);
            std::fprintf(stderr, "fastmcp: unknown auth command '%s'\n%s", sub.c_str(), kMainUsage);
            return 2;
        }
        Args rest(argv + 2, argv + argc);
        if (cmd == "run") return cmd_run(rest);
        if (cmd == "providers") return cmd_providers(rest);
        if (cmd == "client") return cmd_client(rest);
        if (cmd == "version" || cmd == "--version") {
            std::printf("fastmcp-cpp %s\n", FASTMCP_VERSION);
            return 0;
        }
        std::fprintf(stderr, "fastmcp: unknown command '%s'\n%s", cmd.c_str(), kMainUsage);
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp: %s\n", e.what());
        return 2;
    }
}
