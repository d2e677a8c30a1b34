// The package's generated JS (scripts/minify.mjs): one self-contained bundle per wasm module,
// minified without esbuild's keepNames, yet every public class keeps its name.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

const PKG = new URL("../../pkg/", import.meta.url);

test("each module ships one JS file with no imports of its own (glue, js/ modules and drivers bundled)", () => {
  for (const dir of ["gen/", "gen/sign/"]) {
    const js = readdirSync(new URL(dir, PKG)).filter((f) => f.endsWith(".js"));
    assert.deepEqual(js, ["tc3_edge.js"], dir);
    const src = readFileSync(new URL(`${dir}tc3_edge.js`, PKG), "utf8");
    assert.doesNotMatch(src, /\bimport\s*[\w{*]|\bimport\(|\bfrom\s*["']/, `${dir}tc3_edge.js imports another module`);
  }
});

test("the public classes keep their names after minification", async () => {
  const full = await import(new URL("node.js", PKG).href);
  const sign = await import(new URL("sign/node.js", PKG).href);
  assert.equal(full.CvmClient.name, "CvmClient");
  assert.equal(full.SlidingWindow.name, "SlidingWindow");
  assert.equal(full.TencentCloudClient.name, "TencentCloudClient");
  assert.equal(full.TencentCloudError.name, "TencentCloudError");
  assert.equal(sign.TencentCloudError.name, "TencentCloudError");
  let err;
  try {
    new full.CvmClient({});
  } catch (e) {
    err = e;
  }
  assert.equal(err?.constructor.name, "TencentCloudError");
  assert.equal(err?.name, "TencentCloudError");
});

test("the shipped modules carry no source paths (panic locations, build-machine directories)", () => {
  // build.sh builds with -Zlocation-detail=none: panic = immediate-abort never prints a panic's
  // location, so its file names (~0.35 KB gzip, absolute paths of the build machine) are dead bytes.
  for (const file of ["gen/tc3_edge_bg.wasm", "gen/sign/tc3_edge_bg.wasm"]) {
    const text = readFileSync(new URL(file, PKG)).toString("latin1");
    assert.doesNotMatch(text, /[\w-]+\.rs\b/, `${file} names a Rust source file`);
    assert.doesNotMatch(text, /\/(?:root|home|work|tmp|Users)\/|\.cargo\/registry|rustlib\/src/, `${file} holds a build-machine path`);
  }
});
