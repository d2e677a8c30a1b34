#!/usr/bin/env bash
# The main job: build the package, start the local CVM API emulator (which also serves the
# demo page, the package, COS and a Cloudflare Access stand-in) on loopback, and beside it the
# example Worker (examples/worker) in workerd via Miniflare, signed in through that stand-in.
# Prints both URLs. No credentials: every key is the emulator's test value. Ctrl-C stops both.
#   PORT (default 8787): the emulator and the page;  WORKER_PORT (default 8788): the Worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
TC3_SKIP_BROWSER=1 scripts/setup.sh
scripts/build.sh
port=${PORT:-8787}
worker_port=${WORKER_PORT:-8788}

node emulator/cli.js --port "$port" --worker-url "http://127.0.0.1:${worker_port}" &
emulator=$!
worker=
stop() {
  [ -n "$worker" ] && kill "$worker" 2>/dev/null || true
  kill "$emulator" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

# The Worker verifies tokens against the emulator's certs: start it once the emulator answers.
for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:${port}/cdn-cgi/access/certs').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then break; fi
  kill -0 "$emulator" 2>/dev/null || { echo "the emulator did not start (is port ${port} free?)" >&2; exit 1; }
  sleep 0.1
done
node scripts/worker-local.mjs --emulator "http://127.0.0.1:${port}" --port "$worker_port" &
worker=$!
for _ in $(seq 1 300); do
  if node -e "fetch('http://127.0.0.1:${worker_port}/exports',{method:'OPTIONS'}).then(()=>process.exit(0),()=>process.exit(1))"; then break; fi
  kill -0 "$worker" 2>/dev/null || { echo "the Worker did not start (is port ${worker_port} free?)" >&2; exit 1; }
  sleep 0.2
done

echo
echo "  tc3-edge demo: open http://127.0.0.1:${port}/  (test account prefilled; no Tencent Cloud account needed)"
echo "  example Worker (workerd): http://127.0.0.1:${worker_port}/  (POST /export-images, GET /exports, GET /exports/{TaskId})"
echo "    signed in as the emulator's test user: the page gets a token from http://127.0.0.1:${port}/__access/token"
echo "    and sends it as Cf-Access-Jwt-Assertion"
echo "  Ctrl-C to stop."
echo
wait -n "$emulator" "$worker"
