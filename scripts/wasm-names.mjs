// Short import/export names for the shipped wasm modules (scripts/build.sh, scripts/minify.mjs).
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` in module "./tc3_edge_bg.js"
// and each export after its Rust path (`cvmclient___waitStart`); the module and the glue both
// carry every name, and the hashes do not compress (~1.9 KB of import names, ~0.7 KB of export
// names in the full module). build.sh has wasm-opt rename them
// (--minify-imports-and-exports-and-modules, which prints the old -> new mapping) and this file
// rewrites wasm-bindgen's glue to match, before scripts/minify.mjs bundles it:
//   - the import object `__wbg_get_imports()` returns: its keys, the js/ snippets' functions the
//     module imports directly (`import * as import1 from "./snippets/…"`), and the module name;
//   - every `wasm.<export>` the glue reads.
// Anything the rewrite cannot account for fails the build: a name the glue uses that the mapping
// lacks, a mapping entry the glue never uses, an import the glue does not provide, a way of
// reading exports other than `wasm.<name>`. A module whose glue reads a missing export must never
// ship (it would fail at the first call of that method, not at load).
//
//   node scripts/wasm-names.mjs prepare <dir>  before wasm-opt: writes <dir>/before.json (the
//                                              module's imports and exports) and prints the exports
//                                              the glue never reads, comma-separated (build.sh
//                                              removes them)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";

const READ = /\bwasm\.([A-Za-z_$][\w$]*)/g;
const IDENT = /^[A-Za-z_$][\w$]*$/;

function fail(message) {
  throw new Error(`wasm-names: ${message}`);
}

/** The export names the glue reads (`wasm.<name>`). */
export function exportsRead(glue) {
  return new Set([...code(glue).matchAll(READ)].map((m) => m[1]));
}

/** The glue without its comments (wasm-bindgen's doc comments mention `wasm memory` and the like). */
function code(glue) {
  // minifyWhitespace only: it drops the comments (a plain transform keeps JSDoc ones) and keeps
  // names and syntax as written.
  return transformSync(glue, { loader: "js", format: "esm", legalComments: "none", minifyWhitespace: true }).code;
}

/** Exports of `module` the glue never reads: wasm-bindgen's runtime statics (`__abort_handler`, …). */
export function unusedExports(glue, module) {
  const read = exportsRead(glue);
  return WebAssembly.Module.exports(module).map((e) => e.name).filter((n) => !read.has(n));
}

/**
 * The glue rewritten for the minified module.
 * @param {string} glue wasm-bindgen's tc3_edge.js (--target web)
 * @param {{ imports: [string, string, string][], exports: [string, string][] }} mapping
 *   wasm-opt's printout: [module, name, new name] and [name, new name]
 * @param {WebAssembly.Module} module the minified module
 * @param {[string, string][]} before the module's imports before wasm-opt: [module, name]
 * @returns {{ glue: string, dropped: string[] }} the new glue, and the imports it no longer provides
 */
export function shortenNames(glue, mapping, module, before) {
  let src = glue;

  // The import object: `return { __proto__: null, "<module>": importN, … };`.
  const ret = /\n    return \{\n        __proto__: null,\n((?:        "[^"\n]+": import\d+,\n)+)    \};\n/.exec(src);
  if (!ret || src.indexOf(ret[0], ret.index + 1) !== -1) fail("the glue's import object (`return { __proto__: null, \"./tc3_edge_bg.js\": import0, … }`) is not where wasm-bindgen 0.2.130 puts it");
  const varOf = new Map([...ret[1].matchAll(/"([^"\n]+)": (import\d+),/g)].map((m) => [m[1], m[2]]));

  // One object literal (`const importN = { __proto__: null, name: function…, … };`, the glue's
  // own functions) and any namespace imports of js/ snippets (`import * as importN from "…"`).
  let literal = null;
  const namespaces = new Map();
  for (const [spec, v] of varOf) {
    const isLiteral = src.includes(`\n    const ${v} = {\n        __proto__: null,\n`);
    const isNamespace = src.includes(`import * as ${v} from ${JSON.stringify(spec)}`);
    if (isLiteral === isNamespace) fail(`cannot tell what ${v} (module ${spec}) is in the glue`);
    if (isLiteral) {
      if (literal) fail(`two import object literals (${literal.v}, ${v})`);
      literal = { spec, v };
    } else {
      namespaces.set(spec, v);
    }
  }
  if (!literal) fail("the glue has no import object literal");
  const start = src.indexOf(`\n    const ${literal.v} = {\n`);
  const end = src.indexOf("\n    };\n", start);
  let body = src.slice(start, end);

  const short = new Map(); // old import name (in the literal) -> new one
  const added = []; // entries for the snippets' functions
  const usedNamespaces = new Set();
  const dropped = [];
  const key = (n) => (IDENT.test(n) ? n : JSON.stringify(n));
  for (const [spec, name, to] of mapping.imports) {
    if (spec === literal.spec) {
      if (short.has(name)) fail(`import ${name} mapped twice`);
      short.set(name, to);
    } else if (namespaces.has(spec)) {
      const v = namespaces.get(spec);
      usedNamespaces.add(spec);
      added.push(`        ${key(to)}: ${v}${IDENT.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`},\n`);
    } else {
      fail(`the module imports ${name} from ${spec}, which the glue does not provide`);
    }
  }
  // The literal's properties, each `\n        name: …` up to the next one at the same indentation.
  // One the module no longer imports is dropped if the module imported it before wasm-opt (its
  // -Oz removes an import it proved dead, e.g. `__wbindgen_throw` in the sign-only module);
  // anything else the mapping does not cover fails.
  const wasImported = (spec, name) => before.some(([s, n]) => s === spec && n === name);
  const renamed = new Set();
  const props = body.split(/(?=\n        [\w$]+: )/);
  body = props.map((prop) => {
    const name = /^\n        ([\w$]+): /.exec(prop)?.[1];
    if (name === undefined || name === "__proto__") return prop;
    const to = short.get(name);
    if (to === undefined) {
      if (!wasImported(literal.spec, name)) fail(`the glue provides import ${name}, which the module never imported`);
      dropped.push(name);
      return "";
    }
    renamed.add(name);
    return prop.replace(`\n        ${name}: `, `\n        ${key(to)}: `);
  }).join("");
  for (const name of short.keys()) if (!renamed.has(name)) fail(`the module imports ${name}, which the glue does not provide`);
  for (const spec of namespaces.keys()) {
    if (!usedNamespaces.has(spec) && !before.some(([s]) => s === spec)) fail(`the glue provides module ${spec}, from which the module never imported`);
  }
  body = body.replace("        __proto__: null,\n", `        __proto__: null,\n${added.join("")}`);

  // All imports now come from one module, named by wasm-opt.
  const modules = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
  if (modules.size !== 1) fail(`the minified module imports from ${modules.size} modules, expected one`);
  const [newModule] = modules;
  const provided = new Set([...short.values(), ...mapping.imports.filter(([s]) => s !== literal.spec).map(([, , to]) => to)]);
  for (const { name } of WebAssembly.Module.imports(module)) if (!provided.has(name)) fail(`the minified module imports ${name}, which the mapping does not give`);

  src = src.slice(0, start) + body + src.slice(end);
  src = src.replace(ret[0], `\n    return { __proto__: null, ${JSON.stringify(newModule)}: ${literal.v} };\n`);

  // Exports: read only as `wasm.<name>`.
  const exportTo = new Map(mapping.exports);
  const actual = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const to of exportTo.values()) if (!actual.has(to)) fail(`the mapping gives export ${to}, which the module lacks`);
  const plain = code(src);
  // Besides `wasm.<export>`, the glue may only declare it, set it from the instance, test it and
  // return it (initSync's result, which the entries ignore).
  for (const m of plain.matchAll(/(?<![\w$./"'`-])wasm\b(?![.\w$-])/g)) {
    const left = plain.slice(Math.max(0, m.index - 12), m.index);
    const right = plain.slice(m.index + 4, m.index + 24);
    const ok = /^=instance\.exports;/.test(right) || /^[!=]==(?:void 0|undefined)/.test(right) ||
      (/\breturn $/.test(left) && /^[;}]/.test(right)) || (/(?:\blet |,)$/.test(left) && /^[;,]/.test(right));
    if (!ok) fail(`the glue uses \`wasm\` other than as \`wasm.<export>\`: …${left}wasm${right}…`);
  }
  if (/\bexports\s*[.[]/.test(plain.replace(/\bwasm=instance\.exports;/g, ""))) fail("the glue reads exports other than through `wasm`");
  const read = exportsRead(src); // in code, not in comments
  for (const name of read) if (!exportTo.has(name)) fail(`the glue reads export ${name}, which the mapping lacks`);
  src = src.replace(READ, (whole, name) => {
    const to = exportTo.get(name);
    if (to === undefined) fail(`a comment of the glue names export ${name}, which the mapping lacks`);
    return IDENT.test(to) ? `wasm.${to}` : `wasm[${JSON.stringify(to)}]`;
  });
  for (const name of exportTo.keys()) if (!read.has(name)) fail(`export ${name} is in the mapping but the glue never reads it`);
  return { glue: src, dropped };
}

/**
 * wasm-bindgen's typings of the raw exports (`InitOutput` in tc3_edge.d.ts, every line of
 * tc3_edge_bg.wasm.d.ts) renamed the same way; an export removed before wasm-opt loses its line.
 * @param {string} dts
 * @param {"interface" | "module"} form `readonly name:` lines of `interface InitOutput`, or `export const name:` lines
 */
export function shortenTypings(dts, mapping, exportsBefore, form) {
  const to = new Map(mapping.exports);
  let seen = 0;
  const line = form === "interface" ? /^( {4}readonly )([\w$]+)(: .*)\n/gm : /^(export const )([\w$]+)(: .*)\n/gm;
  let text = dts;
  if (form === "interface") {
    const at = text.indexOf("export interface InitOutput {\n");
    const end = text.indexOf("\n}\n", at);
    if (at === -1 || end === -1) fail("tc3_edge.d.ts has no `export interface InitOutput { … }`");
    text = text.slice(0, at) + text.slice(at, end + 1).replace(line, (w, a, name, b) => rename(w, a, name, b)) + text.slice(end + 1);
  } else {
    text = text.replace(line, (w, a, name, b) => rename(w, a, name, b));
  }
  function rename(whole, a, name, b) {
    seen++;
    if (to.has(name)) return `${a}${IDENT.test(to.get(name)) ? to.get(name) : JSON.stringify(to.get(name))}${b}\n`;
    if (exportsBefore.includes(name)) return "";
    fail(`the typings name export ${name}, which the module never had`);
  }
  if (seen < to.size) fail(`the typings name ${seen} exports, the module has ${to.size}`);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, dir] = process.argv.slice(2);
  if (cmd !== "prepare" || !dir) {
    console.error("usage: node scripts/wasm-names.mjs prepare <dir>");
    process.exit(2);
  }
  // Before wasm-opt: keeps the module's imports (imports.json, for shortenNames' `before`) and
  // prints the exports the glue never reads.
  const glue = readFileSync(join(dir, "tc3_edge.js"), "utf8");
  const module = new WebAssembly.Module(readFileSync(join(dir, "tc3_edge_bg.wasm")));
  writeFileSync(join(dir, "before.json"), JSON.stringify({
    imports: WebAssembly.Module.imports(module).map((i) => [i.module, i.name]),
    exports: WebAssembly.Module.exports(module).map((e) => e.name),
  }));
  process.stdout.write(unusedExports(glue, module).join(","));
}
