// The Durable Object quota of the example Worker (issue #12), measured in workerd (Miniflare):
//   - the hop: one `acquire` = Worker → ExportQuota object → Worker, with a limit so high the
//     window never makes it wait (sequential; p50/p99 over N);
//   - what one object sustains: 4N concurrent acquires of one key, same unlimited window (grants
//     per second).
// workerd advances its clocks only at I/O, so the times are taken inside the Worker around the
// awaited hop (ms resolution). Run after `make build`:  node bench/quota-do.mjs [N]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const N = Number(process.argv[2] ?? 500);

const entry = `
import { ExportQuota, quotaAcquirer } from ${JSON.stringify(join(REPO, "examples/worker/src/quota.js"))};
export { ExportQuota };
export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const n = Number(q.get("n"));
    const acquire = quotaAcquirer({ namespace: env.QUOTA, key: "bench-" + q.get("run"), limit: 1_000_000, guardMs: 0 });
    if (q.get("mode") === "hop") {
      const times = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await acquire("ExportImages");
        times.push(performance.now() - t);
      }
      return Response.json(times);
    }
    if (q.get("mode") === "burst") {
      const t = performance.now();
      await Promise.all(Array.from({ length: n }, () => acquire("ExportImages")));
      return Response.json({ ms: performance.now() - t });
    }
    return new Response("mode: hop | burst", { status: 400 });
  },
};`;

const { build } = await import("esbuild");
const { Miniflare } = await import("miniflare");
const dir = await mkdtemp(join(tmpdir(), "tc3-quota-bench-"));
try {
  await writeFile(join(dir, "entry.js"), entry);
  await build({
    entryPoints: { index: join(dir, "entry.js") }, outdir: join(dir, "out"), bundle: true, format: "esm",
    platform: "neutral", target: "es2022", conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"],
    alias: { "tc3-edge": join(REPO, "pkg", "workerd.js") }, loader: { ".wasm": "copy" }, assetNames: "[name]-[hash]", logLevel: "silent",
  });
  const mf = new Miniflare({
    modules: true, scriptPath: join(dir, "out", "index.js"), modulesRoot: join(dir, "out"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }], compatibilityDate: "2026-04-20",
    durableObjects: { QUOTA: "ExportQuota" },
  });
  await mf.ready;
  const get = async (q) => (await mf.dispatchFetch(`http://bench/?${q}`)).json();
  await get(`mode=hop&n=50&run=warm`);
  const hops = (await get(`mode=hop&n=${N}&run=hop`)).sort((a, b) => a - b);
  const pct = (p) => hops[Math.min(hops.length - 1, Math.floor((p / 100) * hops.length))];
  const bursts = [];
  for (let r = 0; r < 3; r++) bursts.push((await get(`mode=burst&n=${N * 4}&run=burst${r}`)).ms);
  const burstMs = bursts.sort((a, b) => a - b)[1];
  await mf.dispose();
  const rate = (n, ms) => Math.round((n / Math.max(ms, 1)) * 1000).toLocaleString("en-US");
  console.log(`| Durable Object quota (workerd via Miniflare, this machine) | value |`);
  console.log(`| --- | --- |`);
  console.log(`| acquire hop (Worker → object → Worker), p50 / p99 of ${N} sequential | ${pct(50)} ms / ${pct(99)} ms |`);
  console.log(`| one object, ${N * 4} concurrent acquires of one key (median of 3) | ${Math.round(burstMs)} ms → ${rate(N * 4, burstMs)} grants/s |`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
