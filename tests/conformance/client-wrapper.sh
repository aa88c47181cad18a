#!/usr/bin/env bash
# Runs `fastmcp client` as the conformance suite's client (`conformance client --command "<this>
# FASTMCP_BIN"`): the suite appends the server URL and sets MCP_CONFORMANCE_SCENARIO, and for some
# scenarios MCP_CONFORMANCE_CONTEXT (JSON: client_id, client_secret, private_key_pem,
# signing_algorithm), which become the flags of `fastmcp client`. The operation per scenario is
# what the scenario's server expects a client to do.
set -uo pipefail
fastmcp="$1"; url="$2"
scenario="${MCP_CONFORMANCE_SCENARIO:-}"
ctx="${MCP_CONFORMANCE_CONTEXT:-}"
[ -n "$ctx" ] || ctx='{}'
field() { node -e 'const c=JSON.parse(process.argv[1]); const v=c[process.argv[2]]; if (v !== undefined) process.stdout.write(String(v));' "$ctx" "$1"; }

# Each run starts with an empty token store unless the caller chose one.
if [ -z "${FASTMCP_CLIENT_KEEP_CONFIG:-}" ]; then
  export XDG_CONFIG_HOME="$(mktemp -d "${TMPDIR:-/tmp}/fastmcp-client-conf.XXXXXX")"
  trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT
fi

flags=()
case "$scenario" in
  auth/*) flags+=(--auth oauth --no-browser
                  --client-metadata-url https://conformance-test.local/client-metadata.json) ;;
esac
client_id="$(field client_id)"; client_secret="$(field client_secret)"; key_pem="$(field private_key_pem)"
alg="$(field signing_algorithm)"
[ -n "$client_id" ] && flags+=(--client-id "$client_id")
[ -n "$client_secret" ] && flags+=(--client-secret "$client_secret")
if [ -n "$key_pem" ]; then
  keyfile="$XDG_CONFIG_HOME/client-key.pem"
  (umask 077; printf '%s\n' "$key_pem" > "$keyfile")
  flags+=(--client-key "$keyfile")
  [ -n "$alg" ] && echo "client-wrapper: the suite signs with $alg; fastmcp client picks the algorithm from the key" >&2
fi
case "$scenario" in auth/client-credentials-*) flags+=(--grant client_credentials) ;; esac

case "$scenario" in
  tools_call) op=(call add_numbers '{"a":5,"b":3}') ;;
  elicitation-sep1034-client-defaults) flags+=(--elicitation accept-defaults); op=(call test_client_elicitation_defaults '{}') ;;
  sse-retry) op=(call test_reconnection '{}') ;;
  auth/*) op=(call test-tool '{}') ;;
  *) op=(tools) ;;
esac
exec "$fastmcp" client "$url" "${flags[@]}" "${op[@]}"
