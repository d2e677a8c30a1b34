// scripts/wasm-names.mjs: the glue rewritten for the module whose import/export names wasm-opt
// shortened. A glue in wasm-bindgen 0.2.130's shape and a hand-assembled module stand in for the
// real ones (tests/js/bundle.test.js checks the shipped pair); every mismatch between the glue
// and the mapping must stop the build, never ship.
import assert from "node:assert/strict";
import { test } from "node:test";
import { shortenNames, shortenTypings } from "../../scripts/wasm-names.mjs";

/** A module importing `imports` ([module, name]) and exporting `exports` (functions, no-ops). */
function moduleWith(imports, exports) {
  const str = (s) => [s.length, ...Buffer.from(s)];
  const section = (id, items) => {
    const body = [items.length, ...items.flat()];
    return [id, body.length, ...body];
  };
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [[0x60, 0x00, 0x00]]),
    ...section(2, imports.map(([m, n]) => [...str(m), ...str(n), 0x00, 0x00])),
    ...section(3, exports.map(() => [0x00])),
    ...section(7, exports.map((n, i) => [...str(n), 0x00, imports.length + i])),
    ...section(10, exports.map(() => [0x02, 0x00, 0x0b])),
  ];
  return new WebAssembly.Module(new Uint8Array(bytes));
}

// The parts of wasm-bindgen's --target web glue the rewrite touches.
const GLUE = `import * as import1 from "./snippets/x/js/boundary.js"

export function signRequest(input) {
    const ret = wasm.signRequest(input);
    return ret;
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_now_463ac581d2fc7ea3: function() {
            const ret = Date.now();
            return ret;
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
        },
    };
    return {
        __proto__: null,
        "./tc3_edge_bg.js": import0,
        "./snippets/x/js/boundary.js": import1,
    };
}
let wasmModule, wasmInstance, wasm;
function __wbg_finalize_init(instance, module) {
    wasm = instance.exports;
    wasm.__wbindgen_start();
    return wasm;
}
`;
const BEFORE = [["./tc3_edge_bg.js", "__wbg_now_463ac581d2fc7ea3"], ["./tc3_edge_bg.js", "__wbindgen_init_externref_table"], ["./snippets/x/js/boundary.js", "errorClass"]];
const MAPPING = {
  imports: [
    ["./tc3_edge_bg.js", "__wbg_now_463ac581d2fc7ea3", "a"],
    ["./tc3_edge_bg.js", "__wbindgen_init_externref_table", "b"],
    ["./snippets/x/js/boundary.js", "errorClass", "c"],
  ],
  exports: [["signRequest", "d"], ["__wbindgen_externrefs", "e"], ["__wbindgen_start", "f"]],
};
const MODULE = moduleWith([["a", "a"], ["a", "b"], ["a", "c"]], ["d", "e", "f"]);

test("the glue follows the mapping: import keys, the snippets' functions, the module name, every export read", () => {
  const { glue, dropped } = shortenNames(GLUE, MAPPING, MODULE, BEFORE);
  assert.deepEqual(dropped, []);
  assert.match(glue, /\n        c: import1\.errorClass,\n/);
  assert.match(glue, /\n        a: function\(\) \{\n            const ret = Date\.now\(\);/);
  assert.match(glue, /\n        b: function\(\) \{\n            const table = wasm\.e;/);
  assert.match(glue, /return \{ __proto__: null, "a": import0 \};/);
  assert.match(glue, /const ret = wasm\.d\(input\);/);
  assert.match(glue, /wasm\.f\(\);/);
  // The snippet stays imported (esbuild bundles it); nothing else names the long imports.
  assert.ok(glue.startsWith('import * as import1 from "./snippets/x/js/boundary.js"\n'));
  assert.doesNotMatch(glue.slice(glue.indexOf("\n")), /__wbg_now|__wbindgen_|tc3_edge_bg\.js|"\.\/snippets/);
});

test("an import wasm-opt removed as dead is dropped from the glue; one the module never had fails", () => {
  const mapping = { ...MAPPING, imports: MAPPING.imports.filter(([, n]) => n !== "__wbg_now_463ac581d2fc7ea3") };
  const module = moduleWith([["a", "b"], ["a", "c"]], ["d", "e", "f"]);
  const { glue, dropped } = shortenNames(GLUE, mapping, module, BEFORE);
  assert.deepEqual(dropped, ["__wbg_now_463ac581d2fc7ea3"]);
  assert.doesNotMatch(glue, /Date\.now/);
  assert.throws(() => shortenNames(GLUE, mapping, module, BEFORE.slice(1)), /provides import __wbg_now_463ac581d2fc7ea3, which the module never imported/);
});

test("every mismatch fails the build", () => {
  const without = (list, name) => list.filter((e) => !e.includes(name));
  // The glue reads an export the mapping lacks (the module would fail at that call).
  assert.throws(() => shortenNames(GLUE, { ...MAPPING, exports: without(MAPPING.exports, "__wbindgen_start") }, moduleWith([["a", "a"], ["a", "b"], ["a", "c"]], ["d", "e"]), BEFORE),
    /reads export __wbindgen_start, which the mapping lacks/);
  // A mapping entry the glue never uses.
  assert.throws(() => shortenNames(GLUE, { ...MAPPING, exports: [...MAPPING.exports, ["cvmclient_new", "g"]] }, moduleWith([["a", "a"], ["a", "b"], ["a", "c"]], ["d", "e", "f", "g"]), BEFORE),
    /export cvmclient_new is in the mapping but the glue never reads it/);
  // The mapping names an export the module does not have.
  assert.throws(() => shortenNames(GLUE, MAPPING, moduleWith([["a", "a"], ["a", "b"], ["a", "c"]], ["d", "e"]), BEFORE), /gives export f, which the module lacks/);
  // The module imports something the glue does not provide.
  assert.throws(() => shortenNames(GLUE, { ...MAPPING, imports: [...MAPPING.imports, ["./tc3_edge_bg.js", "__wbg_fetch_0123456789abcdef", "g"]] }, moduleWith([["a", "a"], ["a", "b"], ["a", "c"], ["a", "g"]], ["d", "e", "f"]), BEFORE),
    /imports __wbg_fetch_0123456789abcdef, which the glue does not provide/);
  assert.throws(() => shortenNames(GLUE, { ...MAPPING, imports: [...MAPPING.imports, ["./snippets/y/js/other.js", "f", "g"]] }, MODULE, BEFORE),
    /imports f from \.\/snippets\/y\/js\/other\.js, which the glue does not provide/);
  // The minified module imports a name the mapping does not give.
  assert.throws(() => shortenNames(GLUE, MAPPING, moduleWith([["a", "a"], ["a", "b"], ["a", "c"], ["a", "z"]], ["d", "e", "f"]), BEFORE), /imports z, which the mapping does not give/);
  // Exports read some other way than `wasm.<name>`.
  assert.throws(() => shortenNames(GLUE.replace("wasm.__wbindgen_start();", "instance.exports.__wbindgen_start();"), MAPPING, MODULE, BEFORE), /reads exports other than through `wasm`|never reads it/);
  assert.throws(() => shortenNames(GLUE.replace("wasm.__wbindgen_start();", "const w = wasm; w.__wbindgen_start();"), MAPPING, MODULE, BEFORE), /uses `wasm` other than/);
  // A glue whose import object is not where wasm-bindgen 0.2.130 puts it.
  assert.throws(() => shortenNames(GLUE.replace('"./tc3_edge_bg.js": import0,', '"./tc3_edge_bg.js": import0, // moved'), MAPPING, MODULE, BEFORE), /import object/);
});

test("the raw exports' typings are renamed; a removed export loses its line; an unknown one fails", () => {
  const dts = "export interface InitOutput {\n    readonly signRequest: (a: any) => number;\n    readonly __abort_handler: WebAssembly.Global;\n    readonly __wbindgen_externrefs: WebAssembly.Table;\n    readonly __wbindgen_start: () => void;\n}\n";
  const out = shortenTypings(dts, MAPPING, ["signRequest", "__abort_handler", "__wbindgen_externrefs", "__wbindgen_start"], "interface");
  assert.equal(out, "export interface InitOutput {\n    readonly d: (a: any) => number;\n    readonly e: WebAssembly.Table;\n    readonly f: () => void;\n}\n");
  assert.throws(() => shortenTypings(dts, MAPPING, ["signRequest", "__wbindgen_externrefs", "__wbindgen_start"], "interface"), /__abort_handler, which the module never had/);
  const bg = "export const signRequest: (a: any) => number;\nexport const __wbindgen_externrefs: WebAssembly.Table;\nexport const __wbindgen_start: () => void;\n";
  assert.equal(shortenTypings(bg, MAPPING, [], "module"), "export const d: (a: any) => number;\nexport const e: WebAssembly.Table;\nexport const f: () => void;\n");
});
