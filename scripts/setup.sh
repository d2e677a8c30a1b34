#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need on a fresh machine (idempotent):
# the wasm32 Rust target and rust-src, wasm-bindgen-cli at the exact version in Cargo.lock, the npm
# dev dependencies (binaryen's wasm-opt, the official SDK signer, playwright-core), and
# Debian's chromium + chromedriver for the browser tests (never a downloaded browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
# rust-src: scripts/build.sh rebuilds std for the shipped module (panic = immediate-abort).
rustup component add rust-src >/dev/null 2>&1 || rustup component add rust-src

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing wasm-bindgen-cli $want (found '${have:-none}'; ~3 min)"
  # No --locked: its lockfile pins a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$want" --quiet
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${TC3_SKIP_BROWSER:-0}" != 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  echo "setup: installing Debian chromium + chromium-driver"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
echo "setup: ok (wasm-bindgen $want, node $(node --version))"
