// The package's generated JS (scripts/minify.mjs): one self-contained bundle per wasm module,
// minified without esbuild's keepNames, yet every public class keeps its name; the modules'
// import and export names shortened by wasm-opt, and the glue rewritten to match
// (scripts/wasm-names.mjs).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

const PKG = new URL("../../pkg/", import.meta.url);

test("each module has one glue bundle with no imports of its own (glue, js/ modules and drivers bundled)", () => {
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

const MODULES = ["gen/", "gen/sign/"];
const wasmOf = (dir) => new WebAssembly.Module(readFileSync(new URL(`${dir}tc3_edge_bg.wasm`, PKG)));

test("the shipped modules' imports, exports and import module have short names (no `__wbg_…_<hash>`)", () => {
  for (const dir of MODULES) {
    const module = wasmOf(dir);
    const names = [
      ...WebAssembly.Module.imports(module).flatMap((i) => [i.module, i.name]),
      ...WebAssembly.Module.exports(module).map((e) => e.name),
    ];
    assert.ok(names.length > 10, dir);
    const long = names.filter((n) => n.length > 2);
    assert.deepEqual(long, [], `${dir}tc3_edge_bg.wasm has long import/export names`);
    const text = readFileSync(new URL(`${dir}tc3_edge_bg.wasm`, PKG)).toString("latin1");
    assert.doesNotMatch(text, /__wbg_|__wbindgen_|tc3_edge_bg\.js|snippets\//, dir);
    const glue = readFileSync(new URL(`${dir}tc3_edge.js`, PKG), "utf8");
    assert.doesNotMatch(glue, /__wbg_\w+_[0-9a-f]{16}|__wbindgen_\w+|tc3_edge_bg\.js|snippets\//, `${dir}tc3_edge.js still names the long imports`);
  }
});

test("each entry is one file: no JS import (its glue bundled in), and it loads its own module's wasm", () => {
  for (const [entry, wasm] of [["node.js", "./gen/tc3_edge_bg.wasm"], ["browser.js", "./gen/tc3_edge_bg.wasm"], ["workerd.js", "./gen/tc3_edge_bg.wasm"],
    ["sign/node.js", "../gen/sign/tc3_edge_bg.wasm"], ["sign/browser.js", "../gen/sign/tc3_edge_bg.wasm"], ["sign/workerd.js", "../gen/sign/tc3_edge_bg.wasm"]]) {
    const src = readFileSync(new URL(entry, PKG), "utf8");
    assert.doesNotMatch(src, /\bfrom\s*["'][^"']+\.js["']|\bimport\s*["']|\bimport\(/, `${entry} imports a JS module`);
    const refs = new Set([...src.matchAll(/["']([^"']*\.wasm)["']/g)].map((m) => m[1]));
    assert.deepEqual([...refs], [wasm], `${entry} names ${[...refs]}`);
  }
  // workerd compiles the module at load: it must stay an import of the .wasm file.
  assert.match(readFileSync(new URL("workerd.js", PKG), "utf8"), /\bimport [\w$]+ from\s*"\.\/gen\/tc3_edge_bg\.wasm"/);
  assert.match(readFileSync(new URL("sign/workerd.js", PKG), "utf8"), /\bimport [\w$]+ from\s*"\.\.\/gen\/sign\/tc3_edge_bg\.wasm"/);
});

test("each entry's import object provides exactly what its module imports, and the module instantiates with it", async () => {
  const Real = WebAssembly.Instance;
  for (const [entry, dir] of [["node.js", "gen/"], ["sign/node.js", "gen/sign/"]]) {
    let given;
    // The entry instantiates at import (initSync: `new WebAssembly.Instance`); a fresh copy of it
    // (another URL) is imported with the import object captured on the way.
    WebAssembly.Instance = function (module, imports) {
      given = imports;
      return new Real(module, imports);
    };
    try {
      await import(new URL(`${entry}?imports-probe`, PKG).href);
    } finally {
      WebAssembly.Instance = Real;
    }
    assert.ok(given, `${entry}: no instantiation`);
    const wanted = new Map();
    for (const { module, name, kind } of WebAssembly.Module.imports(wasmOf(dir))) {
      (wanted.get(module) ?? wanted.set(module, new Map()).get(module)).set(name, kind);
    }
    assert.deepEqual(Object.keys(given).sort(), [...wanted.keys()].sort(), `${entry}: import modules`);
    for (const [module, names] of wanted) {
      assert.deepEqual(Object.keys(given[module]).sort(), [...names.keys()].sort(), `${entry}: imports of module ${module}`);
      for (const [name, kind] of names) assert.equal(kind === "function" ? typeof given[module][name] : kind, kind, `${entry}: ${module}.${name}`);
    }
  }
});

// Importing the package loads nothing of Node's own fetch (undici), crypto or zlib: a capability
// probe that built a `Request` at import time once did, ~10 ms of every cold start (BENCHMARKS.md's
// cold-start table). Checked in a fresh process, by what Node says it loaded.
test("importing an entry loads none of Node's fetch, crypto or zlib modules", () => {
  for (const entry of ["node.js", "sign/node.js"]) {
    const url = new URL(`../../pkg/${entry}`, import.meta.url).href;
    const loaded = execFileSync(process.execPath, ["--input-type=module", "-e",
      `await import(${JSON.stringify(url)}); console.log(JSON.stringify(process.moduleLoadList))`], { encoding: "utf8" });
    const heavy = JSON.parse(loaded).filter((m) => /undici|crypto|zlib/.test(m));
    assert.deepEqual(heavy, [], `${entry} loaded ${heavy.join(", ")}`);
  }
});
