#!/usr/bin/env bash
# Installs the Debian 12 packages fastmcp-cpp builds, tests and benchmarks with. Idempotent: does
# nothing when everything is already installed. Used by the README's commands and by .ci/run.
set -euo pipefail

packages=(
  build-essential cmake g++ clang clang-format clang-tidy libclang-rt-14-dev
  libpoco-dev libssl-dev nlohmann-json3-dev libsimdjson-dev doctest-dev
  wrk ca-certificates curl procps
  libboost-dev nginx-light  # the host's event loops (Boost.Asio); nginx: benchmark ceiling, load balancer in tests
  dpkg-dev pkgconf python3 python3-yaml  # packaging and deploy tests: dpkg-shlibdeps, pkg-config, YAML
  libsqlite3-dev libhiredis-dev redis-server  # OAuth proxy state store: SQLite, Redis client, Redis for tests
)
# Node.js 20 + npm (tests and benchmarks only) ship with the machine image; Debian's own nodejs
# is 18, so it is installed only where no node exists at all.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
