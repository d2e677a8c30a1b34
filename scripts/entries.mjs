// Generates the package's runtime entries (pkg/{node,browser,workerd}.js, pkg/sign/*.js): each is
// its hand-written source in js/entries/ bundled with its module's glue (gen/tc3_edge.js or
// gen/sign/tc3_edge.js, built by scripts/minify.mjs) into ONE minified file; the .wasm stays a
// file of its own, loaded as each source says (Node reads it, the browser fetches
// `new URL(…, import.meta.url)`, workerd imports it as a module, which stays an import).
// Why: the entry was a second file to fetch and gzip, and bundling per runtime drops the glue
// code that runtime never runs (Node and workerd instantiate synchronously, so wasm-bindgen's
// async loader goes): measured -0.7 to -1.1 KB gzip per entry (bench/LEVERS.md).
// The sources import `./gen/tc3_edge.js` as they would beside it in pkg/; here that path is the
// freshly built glue in <gen dir>. Each entry keeps exactly its source's exports (checked).
//
//   node scripts/entries.mjs <source dir: js/entries> <gen dir just built> <out dir>
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { BUNDLE } from "./esbuild-options.mjs";

const [srcDir, genDir, outDir] = process.argv.slice(2);
const ENTRIES = ["node", "browser", "workerd", "sign/node", "sign/browser", "sign/workerd"];

for (const name of ENTRIES) {
  const sign = name.startsWith("sign/");
  const source = join(srcDir, `${name}.js`);
  // The source's path to its glue and to its wasm, as written in js/entries (relative to pkg/).
  const gluePath = sign ? "../gen/sign/tc3_edge.js" : "./gen/tc3_edge.js";
  const wasmPath = sign ? "../gen/sign/tc3_edge_bg.wasm" : "./gen/tc3_edge_bg.wasm";
  const glueFile = join(genDir, sign ? "sign" : "", "tc3_edge.js");
  let glueSeen = 0;
  const options = {
    entryPoints: [source],
    ...BUNDLE,
    metafile: true,
    outfile: join(outDir, `${name}.js`),
    // workerd's `import wasmModule from "./gen/….wasm"` stays an import (workerd compiles it at load).
    external: [wasmPath],
  };
  const plugin = (inline) => ({
    name: "tc3-edge-glue",
    setup(build) {
      build.onResolve({ filter: /\/gen\/(sign\/)?tc3_edge\.js$/ }, (args) => {
        if (args.path !== gluePath) throw new Error(`${source} imports ${args.path}, expected ${gluePath}`);
        return inline ? { path: glueFile, namespace: "glue" } : { path: args.path, external: true };
      });
      build.onLoad({ filter: /.*/, namespace: "glue" }, () => {
        glueSeen++;
        // wasm-bindgen's default location of the wasm (used only when init() gets none; every
        // entry passes its own) is relative to the glue; make it relative to the entry, so that
        // bundlers following `new URL(…, import.meta.url)` find the same file.
        const glue = readFileSync(glueFile, "utf8");
        const DEFAULT = /new URL\(\s*["']tc3_edge_bg\.wasm["']\s*,\s*import\.meta\.url\s*\)/g;
        const defaults = glue.match(DEFAULT)?.length ?? 0;
        if (defaults !== 1) throw new Error(`${glueFile}: expected one default wasm URL, found ${defaults}`);
        return { contents: glue.replace(DEFAULT, `new URL(${JSON.stringify(wasmPath)},import.meta.url)`), loader: "js", resolveDir: dirname(glueFile) };
      });
    },
  });
  // The source's own exports (glue external), then the bundle's: they must be the same names.
  const declared = await build({ ...options, plugins: [plugin(false)] });
  // TC3_NO_MINIFY=1 (profiling): bundled but readable, as scripts/minify.mjs does.
  const bundled = await build({ ...options, minify: process.env.TC3_NO_MINIFY !== "1", plugins: [plugin(true)] });
  if (glueSeen !== 1) throw new Error(`${source}: its glue was not bundled`);
  const exportsOf = (r) => Object.values(r.metafile.outputs).find((o) => o.entryPoint)?.exports.slice().sort();
  const want = exportsOf(declared);
  const got = exportsOf(bundled);
  if (!want || JSON.stringify(want) !== JSON.stringify(got)) {
    throw new Error(`${name}.js: the bundle exports ${got} but ${source} exports ${want}`);
  }
  const code = bundled.outputFiles[0].text;
  // What the bundle still imports (esbuild's record, comments aside): the .wasm at most.
  const left = Object.values(bundled.metafile.outputs).find((o) => o.entryPoint).imports.map((i) => i.path);
  if (left.some((p) => p !== wasmPath)) throw new Error(`${name}.js still imports ${left.join(", ")}`);
  mkdirSync(dirname(join(outDir, `${name}.js`)), { recursive: true });
  writeFileSync(join(outDir, `${name}.js`), code);
  console.log(`entry ${name}.js: ${readFileSync(source, "utf8").length} + glue -> ${code.length} bytes (exports ${got.join(", ")})`);
}
