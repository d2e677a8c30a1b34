#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need on a fresh machine (idempotent):
# the wasm32 Rust target and rust-src, wasm-bindgen-cli at the exact version in Cargo.lock, the npm
# dev dependencies (binaryen's wasm-opt, the official SDK signer, playwright-core), and
# Debian's chromium + chromedriver for the browser tests (never a downloaded browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# The pinned compiler (rust-toolchain.toml), with the wasm32 target and rust-src
# (scripts/build.sh rebuilds std for the shipped module: panic = immediate-abort).
pin=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup toolchain list | grep -q "^$pin-"; then
  stable=$(rustup run stable rustc --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$stable" = "$pin" ]; then
    # The machine's stable toolchain IS the pinned version: use it under the pinned name
    # rather than downloading a second copy.
    # (`rustup toolchain link` refuses version-like names, so the link is made by hand.)
    host=$(rustup run stable rustc -vV | sed -n 's/^host: //p')
    echo "setup: using the installed stable toolchain ($stable) as $pin-$host"
    ln -s "$(rustup run stable rustc --print sysroot)" "${RUSTUP_HOME:-$HOME/.rustup}/toolchains/$pin-$host"
  else
    echo "setup: installing the pinned Rust toolchain $pin (rust-toolchain.toml)"
    rustup toolchain install "$pin" --profile minimal
  fi
fi
# On a linked toolchain rustup cannot add components: add them to the toolchain it points at.
real=$(rustup run "$pin" rustc --print sysroot)
toolchain=$pin
for dir in "${RUSTUP_HOME:-$HOME/.rustup}"/toolchains/*; do
  if [ ! -L "$dir" ] && [ "$(cd "$dir" && pwd -P)" = "$(cd "$real" && pwd -P)" ]; then toolchain=$(basename "$dir"); fi
done
rustup target add --toolchain "$toolchain" wasm32-unknown-unknown >/dev/null 2>&1 ||
  rustup target add --toolchain "$toolchain" wasm32-unknown-unknown
rustup component add --toolchain "$toolchain" rust-src rustfmt clippy >/dev/null 2>&1 ||
  rustup component add --toolchain "$toolchain" rust-src rustfmt clippy

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
# wasm-bindgen-cli is built with its test runner's HTTP server fixed: tiny_http 0.12.0 strands a
# connection of a burst, which hung the Chromium wasm-bindgen-test stage (the why is in the
# patch). The stamp holds the installed runner's hash, so a runner installed since without the
# patch (a plain `cargo install`) is noticed and rebuilt.
patch_file=scripts/patches/tiny_http-0.12.0-task-pool.patch
stamp="${CARGO_HOME:-$HOME/.cargo}/tc3-edge-wasm-bindgen-cli-$want-$(sha256sum "$patch_file" | cut -c1-16)"
runner=$(command -v wasm-bindgen-test-runner || true)
if [ "$have" != "$want" ] || [ ! -f "$stamp" ] || [ -z "$runner" ] ||
   [ "$(cat "$stamp")" != "$(sha256sum < "$runner" | cut -d' ' -f1)" ]; then
  echo "setup: installing wasm-bindgen-cli $want with $patch_file (found '${have:-none}'; ~4 min)"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # tiny_http's registry source: `cargo metadata` of a scratch crate that depends on it downloads
  # and unpacks it, and names its manifest.
  mkdir -p "$work/get/src" && : > "$work/get/src/lib.rs"
  printf '[package]\nname = "get"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\ntiny_http = "=0.12.0"\n' > "$work/get/Cargo.toml"
  manifest=$(cargo metadata --manifest-path "$work/get/Cargo.toml" --format-version 1 |
    node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(m.packages.find((p) => p.name === "tiny_http").manifest_path)')
  cp -r "$(dirname "$manifest")" "$work/tiny_http"
  git -C "$work/tiny_http" apply "$PWD/$patch_file"
  # No --locked: its lockfile pins a crate version the registry mirror lacks.
  if ! cargo install wasm-bindgen-cli --version "$want" --force \
         --config "patch.crates-io.tiny_http.path=\"$work/tiny_http\"" > "$work/install.log" 2>&1 ||
     grep -q "was not used in the crate graph" "$work/install.log"; then
    cat "$work/install.log"
    echo "setup: wasm-bindgen-cli $want was not built with $patch_file"
    exit 1
  fi
  sha256sum < "$(command -v wasm-bindgen-test-runner)" | cut -d' ' -f1 > "$stamp"
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
