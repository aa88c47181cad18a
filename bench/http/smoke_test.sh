#!/usr/bin/env bash
# ctest bench_http_smoke (label bench-smoke): bench/run --smoke against the binaries of BUILD_DIR.
# Asserts no timing: only that every scenario completes and that the results are valid JSON with
# every row. Exit 77 (skipped) when wrk, taskset or node is not installed.
set -euo pipefail
build_dir="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
for tool in wrk taskset node npm curl nginx redis-server; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed (bash scripts/install-deps.sh)"; exit 77; }
done
out="$build_dir/bench/results-smoke.json"
rm -f "$out"
bash "$root/bench/run" --smoke --no-build --build-dir "$build_dir" --out "$out"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const want = ["hot/ours", "hot/peer", "10k-tokens/ours", "10k-tokens/peer", "invalid/ours", "invalid/peer",
                "no-auth/ours", "no-auth/peer", "no-auth/ceiling", "proxy-sqlite/ours", "proxy-redis/ours"];
  const got = r.results.map((x) => `${x.scenario}/${x.server}`);
  for (const w of want) if (!got.includes(w)) throw new Error(`no result for ${w}`);
  for (const x of r.results) if (!(x.wrk.requests > 0)) throw new Error(`${x.scenario}/${x.server}: no requests completed`);
  for (const x of r.results) if (x.scenario === "invalid" && x.non_2xx !== x.wrk.requests) throw new Error(`${x.server}: a request with an invalid token was not refused`);
  for (const x of r.results) if (x.scenario !== "invalid" && x.non_2xx !== 0) throw new Error(`${x.scenario}/${x.server}: ${x.non_2xx} non-2xx answers`);
  if (!(r.cold_start_ms.ours > 0 && r.cold_start_ms.peer > 0)) throw new Error("no cold start figure");
  if (!(r.machine.nproc > 0) || !r.date || r.targets.length !== 15) throw new Error("machine, date or targets missing");
  for (const s of ["ours", "nginx", "peer"])
    if (!r.scaling.some((x) => x.server === s && x.requests_per_s > 0)) throw new Error(`no scaling result for ${s}`);
  if (!(r.idle && r.idle.clients.opened > 0 && r.idle.busy_rps_with > 0)) throw new Error("no idle-connections result");
  console.log(`bench_http_smoke: ${r.results.length} results, valid JSON`);
' "$out"
