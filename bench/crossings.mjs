// Counts JS↔wasm boundary crossings per call, on a private, instrumented copy of tc3-edge.
//
// The wasm-bindgen glue is imported a second time under another URL (`?instrumented`), which
// gives a separate module instance with its own wasm instance and memory; while it
// instantiates, `WebAssembly.Instance` is swapped for one that wraps every import (wasm → JS
// call) and every exported function (JS → wasm call) with a counter. The package's own
// instance, the one the throughput numbers come from, is never touched. The counts are exact;
// this copy is slower and is never timed.
import { readFileSync } from "node:fs";

const strip = (name) => name.replace(/_[0-9a-f]{16}$/, "").replace(/^__wbg_/, "");

/** Loads an instrumented copy. Returns { mod, counts(), reset() }. */
export async function instrumentedCopy(pkgDir) {
  // The module's import/export names are minified (scripts/wasm-names.mjs); the build keeps the
  // mapping beside it, which gives the counts their wasm-bindgen names back.
  const original = new Map();
  try {
    const mapping = JSON.parse(readFileSync(new URL("gen/wasm-names.json", pkgDir), "utf8"));
    for (const [, name, to] of mapping.imports) original.set(`i:${to}`, name);
    for (const [name, to] of mapping.exports) original.set(`e:${to}`, name);
  } catch {
    // An older build (long names): nothing to translate.
  }
  const importName = (name) => strip(original.get(`i:${name}`) ?? name);
  const exportName = (name) => strip(original.get(`e:${name}`) ?? name);
  const glueUrl = new URL(`gen/tc3_edge.js?instrumented=${Date.now()}`, pkgDir);
  const mod = await import(glueUrl.href);
  const imports = new Map();
  const exports = new Map();
  const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
  const RealInstance = WebAssembly.Instance;
  function CountingInstance(module, importObject) {
    const wrapped = {};
    for (const [ns, fns] of Object.entries(importObject)) {
      wrapped[ns] = {};
      for (const [name, f] of Object.entries(fns)) {
        const k = importName(name);
        wrapped[ns][name] = typeof f === "function" ? (...a) => { bump(imports, k); return f(...a); } : f;
      }
    }
    const instance = new RealInstance(module, wrapped);
    const ex = {};
    for (const [name, v] of Object.entries(instance.exports)) {
      const k = exportName(name);
      ex[name] = typeof v === "function" ? (...a) => { bump(exports, k); return v(...a); } : v;
    }
    return { exports: ex };
  }
  WebAssembly.Instance = CountingInstance;
  try {
    mod.initSync({ module: readFileSync(new URL("gen/tc3_edge_bg.wasm", pkgDir)) });
  } finally {
    WebAssembly.Instance = RealInstance;
  }
  // The call path's driver (bundled into the glue), installed on this copy's class as the
  // package entries do.
  if (mod.installCallPath) mod.installCallPath(mod.CvmClient, mod.__memory(), mod.__errorClass());
  const snapshot = () => ({
    imports: Object.fromEntries([...imports].sort((a, b) => b[1] - a[1])),
    exports: Object.fromEntries([...exports].sort((a, b) => b[1] - a[1])),
    importCalls: [...imports.values()].reduce((a, b) => a + b, 0),
    exportCalls: [...exports.values()].reduce((a, b) => a + b, 0),
  });
  return {
    mod,
    reset() { imports.clear(); exports.clear(); },
    counts: snapshot,
  };
}

/** Per-call crossing counts of `fn` (sync or async): the average over `n` calls after a warm-up. */
export async function crossingsPerCall(copy, fn, n = 10) {
  for (let i = 0; i < 3; i++) await fn();
  copy.reset();
  for (let i = 0; i < n; i++) await fn();
  const c = copy.counts();
  const per = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v / n]));
  return {
    importCalls: c.importCalls / n,
    exportCalls: c.exportCalls / n,
    imports: per(c.imports),
    exports: per(c.exports),
  };
}
