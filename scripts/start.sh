#!/usr/bin/env bash
# npm start: set up, build, walk through the CLI against ./cairn-data, then
# serve the web demo (web-demo/) on http://127.0.0.1:8080/ (PORT overrides)
# until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
bash scripts/walkthrough.sh build/release/cairn ./cairn-data
bash scripts/build-wasm.sh
exec node web-demo/server.js "${PORT:-8080}"
