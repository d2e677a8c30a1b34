#!/usr/bin/env bash
# Builds the npm package into pkg/gen/: cargo (release, wasm32) -> wasm-bindgen (--target web,
# the version pinned in Cargo.lock) -> wasm-opt from npm `binaryen` (never Debian's: its
# binaryen 108 emits modules that fail at init).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --target wasm32-unknown-unknown --lib
# Build into a fresh folder and swap it in at the end, so a page or test using pkg/ never sees
# a half-written package (new glue beside the old wasm).
out=$(mktemp -d pkg/.gen-XXXXXX)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --out-dir "$out" --out-name tc3_edge \
  target/wasm32-unknown-unknown/release/tc3_edge.wasm
# -Oz for size; --strip-* here rather than `strip = true` in Cargo.toml, which would drop the
# target-features section wasm-bindgen reads.
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-simd --enable-reference-types --enable-multivalue --enable-mutable-globals \
  --strip-debug --strip-producers "$out/tc3_edge_bg.wasm" -o "$out/tc3_edge_bg.wasm"
rm -f "$out/.gitignore" "$out/package.json"
chmod 755 "$out"
rm -rf pkg/.gen-old && { [ ! -d pkg/gen ] || mv pkg/gen pkg/.gen-old; } && mv "$out" pkg/gen && rm -rf pkg/.gen-old
echo "built pkg/gen: $(wc -c < pkg/gen/tc3_edge_bg.wasm) bytes of wasm"
