#!/usr/bin/env bash
# Installs what building and testing Cairn needs, when it is missing, and
# checks the versions. Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config clang
  libb2-dev nlohmann-json3-dev libxxhash-dev rapidjson-dev
  libsqlite3-dev libgtest-dev libbenchmark-dev libboost-dev
  emscripten
  chromium
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Version checks: the toolchain facts the build relies on.
need_version() {  # name actual minimum
  if ! printf '%s\n%s\n' "$3" "$2" | sort -V -C; then
    echo "setup: $1 $2 is older than the required $3" >&2
    exit 1
  fi
}
need_version cmake "$(cmake --version | head -1 | awk '{print $3}')" 3.25
need_version g++ "$(g++ -dumpfullversion)" 12
need_version node "$(node --version | tr -d v)" 20.19  # vite, used by the bundler test, needs 20.19
need_version nlohmann-json "$(dpkg-query -W -f='${Version}' nlohmann-json3-dev)" 3.11
need_version libb2 "$(dpkg-query -W -f='${Version}' libb2-dev)" 0.98
need_version emscripten "$(dpkg-query -W -f='${Version}' emscripten | sed 's/~.*//')" 3.1.6
# The browser tests drive Debian's chromium (never a browser downloaded by a
# test tool): OPFS sync access handles need Chromium 108 or later.
need_version chromium "$(dpkg-query -W -f='${Version}' chromium | sed 's/[-~].*//')" 108

# npm packages (bench peers, test tools) once package-lock.json lists any.
if [[ -f package-lock.json ]] && grep -q '"node_modules/' package-lock.json; then
  if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
