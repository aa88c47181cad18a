#!/usr/bin/env bash
# deploy/nginx.conf (issue 16): `nginx -t` accepts it with only a scratch prefix (no root paths),
# and it keeps the properties the replicas rely on.
# usage: check_nginx_conf.sh NGINX CONF
set -euo pipefail
nginx=$1 conf=$2
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/logs" "$tmp/tmp"
"$nginx" -t -p "$tmp/" -c "$conf" -e "$tmp/logs/error.log" >"$tmp/out" 2>&1 || {
  cat "$tmp/out" >&2
  fail "nginx -t rejects $conf"
}
grep -q 'test is successful' "$tmp/out" || fail "nginx -t did not report success"

# The effective directives (comments dropped), one a line.
directives=$(sed -e 's/#.*//' "$conf" | tr -s ' \t' ' ' | sed -e 's/^ //' -e 's/ $//' | grep -v '^$')
has() { grep -qxF -- "$1" <<<"$directives" || fail "$conf lacks '$1'"; }
has 'proxy_http_version 1.1;'
has 'proxy_set_header Connection "";'
has 'proxy_buffering off;'
has 'keepalive 64;'
has 'proxy_next_upstream error timeout http_502 http_503 http_504;'
replicas=$(grep -cE '^server 127\.0\.0\.1:[0-9]+' <<<"$directives")
[ "$replicas" -ge 2 ] || fail "fewer than two loopback replicas in the upstream ($replicas)"
# POSTs (every MCP call) must never be resent once a replica got them.
! grep -q non_idempotent <<<"$directives" || fail "proxy_next_upstream retries non-idempotent requests"
# Round robin by default; the sticky variant is there, commented.
! grep -qE '^(hash|ip_hash|least_conn)' <<<"$directives" || fail "the upstream is not round robin"
grep -qE '^ *# *hash \$http_mcp_session_id consistent;' "$conf" || fail "the commented sticky-routing variant is missing"
echo "PASS: nginx -t accepts $conf; $replicas replicas, keep-alive, retries without non_idempotent, no buffering"
