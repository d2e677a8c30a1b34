#!/usr/bin/env bash
# The main job: build the package, start the local CVM API emulator (which also serves the
# demo page and the package) on loopback, and print the URL. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
TC3_SKIP_BROWSER=1 scripts/setup.sh
scripts/build.sh
port=${PORT:-8787}
echo
echo "  tc3-edge demo: open http://127.0.0.1:${port}/  (test account prefilled; no Tencent Cloud account needed)"
echo "  Ctrl-C to stop."
echo
exec node emulator/cli.js --port "$port"
