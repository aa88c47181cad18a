#!/usr/bin/env bash
# Out-of-tree module build against an install prefix (issue 16, packaging):
#   cmake --install into a scratch prefix, move it (the install must be relocatable), then
#   build examples/greeter_module on its own with find_package(fastmcp CONFIG) from that prefix,
#   check fastmcp.pc, and load greeter.so with the installed bin/fastmcp: tools/list must list
#   the module's tools and tools/call must run its code.
# usage: out_of_tree_module.sh BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail
build=$1 src=$2 version=$3
# shellcheck source=tests/packaging/lib.sh
source "$(dirname "$0")/lib.sh"
scratch_dir

step "cmake --install $build --prefix <scratch>/stage"
cmake --install "$build" --prefix "$tmp/stage" >"$tmp/install.log" 2>&1 || fail_log "$tmp/install.log" "cmake --install failed"
# Nothing installed for consumers may point into the build, the sources or the install prefix.
leaks=$(grep -rlF -e "$build" -e "$src" -e "$tmp/stage" "$tmp/stage/share/cmake" "$tmp/stage/share/pkgconfig" "$tmp/stage/include" || true)
[ -z "$leaks" ] || fail "absolute paths in installed package files: $leaks"
mv "$tmp/stage" "$tmp/prefix"
prefix=$tmp/prefix

step "pkg-config fastmcp"
export PKG_CONFIG_PATH=$prefix/share/pkgconfig
got=$(pkg-config --modversion fastmcp)
[ "$got" = "$version" ] || fail "pkg-config --modversion fastmcp: '$got', expected '$version'"
printf '#include "fastmcp/auth_plugin.h"\n#include "fastmcp/server_module.h"\nint main(void) { return FASTMCP_SERVER_MODULE_ABI_MAJOR - FASTMCP_SERVER_MODULE_ABI_MAJOR; }\n' >"$tmp/abi.c"
# shellcheck disable=SC2046
cc $(pkg-config --cflags fastmcp) -fsyntax-only -Wall -Werror "$tmp/abi.c" || fail "the plugin ABI headers do not compile with pkg-config --cflags fastmcp"
[ "$(pkg-config --variable=providerdir fastmcp)" -ef "$prefix/lib/fastmcp/providers" ] || fail "providerdir is not <prefix>/lib/fastmcp/providers"

step "configure and build examples/greeter_module standalone"
cmake -S "$src/examples/greeter_module" -B "$tmp/greeter" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/configure.log" 2>&1 || fail_log "$tmp/configure.log" "configure failed"
found=$(sed -n 's/^fastmcp_DIR:PATH=//p' "$tmp/greeter/CMakeCache.txt")
[ "$found" = "$prefix/share/cmake/fastmcp" ] || fail "find_package(fastmcp) used '$found', not the scratch prefix"
cmake --build "$tmp/greeter" >"$tmp/build.log" 2>&1 || fail_log "$tmp/build.log" "build failed"
module=$tmp/greeter/greeter.so
[ -f "$module" ] || fail "no greeter.so"

step "installed bin/fastmcp run greeter.so"
start_fastmcp "$prefix/bin/fastmcp" run "$module" --transport http --port 0
names=$(mcp_post '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' |
  json_eval 'sorted(t["name"] for t in d["result"]["tools"])')
[ "$names" = "['add', 'fail', 'greet']" ] || fail "tools/list gave $names, expected the greeter's add, fail, greet"
text=$(mcp_post '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"greet","arguments":{"greeting":"Hi"}}}' |
  json_eval 'd["result"]["content"][0]["text"]')
[ "$text" = "Hi, anonymous!" ] || fail "tools/call greet gave '$text'"
echo "PASS: greeter.so built against $prefix and served by its bin/fastmcp"
