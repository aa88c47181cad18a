// `fastmcp` subcommands. Each lives in its own file (cmd_*.cpp) and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace fastmcp::cli {

using Args = std::vector<std::string>; // arguments after the subcommand words

int cmd_run(const Args &args);          // fastmcp run [MODULE.so] --transport http ...
int cmd_auth_config(const Args &args);  // fastmcp auth config [--env-file F] [--json] [--check]
int cmd_auth_check(const Args &args);   // fastmcp auth check --token <JWT|@file|->
int cmd_auth_doctor(const Args &args);  // fastmcp auth doctor [--probe] [--token T] [--json]
int cmd_providers(const Args &args);    // fastmcp providers [--json]
int cmd_client(const Args &args);       // fastmcp client URL [--auth oauth|bearer:T] ping|tools|call

} // namespace fastmcp::cli
