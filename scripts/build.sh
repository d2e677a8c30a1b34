#!/usr/bin/env bash
# Builds the npm package into pkg/gen/: cargo (release, wasm32) -> wasm-bindgen (--target web,
# the version pinned in Cargo.lock) -> wasm-opt from npm `binaryen` (never Debian's: its
# binaryen 108 emits modules that fail at init).
set -euo pipefail
cd "$(dirname "$0")/.."

# The shipped module is built with panic = immediate-abort: a panic (there should be none —
# every input error is a typed Result) traps at once instead of going through std's panic
# machinery, whose message formatting kept core::fmt and ~15 KB of code alive (measured:
# 146 -> 131 KB raw, -8 KB gzip). That strategy needs core/std rebuilt from rust-src
# (-Zbuild-std) and, on a stable toolchain, RUSTC_BOOTSTRAP=1 for the -Z flags. It has the
# same observable behaviour as panic = "abort" on wasm32-unknown-unknown, whose std prints
# panic messages nowhere. TC3_PLAIN_STD=1 builds with the prebuilt std instead (bigger).
# -Zlocation-detail=none: a panic's location (file, line) is never printed either, so its file
# names — absolute paths of the build machine's toolchain and registry — would be dead bytes in
# the module (-0.35 KB gzip; tests/js/bundle.test.js checks none is shipped).
# Separate target dir: the tests' wasm32 builds use the prebuilt std and would otherwise
# invalidate this one every time.
# TC3_PKG_DIR: build into a copy of pkg/ elsewhere (bench/ab.mjs compares such copies);
# TC3_TARGET_DIR: its cargo target dir (a build with other settings must not share one).
pkg_dir=${TC3_PKG_DIR:-pkg}
target_dir=${TC3_TARGET_DIR:-target/pkg}
if [ "$pkg_dir" != pkg ]; then
  mkdir -p "$pkg_dir/sign"
  cp pkg/*.d.ts pkg/package.json "$pkg_dir/"
  cp pkg/sign/*.d.ts "$pkg_dir/sign/"
fi
# RUSTFLAGS is always set here (it replaces .cargo/config.toml's rustflags, so +simd128 is
# repeated). TC3_NO_SIMD=1 and CARGO_PROFILE_RELEASE_OPT_LEVEL=… exist for bench/ab.mjs.
simd="-C target-feature=+simd128"
[ "${TC3_NO_SIMD:-0}" = 1 ] && simd=""
if [ "${TC3_PLAIN_STD:-0}" != 1 ] && [ ! -f "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std/Cargo.toml" ]; then
  echo "build: rust-src is missing for $(rustc --version) (needed to rebuild std): run 'rustup component add rust-src', or build with TC3_PLAIN_STD=1 (bigger module)" >&2
  exit 1
fi
cargo_build() {
  if [ "${TC3_PLAIN_STD:-0}" = 1 ]; then
    RUSTFLAGS="$simd" cargo build --quiet --release --target wasm32-unknown-unknown --lib --target-dir "$target_dir" "$@"
  else
    # --cfg tc3_size: opt-level "z" for the functions off the hot path (src/lib.rs).
    RUSTC_BOOTSTRAP=1 RUSTFLAGS="$simd --cfg tc3_size -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
      cargo build --quiet --release --target wasm32-unknown-unknown --lib --target-dir "$target_dir" \
      -Zbuild-std=std,panic_abort "$@"
  fi
}

# wasm-bindgen (--target web) -> wasm-opt (-Oz; --strip-* here rather than `strip = true` in
# Cargo.toml, which would drop the target-features section wasm-bindgen reads) -> the glue, the js/
# modules and the drivers bundled into one minified tc3_edge.js (TC3_NO_MINIFY=1: unminified).
bindgen() {
  wasm-bindgen --target web --out-dir "$1" --out-name tc3_edge "$target_dir/wasm32-unknown-unknown/release/tc3_edge.wasm"
  # --one-caller-inline-max-function-size=20: -Oz alone inlines a function called from one place
  # only when it is tiny; inlining those up to 20 instructions lets the optimiser fold their
  # argument packing and checks into the caller (full module -1.9 KB gzip, bench/LEVERS.md).
  # Short names (scripts/wasm-names.mjs): the exports the glue never reads are removed
  # (wasm-bindgen's runtime statics `__abort_handler`, `__instance_terminated`), then every
  # import, export and the import module get names of 1-2 letters; wasm-opt prints the mapping,
  # which scripts/minify.mjs applies to the glue (and fails on anything it cannot match).
  unused=$(node scripts/wasm-names.mjs prepare "$1")
  node_modules/.bin/wasm-opt ${unused:+--remove-exports --pass-arg "remove-exports@$unused"} \
    -Oz --one-caller-inline-max-function-size=20 --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-simd --enable-reference-types --enable-multivalue --enable-mutable-globals \
    --strip-debug --strip-producers --minify-imports-and-exports-and-modules \
    "$1/tc3_edge_bg.wasm" -o "$1/tc3_edge_bg.wasm" > "$1/names.json"
  rm -f "$1/.gitignore" "$1/package.json"
  node scripts/minify.mjs "$1"
}

# Build into a fresh folder and swap it in at the end, so a page or test using pkg/ never sees
# a half-written package (new glue beside the old wasm).
out=$(mktemp -d "$pkg_dir/.gen-XXXXXX")
entries=$(mktemp -d "$pkg_dir/.gen-entries-XXXXXX")
trap 'rm -rf "$out" "$entries"' EXIT
# The full module (CvmClient + signRequest): pkg/gen/.
cargo_build
# The call path's driver (js/driver.js) and the export waiter's (js/wait.js): bundled into the
# glue by scripts/minify.mjs.
cp js/driver.js "$out/driver.js"
cp js/wait.js "$out/wait.js"
cp js/channel.js "$out/channel.js"
cp js/codes.js "$out/codes.js"
bindgen "$out"
# The sign-only module (signRequest alone, ~1/3 of the size): pkg/gen/sign/, loaded by the
# `tc3-edge/sign` entries.
cargo_build --no-default-features
bindgen "$out/sign"
# The runtime entries (pkg/*.js, pkg/sign/*.js): js/entries/ bundled with their module's glue
# (scripts/entries.mjs). Generated here; never edit them in pkg/.
node scripts/entries.mjs js/entries "$out" "$entries"
chmod -R a+rX "$out" "$entries"
rm -rf "$pkg_dir/.gen-old" && { [ ! -d "$pkg_dir/gen" ] || mv "$pkg_dir/gen" "$pkg_dir/.gen-old"; } &&
  mv "$out" "$pkg_dir/gen" && rm -rf "$pkg_dir/.gen-old"
# Right after the module they carry the glue of (a page loading in between may see a mismatch
# for an instant, and fail loudly at instantiation).
for f in node browser workerd sign/node sign/browser sign/workerd; do mv "$entries/$f.js" "$pkg_dir/$f.js"; done
echo "built $pkg_dir/gen: $(wc -c < "$pkg_dir/gen/tc3_edge_bg.wasm") bytes of wasm; $pkg_dir/gen/sign: $(wc -c < "$pkg_dir/gen/sign/tc3_edge_bg.wasm")"
