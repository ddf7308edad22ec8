#!/usr/bin/env bash
# npm start: set up, build, and walk through the CLI against ./cairn-data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
bash scripts/walkthrough.sh build/release/cairn ./cairn-data
