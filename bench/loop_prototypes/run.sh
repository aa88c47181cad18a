#!/usr/bin/env bash
# Measures the three loop prototypes against one nginx worker: every server pinned to core 0, wrk
# (-t1, POST ~300 B + ~1 KB bearer, keep-alive) pinned to core 1. Prints a markdown table.
#   bench/loop_prototypes/run.sh [BIN_DIR]     (default build/bin; configure with
#   -DFASTMCP_LOOP_PROTOTYPES=ON and build loop_poco loop_asio loop_epoll)
#   env: DURATION (8s), POINTS ("32 1000 4000 32": the 32 point runs twice), SERVERS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/bin}
duration=${DURATION:-8s}
points=${POINTS:-32 1000 4000 32}
servers=${SERVERS:-nginx poco asio asio-wait epoll}
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" # a container may cap the hard limit
command -v nginx >/dev/null || { echo "run.sh: needs nginx (apt-get install nginx-light)" >&2; exit 1; }

work=$(mktemp -d /tmp/loopproto.XXXXXX)
declare -A port=([nginx]=18180 [poco]=18181 [asio]=18182 [asio-wait]=18183 [epoll]=18184) pid=() cpu_pid=()
cleanup() {
    for s in "${!pid[@]}"; do kill "${pid[$s]}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

body='{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello"}],"isError":false}}'
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 100000000;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:${port[nginx]} backlog=4096;
        default_type application/json;
        location / { return 200 '$body'; }
    }
}
CONF

start() { # $1 = server name; sets pid[$1] and cpu_pid[$1] (nginx: the worker, not the master)
    if [ "$1" = nginx ]; then
        taskset -c 0 nginx -p "$work/nginx/" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
    elif [ "$1" = asio-wait ]; then
        taskset -c 0 "$bin/loop_asio" "${port[$1]}" wait &
    else
        taskset -c 0 "$bin/loop_$1" "${port[$1]}" &
    fi
    pid[$1]=$!
    for _ in $(seq 50); do
        curl -sf -o /dev/null -X POST -d '{}' "http://127.0.0.1:${port[$1]}/mcp" && break
        sleep 0.1
    done
    cpu_pid[$1]=${pid[$1]}
    [ "$1" = nginx ] && cpu_pid[$1]=$(pgrep -P "${pid[$1]}" | head -1)
    return 0
}
ensure() { # restarts a server found dead (a stray `pkill nginx` elsewhere on a shared machine)
    if ! kill -0 "${pid[$1]}" 2>/dev/null; then
        echo "run.sh: $1 had exited; restarted" >&2
        start "$1"
    fi
    [ "$1" != nginx ] || cpu_pid[$1]=$(pgrep -P "${pid[$1]}" | head -1) # a respawned worker
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo -1000000; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

declare -A rss=() rss0=() fds=()
for s in $servers; do start "$s" && rss0[$s]=$(rss_mb "${cpu_pid[$s]}"); done
hz=$(getconf CLK_TCK)
echo "| conns | server | load (1 min) | req/s | p50 ms | p99 ms | errors (connect read write timeout status) | CPU µs/req |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for n in $points; do
    for s in $servers; do
        ensure "$s"
        load=$(uptime | sed 's/.*load average: //; s/,.*//')
        before=$(cpu_ticks "${cpu_pid[$s]}")
        taskset -c 1 wrk -t1 -c"$n" -d"$duration" --latency -s "$here/post.lua" \
            "http://127.0.0.1:${port[$s]}/mcp" >"$work/wrk.out" 2>&1 &
        if [ "$n" = 4000 ]; then # RSS while the 4000 connections are open, not after they close
            sleep "$(( ${duration%s} / 2 ))"
            rss[$s]=$(rss_mb "${cpu_pid[$s]}")
            fds[$s]=$(find "/proc/${cpu_pid[$s]}/fd" -mindepth 1 | wc -l) # how many of the 4000 were accepted
        fi
        wait $! || true
        after=$(cpu_ticks "${cpu_pid[$s]}")
        grep -q '^LOOPPROTO' "$work/wrk.out" || { echo "run.sh: wrk failed for $s at $n:" >&2; tail -3 "$work/wrk.out" >&2; }
        awk -v n="$n" -v s="$s" -v l="$load" -v c="$((after - before))" -v hz="$hz" '/^LOOPPROTO/ {
            errors = $7 + $8 + $9 + $10 + $4
            detail = errors ? sprintf(" (c%d r%d w%d t%d s%d)", $7, $8, $9, $10, $4) : ""
            printf "| %d | %s | %s | %d | %.2f | %.2f | %d%s | %.1f |\n", n, s, l, $2 * 1e6 / $3,
                $5 / 1e3, $6 / 1e3, errors, detail, $2 ? c / hz * 1e6 / $2 : 0 }' "$work/wrk.out"
    done
done
echo
echo "RSS (MB): after start -> mid-run at 4000 connections -> peak (VmHWM); open fds mid-run:"
for s in $servers; do
    echo "- $s: ${rss0[$s]} -> ${rss[$s]:-n/a} -> $(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/${cpu_pid[$s]}/status"); ${fds[$s]:-n/a} fds"
done
