#!/usr/bin/env bash
# Builds the WebAssembly flavours of core into js/dist/ (node: CommonJS glue,
# web: ES6 glue) and copies the JS storage backends next to them.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's emscripten finds acorn and other tools through NODE_PATH.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
libb2="$(bash scripts/fetch-libb2.sh)"
emcmake cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCAIRN_LIBB2_DIR="$libb2" -DCAIRN_WASM_OUT="$PWD/js/dist" >/dev/null
cmake --build build/wasm -j "$(nproc)"
mkdir -p js/dist/backends
cp storage-backends/node/node-storage.js storage-backends/memory/memory-storage.js \
  storage-backends/opfs/opfs-storage.js storage-backends/idb/idb-storage.js \
  storage-backends/web/web-storage-common.js js/dist/backends/
