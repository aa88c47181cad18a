#!/usr/bin/env bash
# The .deb (issue 16, packaging): cpack -G DEB from the built tree (it does not rebuild: install
# does not depend on `all`), its file list and control fields, then the extracted
# usr/bin/fastmcp must find its providers in ../lib/fastmcp/providers.
# usage: deb_package.sh BUILD_DIR VERSION
set -euo pipefail
build=$1 version=$2
# shellcheck source=tests/packaging/lib.sh
source "$(dirname "$0")/lib.sh"
scratch_dir

step "cpack -G DEB"
start=$(date +%s%N)
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1 || fail_log "$tmp/cpack.log" "cpack failed"
echo "cpack took $(( ($(date +%s%N) - start) / 1000000 )) ms"
debs=("$tmp"/out/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $tmp/out, got: ${debs[*]}"
deb=${debs[0]}
arch=$(dpkg --print-architecture)
[ "$(basename "$deb")" = "fastmcp_${version}-1_${arch}.deb" ] || fail "unexpected file name $(basename "$deb")"

step "control fields"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = fastmcp ] || fail "Package: $(field Package)"
[ "$(field Version)" = "${version}-1" ] || fail "Version: $(field Version)"
depends=$(field Depends)
echo "Depends: $depends"
for lib in libc6 libstdc++6 libssl3 libpocofoundation libpoconet; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib (dpkg-shlibdeps): $depends"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/fastmcp/fastmcp.env || fail "/etc/fastmcp/fastmcp.env is not a conffile"

step "dpkg-deb -c"
dpkg-deb -c "$deb" >"$tmp/contents"
# path and, where it matters, mode
expect() {
  local line
  line=$(awk -v p="./$1" '$NF == p' "$tmp/contents")
  [ -n "$line" ] || fail "the package lacks /$1"
  [ -z "${2:-}" ] || [[ $line == "$2"* ]] || fail "/$1 is '$line', expected mode $2"
}
expect usr/bin/fastmcp -rwxr-xr-x
for m in workos jwt supabase introspection oidc_proxy github google workos_connect; do expect "usr/lib/fastmcp/providers/$m.so" -rw-r--r--; done
for h in auth_plugin.h server_module.h provider.hpp; do expect "usr/include/fastmcp/$h"; done
for f in fastmcpConfig.cmake fastmcpConfigVersion.cmake fastmcpTargets.cmake; do expect "usr/share/cmake/fastmcp/$f"; done
expect usr/share/pkgconfig/fastmcp.pc
expect usr/lib/systemd/system/fastmcp.service -rw-r--r--
expect etc/fastmcp/fastmcp.env -rw-------
outside=$(awk '{print $NF}' "$tmp/contents" | grep -vE '^\./(usr/|etc/|$)' || true)
[ -z "$outside" ] || fail "files outside /usr and /etc: $outside"
owners=$(awk '{print $2}' "$tmp/contents" | sort -u)
[ "$owners" = root/root ] || fail "files not owned by root: $owners"
echo "$(grep -vc '/$' "$tmp/contents") files"

step "dpkg-deb -x, then <root>/usr/bin/fastmcp providers"
dpkg-deb -x "$deb" "$tmp/root"
(cd "$tmp" && env -u FASTMCP_PROVIDER_PATH -u FASTMCP_ENV_FILE "$tmp/root/usr/bin/fastmcp" providers --json) >"$tmp/providers.json" 2>"$tmp/providers.err" ||
  fail_log "$tmp/providers.err" "fastmcp providers failed"
found=$(json_eval '(d["search_path"], sorted((m["module"], m["path"]) for m in d["modules"]), d["errors"])' <"$tmp/providers.json")
dir=$tmp/root/usr/lib/fastmcp/providers
want="(['$dir'], [('github', '$dir/github.so'), ('google', '$dir/google.so'), ('introspection', '$dir/introspection.so'), ('jwt', '$dir/jwt.so'), ('oidc_proxy', '$dir/oidc_proxy.so'), ('supabase', '$dir/supabase.so'), ('workos', '$dir/workos.so'), ('workos_connect', '$dir/workos_connect.so')], [])"
[ "$found" = "$want" ] || fail "fastmcp providers gave $found, expected $want"
(cd "$tmp" && env -u FASTMCP_PROVIDER_PATH "$tmp/root/usr/bin/fastmcp" providers) | grep -q AuthKitProvider || fail "no AuthKitProvider in 'fastmcp providers'"

step "systemd unit"
unit=$tmp/root/usr/lib/systemd/system/fastmcp.service
grep -qx 'ExecStart=/usr/bin/fastmcp run $FASTMCP_MODULE --transport http --host ${FASTMCP_HOST} --port ${FASTMCP_PORT} $FASTMCP_RUN_ARGS' "$unit" || fail "ExecStart is not /usr/bin/fastmcp run ... --transport http"
grep -qx 'EnvironmentFile=/etc/fastmcp/fastmcp.env' "$unit" || fail "EnvironmentFile= is not /etc/fastmcp/fastmcp.env"
grep -qx 'DynamicUser=yes' "$unit" || fail "the unit does not run as a dynamic user"
if command -v systemd-analyze >/dev/null; then
  # Checked as a copy pointing into the scratch root (verify wants ExecStart's binary to exist).
  # verify only warns on an unknown key or a bad value: any output is a failure.
  sed -e "s|=/usr/bin/fastmcp|=$tmp/root/usr/bin/fastmcp|" -e "s|=/etc/fastmcp|=$tmp/root/etc/fastmcp|" "$unit" >"$tmp/fastmcp.service"
  systemd-analyze verify --man=no "$tmp/fastmcp.service" >"$tmp/verify.log" 2>&1 || fail_log "$tmp/verify.log" "systemd-analyze verify failed"
  [ ! -s "$tmp/verify.log" ] || fail_log "$tmp/verify.log" "systemd-analyze verify warns about the unit"
  # Exposure 0.0 (locked down) .. 10.0 (unprotected); the unit scores 1.5.
  systemd-analyze security --offline=yes --threshold=20 "$tmp/fastmcp.service" >"$tmp/security.log" 2>&1 ||
    fail_log "$tmp/security.log" "systemd-analyze security: exposure above 2.0"
  grep 'Overall exposure' "$tmp/security.log"
fi
echo "PASS: $(basename "$deb")"
