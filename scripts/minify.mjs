// Minifies the generated JS glue (wasm-bindgen's tc3_edge.js, the js/ modules it imports, and the
// call path's driver, gen/driver.js) in place:
// what every runtime entry loads besides the wasm. Same modules, same exports; comments and
// local names go (the readable sources are js/ and wasm-bindgen's templates; the
// documented API is in the .d.ts files, untouched). keepNames keeps `CvmClient.name` and
// friends as written. Usage: node scripts/minify.mjs <dir with tc3_edge.js>
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";

const dir = process.argv[2];
const files = [join(dir, "tc3_edge.js")];
for (const f of ["driver.js", "wait.js"]) if (existsSync(join(dir, f))) files.push(join(dir, f));
// Snippets: wasm-bindgen copies `module = "/js/…"` imports to snippets/<crate-hash>/js/….
for (const f of readdirSync(join(dir, "snippets"), { recursive: true })) {
  if (String(f).endsWith(".js")) files.push(join(dir, "snippets", String(f)));
}
let before = 0;
let after = 0;
for (const file of files) {
  const source = readFileSync(file, "utf8");
  const { code } = transformSync(source, { format: "esm", minify: true, keepNames: true, target: "es2022", legalComments: "none" });
  before += source.length;
  after += code.length;
  writeFileSync(file, code);
}
console.log(`minified ${files.length} glue files: ${before} -> ${after} bytes`);
