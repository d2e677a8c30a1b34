// tc3-edge in workerd (through Miniflare), when miniflare is installed; skipped otherwise.
//
// workerd freezes Date.now()/performance.now() while JavaScript runs (a Spectre mitigation), so
// everything is timed from outside, as differences between requests that do more or less work:
//   - start-up: new Miniflare → ready → first response, for a Worker that imports pkg/workerd.js
//     (compile the .wasm module, instantiate, first signRequest) vs an empty Worker;
//   - one instantiation: (time of a request doing K extra `new WebAssembly.Instance` of the
//     compiled module − time of one doing none) / K;
//   - signRequest throughput: (request doing S signs − request doing none) / S.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./throughput.mjs";
import { signInput } from "./fixtures.mjs";

const COMPAT_DATE = "2025-06-01";

const tc3Entry = (pkgDir) => `
import wasmModule from ${JSON.stringify(join(pkgDir, "gen", "tc3_edge_bg.wasm"))};
import { signRequest } from ${JSON.stringify(join(pkgDir, "workerd.js"))}; // initSync at load
const INPUT = ${JSON.stringify(signInput())};
// Stand-ins for the wasm-bindgen imports: instantiating only links them.
const imports = {};
for (const { module, name } of WebAssembly.Module.imports(wasmModule)) (imports[module] ??= {})[name] = () => {};
export default {
  async fetch(request) {
    const q = new URL(request.url).searchParams;
    const n = Number(q.get("n") || 0);
    const s = Number(q.get("sign") || 0);
    for (let i = 0; i < n; i++) new WebAssembly.Instance(wasmModule, imports);
    let authorization = signRequest(INPUT).authorization;
    for (let i = 0; i < s; i++) authorization = signRequest(INPUT).authorization;
    return Response.json({ n, s, authorization });
  },
};
`;

const baselineEntry = `
export default { async fetch() { return Response.json({ n: 0, s: 0, authorization: null }); } };
`;

async function build(esbuild, dir, name, contents) {
  const entry = join(dir, `${name}.src.js`);
  await writeFile(entry, contents);
  const result = await esbuild.build({
    entryPoints: { [name]: entry },
    outdir: join(dir, name),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    loader: { ".wasm": "copy" }, // stays `import m from "./x.wasm"` → a CompiledWasm module
    assetNames: "[name]-[hash]",
    logLevel: "silent",
    metafile: true,
  });
  return { scriptPath: join(dir, name, `${name}.js`), outDir: join(dir, name), metafile: result.metafile };
}

export async function workerdBench({ pkgDir, expected, starts, rounds, K, S, onProgress }) {
  let Miniflare;
  let esbuild;
  try {
    ({ Miniflare } = await import("miniflare"));
    esbuild = await import("esbuild");
  } catch (e) {
    return { skipped: `miniflare/esbuild not installed (${e.code ?? e.message})` };
  }
  const dir = await mkdtemp(join(tmpdir(), "tc3-edge-bench-workerd-"));
  const started = [];
  try {
    const tc3 = await build(esbuild, dir, "tc3", tc3Entry(pkgDir));
    const base = await build(esbuild, dir, "baseline", baselineEntry);
    const start = async (w) => {
      const mf = new Miniflare({
        modules: true,
        scriptPath: w.scriptPath,
        modulesRoot: w.outDir,
        modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: COMPAT_DATE,
      });
      started.push(mf);
      await mf.ready;
      return mf;
    };
    const request = async (mf, query = "") => {
      const t0 = performance.now();
      const res = await mf.dispatchFetch(`http://bench.test/?${query}`);
      const body = await res.json();
      return { ms: performance.now() - t0, body };
    };

    // Start-up, interleaved.
    const startup = { tc3: [], baseline: [] };
    for (let i = 0; i < starts; i++) {
      for (const [key, w] of i % 2 ? [["baseline", base], ["tc3", tc3]] : [["tc3", tc3], ["baseline", base]]) {
        const t0 = performance.now();
        const mf = await start(w);
        const { body } = await request(mf);
        startup[key].push(performance.now() - t0);
        if (key === "tc3" && body.authorization !== expected) throw new Error(`workerd signed a different Authorization: ${body.authorization}`);
        await mf.dispose();
        started.splice(started.indexOf(mf), 1);
      }
      onProgress?.(`start ${i + 1}/${starts}`);
    }

    // Instantiation and signing, on one running Worker.
    const mf = await start(tc3);
    for (const q of ["", `n=${K}`, `sign=${S}`]) await request(mf, q); // warm the path
    const none = [];
    const inst = [];
    const signs = [];
    for (let r = 0; r < rounds; r++) {
      none.push((await request(mf, "")).ms);
      inst.push((await request(mf, `n=${K}`)).ms);
      const s = await request(mf, `sign=${S}`);
      if (s.body.authorization !== expected) throw new Error("workerd signed a different Authorization");
      signs.push(s.ms);
    }
    await mf.dispose();
    started.pop();
    const wasmBytes = Object.entries(tc3.metafile.outputs).find(([f]) => f.endsWith(".wasm"))?.[1].bytes;
    const instantiateMs = Math.max(0, (median(inst) - median(none)) / K);
    const signMs = Math.max(0, (median(signs) - median(none)) / S);
    return {
      workerdVersion: null,
      compatibilityDate: COMPAT_DATE,
      wasmBytes,
      startupTc3Ms: median(startup.tc3),
      startupBaselineMs: median(startup.baseline),
      startupExtraMs: median(startup.tc3) - median(startup.baseline),
      starts,
      instantiateMs,
      K,
      rounds,
      signOpsPerSec: signMs > 0 ? 1000 / signMs : null,
      S,
      requestMs: median(none),
    };
  } finally {
    for (const mf of started) await mf.dispose().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
