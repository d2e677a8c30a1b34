// Bundles and minifies the generated JS of one module into ONE file, in place: wasm-bindgen's
// glue (tc3_edge.js), the js/ modules it imports (copied by wasm-bindgen to snippets/), and,
// for the full module, the call path's and the export waiter's drivers (driver.js, wait.js,
// copied there by scripts/build.sh), after renaming the module's imports and exports to
// wasm-opt's short names (scripts/wasm-names.mjs). scripts/entries.mjs then bundles each
// runtime entry with this file, so an entry loads one JS file besides the wasm: measured
// -1.4 KB gzip on the full entry against four separately minified files (gzip's window spans
// the whole bundle, and names shared across the modules are minified too; bench/LEVERS.md). Same exports as the glue plus the drivers' `installCallPath`,
// `genericClient` and `installWaitPath`; comments and local names go (the readable sources are
// js/ and wasm-bindgen's templates; the documented API is in the .d.ts files, untouched).
// Class names stay as written (`CvmClient.name`, below). The glue's own default
// `new URL("tc3_edge_bg.wasm", import.meta.url)` stays as it is here (the bundle sits beside the
// .wasm; scripts/entries.mjs re-points it). Usage: node scripts/minify.mjs <dir with tc3_edge.js>
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildSync, transformSync } from "esbuild";
import { shortenNames, shortenTypings } from "./wasm-names.mjs";
import { BUNDLE } from "./esbuild-options.mjs";

const dir = process.argv[2];
const glue = join(dir, "tc3_edge.js");
const wasmFile = join(dir, "tc3_edge_bg.wasm");
const before = readFileSync(glue, "utf8").length;
// The module's imports and exports were renamed by wasm-opt (scripts/build.sh): the glue follows
// its mapping first (scripts/wasm-names.mjs; throws on anything it cannot match).
const readJson = (f) => JSON.parse(readFileSync(join(dir, f), "utf8"));
const mapping = readJson("names.json");
const beforeOpt = readJson("before.json");
const short = shortenNames(readFileSync(glue, "utf8"), mapping, new WebAssembly.Module(readFileSync(wasmFile)), beforeOpt.imports);
writeFileSync(glue, short.glue);
for (const [file, form] of [["tc3_edge.d.ts", "interface"], ["tc3_edge_bg.wasm.d.ts", "module"]]) {
  writeFileSync(join(dir, file), shortenTypings(readFileSync(join(dir, file), "utf8"), mapping, beforeOpt.exports, form));
}
// The mapping stays beside the module for tools that name crossings (bench/crossings.mjs); it is
// not in the npm tarball (pkg/package.json's "files").
writeFileSync(join(dir, "wasm-names.json"), JSON.stringify(mapping));
rmSync(join(dir, "names.json"));
rmSync(join(dir, "before.json"));
let contents = 'export * from "./tc3_edge.js";\nexport { default } from "./tc3_edge.js";\n';
const drivers = [];
if (existsSync(join(dir, "driver.js"))) {
  contents += 'export { installCallPath, genericClient } from "./driver.js";\n';
  drivers.push("driver.js");
}
if (existsSync(join(dir, "wait.js"))) {
  contents += 'export { installWaitPath } from "./wait.js";\n';
  drivers.push("wait.js");
}
// Bundled first, unminified, then minified: esbuild's `keepNames` would keep the name of every
// function of the bundle (~0.8 KB gzip of `name` wrappers); only the classes' names are seen by
// a user (`CvmClient.name`, `err.constructor.name`), so each class declared with a capitalised
// name gets a static block that sets its name before the names are minified.
const { outputFiles } = buildSync({
  stdin: { contents, resolveDir: dir, loader: "js", sourcefile: "bundle.js" },
  ...BUNDLE,
});
let classes = 0;
// Both forms the bundle has: `var CvmClient = class _CvmClient {` and `class TencentCloudClient {`.
const named = outputFiles[0].text.replace(
  /\b(?:(?:var|let|const) ([A-Z][\w$]*) = class(?: [\w$]+)?|class ([A-Z][\w$]*))(\s+extends\s+[\w$.]+)?\s*\{/g,
  (whole, bound, declared, ext) => {
    classes++;
    return `${whole}static{Object.defineProperty(this,"name",{value:${JSON.stringify(bound ?? declared)}})}`;
  },
);
// TC3_NO_MINIFY=1: bundled but readable (for profiling).
const code = process.env.TC3_NO_MINIFY === "1" ? named
  : transformSync(named, { format: "esm", minify: true, target: "es2022", legalComments: "none" }).code;
writeFileSync(glue, code);
// The bundle instantiates its module here, once: an import it does not provide fails the build
// (LinkError), not the first user's load.
(await import(pathToFileURL(glue).href)).initSync({ module: readFileSync(wasmFile) });
// The drivers and the modules they import (js/channel.js, js/codes.js) are in the bundle now.
for (const f of [...drivers, "channel.js", "codes.js"]) rmSync(join(dir, f), { force: true });
rmSync(join(dir, "snippets"), { recursive: true, force: true });
console.log(`bundled tc3_edge.js${drivers.map((f) => ` + ${f}`).join("")} + snippets (${classes} named classes): ${before} -> ${code.length} bytes${short.dropped.length ? `; imports dead after wasm-opt, dropped: ${short.dropped.join(", ")}` : ""}`);
