#!/usr/bin/env bash
# Builds the npm package into pkg/gen/: cargo (release, wasm32) -> wasm-bindgen (--target web,
# the version pinned in Cargo.lock) -> wasm-opt from npm `binaryen` (never Debian's: its
# binaryen 108 emits modules that fail at init).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --target wasm32-unknown-unknown --lib
rm -rf pkg/gen
wasm-bindgen --target web --out-dir pkg/gen --out-name tc3_edge \
  target/wasm32-unknown-unknown/release/tc3_edge.wasm
# -Oz for size; --strip-* here rather than `strip = true` in Cargo.toml, which would drop the
# target-features section wasm-bindgen reads.
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
  --strip-debug --strip-producers pkg/gen/tc3_edge_bg.wasm -o pkg/gen/tc3_edge_bg.wasm
# The wasm-bindgen glue writes its own package.json/.gitignore? Keep only what the package ships.
rm -f pkg/gen/.gitignore pkg/gen/package.json
echo "built pkg/gen: $(wc -c < pkg/gen/tc3_edge_bg.wasm) bytes of wasm"
