#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan) and runs each for a while, two at a time.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#     SECONDS  per target (default: $FUZZ_SECONDS, else 60)
#     TARGET   a subset of: env_file scopes url jws_verify jwks jsonrpc auth_headers (default: all)
#   Environment: FUZZ_BUILD_DIR (default: build-fuzz), FUZZ_PARALLEL (default 2), FUZZ_RSS_MB (1024).
#
# Fuzzing runs on a copy of tests/fuzz/corpus (+ regressions) inside the build dir: generated inputs
# never land in the repo. A crash, leak, timeout or OOM copies its reproducer to
# tests/fuzz/regressions/<target>/ (replayed by the fuzz_corpus_replay unit test from then on) and
# makes this script exit non-zero. Per target it prints exec/s and the coverage (cov/ft) reached.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then seconds="$1"; shift; fi
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
parallel="${FUZZ_PARALLEL:-2}"
rss_mb="${FUZZ_RSS_MB:-1024}"

# Longest input worth mutating, per target: a little above the largest meaningful seed.
max_len() {
  case "$1" in
    env_file) echo 2048 ;;
    scopes | url | auth_headers) echo 512 ;;
    jws_verify) echo 2048 ;; # an RS256 token with claims is ~700 bytes
    jwks) echo 4096 ;;       # three keys incl. RSA-2048 are ~900 bytes
    jsonrpc) echo 4096 ;;
    *) echo 1024 ;;
  esac
}

echo "== fuzz: configure $build (clang, FASTMCP_FUZZ=ON, ASan+UBSan)"
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DFASTMCP_SANITIZE=ON -DFASTMCP_FUZZ=ON >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 2; }
echo "== fuzz: build"
cmake --build "$build" -j2 --target fuzzers
echo "== fuzz: configure + build took ${SECONDS}s"

if [[ $# -gt 0 ]]; then targets=("$@"); else mapfile -t targets <"$build/fuzz/targets.txt"; fi
run_root="$build/fuzz/run"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_one() {
  local t="$1" dir="$run_root/$1"
  rm -rf "$dir" && mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r "$root/tests/fuzz/corpus/$t/." "$dir/corpus/" 2>/dev/null || true
  cp -r "$root/tests/fuzz/regressions/$t/." "$dir/corpus/" 2>/dev/null || true
  local rc=0
  (cd "$dir" && "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
    -rss_limit_mb="$rss_mb" -timeout=10 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus") >"$dir/log" 2>&1 || rc=$?
  echo "$rc" >"$dir/rc"
}

echo "== fuzz: ${#targets[@]} targets x ${seconds}s, $parallel at a time"
fuzz_start=$SECONDS
running=0
for t in "${targets[@]}"; do
  [[ -x "$build/fuzz/fuzz_$t" ]] || { echo "no fuzz target '$t'"; exit 2; }
  run_one "$t" &
  running=$((running + 1))
  if ((running >= parallel)); then wait -n || true; running=$((running - 1)); fi
done
wait || true

echo "== fuzz: fuzzing took $((SECONDS - fuzz_start))s"
failed=0
printf '%-14s %-7s %10s %8s %8s %9s %8s\n' target result execs exec/s cov ft corpus
for t in "${targets[@]}"; do
  dir="$run_root/$t"
  rc="$(cat "$dir/rc" 2>/dev/null || echo 99)"
  stats="$(grep -E '^#[0-9]+.*cov: ' "$dir/log" | tail -n 1 || true)"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$stats")"
  ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$stats")"
  corp="$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$stats")"
  execs="$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' "$dir/log")"
  eps="$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$dir/log")"
  artifacts=("$dir"/artifacts/*)
  if [[ "$rc" != 0 || -e "${artifacts[0]}" ]]; then
    result=CRASH
    failed=1
    mkdir -p "$root/tests/fuzz/regressions/$t"
    # "found-" prefix: the repo's .gitignore ignores crash-*/leak-*/timeout-* files.
    for a in "${artifacts[@]}"; do [[ -e "$a" ]] && cp "$a" "$root/tests/fuzz/regressions/$t/found-$(basename "$a")"; done
  else
    result=ok
  fi
  printf '%-14s %-7s %10s %8s %8s %9s %8s\n' "$t" "$result" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
done

if ((failed)); then
  for t in "${targets[@]}"; do
    dir="$run_root/$t"
    if [[ "$(cat "$dir/rc" 2>/dev/null)" != 0 ]]; then
      echo "---- $t (exit $(cat "$dir/rc")): last lines of $dir/log"
      grep -vE '^#[0-9]+' "$dir/log" | tail -n 40
    fi
  done
  echo "fuzz: FAILED; reproducers copied to tests/fuzz/regressions/<target>/ (replay: bash scripts/fuzz.sh or ctest -R fuzz_corpus_replay)"
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s with no crash"
