// The wasm instance a package entry creates when it is first imported. Each entry (pkg/node.js…)
// bundles its own copy of the glue (scripts/entries.mjs), so no other module shares its instance:
// a test that scans the entry's wasm memory captures the instance on the way. Import this module
// BEFORE the entry (ES modules run in import order); the first `new WebAssembly.Instance` after
// it is kept (an entry's top-level initSync), and WebAssembly.Instance is restored right away.
const Real = WebAssembly.Instance;
let captured = null;
function Capturing(module, imports) {
  const instance = new Real(module, imports);
  captured ??= instance;
  WebAssembly.Instance = Real;
  return instance;
}
Capturing.prototype = Real.prototype; // `instanceof WebAssembly.Instance` still holds
WebAssembly.Instance = /** @type {any} */ (Capturing);

/** That instance's memory (the raw export names are minified: found by type). */
export function entryMemory() {
  if (!captured) throw new Error("no entry was instantiated after tests/support/entry-instance.js was imported");
  return Object.values(captured.exports).find((v) => v instanceof WebAssembly.Memory);
}
