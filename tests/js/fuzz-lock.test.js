// fuzz/ is its own cargo workspace (the root build never sees it), so nothing rewrites its
// Cargo.lock when the crate's dependencies change — until someone runs scripts/fuzz.sh, whose
// first build then leaves a modified tracked file behind (issue #20: it still listed web-sys,
// wasm-bindgen-futures and tokio long after they were dropped). `cargo tree --locked` resolves
// the fuzz crate and refuses to touch the lock: it fails exactly when a build would rewrite it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LOCK = `${ROOT}fuzz/Cargo.lock`;

function cargoTree(offline) {
  const args = ["tree", "--locked", "--manifest-path", "fuzz/Cargo.toml", "-e", "normal", "--prefix", "none"];
  if (offline) args.push("--offline");
  return spawnSync("cargo", args, { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
}

test("fuzz/Cargo.lock is what cargo would write for the fuzz crate (a fuzz build leaves the tree clean)", { timeout: 240_000 }, () => {
  const before = readFileSync(LOCK, "utf8");
  let r = cargoTree(true);
  // Offline needs the registry index cached; a fresh machine fetches it (crates.io only).
  if (r.status !== 0 && !/cannot update the lock file/.test(r.stderr)) r = cargoTree(false);
  assert.equal(readFileSync(LOCK, "utf8"), before, "--locked must not have written the lock");
  assert.ok(
    !/cannot update the lock file/.test(r.stderr),
    "fuzz/Cargo.lock is stale: run `cargo tree --manifest-path fuzz/Cargo.toml` and commit fuzz/Cargo.lock",
  );
  assert.equal(r.status, 0, r.stderr);
  // What it resolved is the crate under test and the fuzzing harness.
  for (const name of ["tc3-edge", "libfuzzer-sys", "arbitrary"]) assert.match(r.stdout, new RegExp(`^${name} v`, "m"), name);
});
