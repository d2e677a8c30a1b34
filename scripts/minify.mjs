// Bundles and minifies the generated JS of one module into ONE file, in place: wasm-bindgen's
// glue (tc3_edge.js), the js/ modules it imports (copied by wasm-bindgen to snippets/), and,
// for the full module, the call path's and the export waiter's drivers (driver.js, wait.js,
// copied there by scripts/build.sh). What every runtime entry loads besides the wasm is then
// one file: measured -1.4 KB gzip on the full entry against four separately minified files
// (gzip's window spans the whole bundle, and names shared across the modules are minified
// too; bench/LEVERS.md). Same exports as the glue plus the drivers' `installCallPath`,
// `genericClient` and `installWaitPath`; comments and local names go (the readable sources are
// js/ and wasm-bindgen's templates; the documented API is in the .d.ts files, untouched).
// keepNames keeps `CvmClient.name` and friends as written. The glue's own default
// `new URL("tc3_edge_bg.wasm", import.meta.url)` stays as it is (the bundle sits beside the
// .wasm). Usage: node scripts/minify.mjs <dir with tc3_edge.js>
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";

const dir = process.argv[2];
const glue = join(dir, "tc3_edge.js");
const before = readFileSync(glue, "utf8").length;
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
const { outputFiles } = buildSync({
  stdin: { contents, resolveDir: dir, loader: "js", sourcefile: "bundle.js" },
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  // TC3_NO_MINIFY=1: bundled but readable (for profiling).
  minify: process.env.TC3_NO_MINIFY !== "1",
  keepNames: true,
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
const code = outputFiles[0].text;
writeFileSync(glue, code);
for (const f of drivers) rmSync(join(dir, f));
rmSync(join(dir, "snippets"), { recursive: true, force: true });
console.log(`bundled tc3_edge.js${drivers.map((f) => ` + ${f}`).join("")} + snippets: ${before} -> ${code.length} bytes`);
