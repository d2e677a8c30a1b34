// Bytes each runtime entry of tc3-edge loads, gzip -9, next to the official SDK bundled for the
// same job and aws4fetch.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const require = createRequire(import.meta.url);

/** A dependency's folder, found from its resolved entry (works when it does not export ./package.json). */
export function packageDir(name) {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && JSON.parse(readFileSync(pj, "utf8")).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json for ${name}`);
    dir = up;
  }
}

/** A dependency's version, or "not installed". */
export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8")).version;
  } catch {
    return "not installed";
  }
}

/** gzip -9 size (the gzip CLI, -n so no name/time in the header; zlib level 9 if it is missing). */
export function gzipSize(buf) {
  try {
    return execFileSync("gzip", ["-9", "-n", "-c"], { input: buf, maxBuffer: 64 << 20 }).length;
  } catch {
    return gzipSync(buf, { level: 9 }).length;
  }
}

function fileRow(path, base) {
  const buf = readFileSync(path);
  return { file: relative(base, path), bytes: buf.length, gzip: gzipSize(buf) };
}

/**
 * Every file an entry loads: the entry, the JS modules it imports (followed through each one's
 * static imports), and the .wasm files any of them names (`new URL("./gen/….wasm", …)`,
 * `import … from "./gen/….wasm"`; wasm-bindgen's default `new URL("tc3_edge_bg.wasm", …)` is
 * relative to the glue). Found by reading the files, so a new layout is counted whole; a layout
 * that loads no wasm fails instead of being counted light.
 */
function loadedFiles(entry) {
  const seen = new Set([entry]);
  const wasm = new Set();
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift();
    const src = readFileSync(file, "utf8");
    // Matches minified code too: `import{…}from"./gen/x.js"`, `import"./x.js"`.
    for (const m of src.matchAll(/\b(?:from|import)\s*['"](\.\.?\/[^'"]+\.js)['"]/g)) {
      const dep = join(dirname(file), m[1]);
      if (!seen.has(dep)) seen.add(dep), queue.push(dep);
    }
    for (const m of src.matchAll(/['"]((?:\.\.?\/)?[\w./-]*\.wasm)['"]/g)) wasm.add(join(dirname(file), m[1]));
  }
  if (wasm.size !== 1) throw new Error(`${entry} loads ${wasm.size} wasm files: ${[...wasm].join(", ")}`);
  return [...seen, ...wasm];
}

export function tc3EdgeEntries(pkgDir) {
  const entries = {};
  // The full entries (CvmClient + signRequest) and the sign-only ones (`tc3-edge/sign`).
  for (const runtime of ["node", "browser", "workerd", "sign/node", "sign/browser", "sign/workerd"]) {
    const files = loadedFiles(join(pkgDir, `${runtime}.js`)).map((f) => fileRow(f, pkgDir));
    entries[runtime] = {
      files,
      bytes: files.reduce((a, f) => a + f.bytes, 0),
      gzip: files.reduce((a, f) => a + f.gzip, 0),
    };
  }
  return entries;
}

async function bundle(esbuild, { contents, resolveDir, platform, format, loader }) {
  const result = await esbuild.build({
    stdin: { contents, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    platform,
    format,
    target: "es2022",
    write: false,
    outdir: "/tmp/tc3-edge-bench-size", // nothing is written (write: false); names the outputs
    loader,
    logLevel: "silent",
    metafile: true,
  });
  const outputs = result.outputFiles.map((f) => ({ file: f.path.split("/").pop(), bytes: f.contents.length, gzip: gzipSize(Buffer.from(f.contents)) }));
  return {
    outputs,
    bytes: outputs.reduce((a, f) => a + f.bytes, 0),
    gzip: outputs.reduce((a, f) => a + f.gzip, 0),
    inputs: Object.keys(result.metafile.inputs).length,
  };
}

/** The comparison rows. Each: { label, bytes, gzip, note }. */
export async function comparisons(repoDir, pkgDir) {
  const rows = [];
  let esbuild = null;
  try {
    esbuild = await import("esbuild");
  } catch {
    esbuild = null;
  }
  const resolveDir = join(repoDir, "bench");

  if (esbuild) {
    const sdkClient = await bundle(esbuild, {
      resolveDir, platform: "node", format: "cjs",
      contents: `
        const { cvm } = require("tencentcloud-sdk-nodejs-cvm");
        module.exports = (secretId, secretKey) =>
          new cvm.v20170312.Client({ credential: { secretId, secretKey }, region: "ap-guangzhou" })
            .ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"] });`,
    });
    rows.push({ label: "official SDK: `tencentcloud-sdk-nodejs-cvm` client, esbuild --bundle --minify --platform=node", ...sdkClient, note: `${sdkClient.inputs} input files; Node built-ins external` });
    const sdkSign = await bundle(esbuild, {
      resolveDir, platform: "node", format: "cjs",
      contents: `module.exports = require("tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js").default;`,
    });
    rows.push({ label: "official SDK: `Sign.sign3` alone (common/sign.js), same esbuild flags", ...sdkSign, note: `${sdkSign.inputs} input files; uses Node \`crypto\` (external)` });
  }

  const aws4fetchDir = packageDir("aws4fetch");
  const dist = join(aws4fetchDir, "dist", "aws4fetch.esm.mjs");
  if (existsSync(dist)) {
    const r = fileRow(dist, aws4fetchDir);
    rows.push({ label: "aws4fetch: dist/aws4fetch.esm.mjs as published", bytes: r.bytes, gzip: r.gzip, note: "AWS SigV4 on WebCrypto; unminified" });
  }
  if (esbuild) {
    const a = await bundle(esbuild, {
      resolveDir, platform: "browser", format: "esm",
      contents: `import { AwsClient } from "aws4fetch";
        export const sign = (accessKeyId, secretAccessKey, body) =>
          new AwsClient({ accessKeyId, secretAccessKey, service: "ec2", region: "us-east-1" })
            .sign("https://ec2.amazonaws.com/", { method: "POST", body });`,
    });
    rows.push({ label: "aws4fetch: esbuild --bundle --minify (AwsClient.sign)", ...a, note: "" });

    // What a bundler ships for tc3-edge's browser entry: the minified JS, plus the .wasm the
    // app serves next to it (esbuild leaves `new URL("./gen/tc3_edge_bg.wasm", import.meta.url)`
    // alone; Vite/webpack would emit it as an asset — the same bytes).
    const t = await bundle(esbuild, {
      resolveDir, platform: "browser", format: "esm",
      contents: `export { CvmClient, signRequest } from ${JSON.stringify(join(pkgDir, "browser.js"))};`,
    });
    const wasm = fileRow(join(pkgDir, "gen", "tc3_edge_bg.wasm"), pkgDir);
    rows.push({
      label: "tc3-edge browser entry, esbuild --bundle --minify JS + the .wasm it fetches",
      bytes: t.bytes + wasm.bytes, gzip: t.gzip + wasm.gzip,
      note: `JS ${t.gzip.toLocaleString("en-US")} B gz + wasm ${wasm.gzip.toLocaleString("en-US")} B gz`,
    });
  }
  return rows;
}

/** Function count, data/custom section sizes of the wasm (what its bytes are made of). */
export function wasmAnatomy(pkgDir) {
  const buf = readFileSync(join(pkgDir, "gen", "tc3_edge_bg.wasm"));
  const sections = {};
  const custom = {};
  let p = 8;
  const names = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount", "tag"];
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[p++];
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return result >>> 0;
      shift += 7;
    }
  };
  while (p < buf.length) {
    const id = buf[p++];
    const size = leb();
    const name = names[id] ?? `id${id}`;
    sections[name] = (sections[name] ?? 0) + size;
    if (id === 0) {
      const end = p + size;
      const len = leb();
      const cname = buf.subarray(p, p + len).toString("utf8");
      custom[cname] = (custom[cname] ?? 0) + size;
      p = end;
      continue;
    }
    p += size;
  }
  const mod = new WebAssembly.Module(buf);
  return {
    bytes: buf.length,
    sections,
    custom,
    imports: WebAssembly.Module.imports(mod).length,
    exports: WebAssembly.Module.exports(mod).length,
  };
}

export function listSnippetDirs(pkgDir) {
  const dir = join(pkgDir, "gen", "snippets");
  return existsSync(dir) ? readdirSync(dir) : [];
}
