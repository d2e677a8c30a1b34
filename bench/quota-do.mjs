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

const entry = `
import { ExportQuota, quotaAcquirer, quotaSettings } from ${JSON.stringify(join(REPO, "examples/worker/src/quota.js"))};
export { ExportQuota };
export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const n = Number(q.get("n"));
    // The object reads the same settings from its env (QUOTA_* bindings below).
    const acquire = quotaAcquirer({ namespace: env.QUOTA, key: "bench-" + q.get("run"), settings: quotaSettings(env) });
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

/** Runs the measurement; returns the numbers (ms, grants/s). */
export async function quotaDoBench({ n = 500 } = {}) {
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
      // A window so wide it never makes anyone wait: the hop alone is measured.
      bindings: { QUOTA_PER_SECOND: "1000000", QUOTA_GUARD_MS: "0" },
    });
    try {
      await mf.ready;
      const get = async (q) => (await mf.dispatchFetch(`http://bench/?${q}`)).json();
      await get(`mode=hop&n=50&run=warm`);
      const hops = (await get(`mode=hop&n=${n}&run=hop`)).sort((a, b) => a - b);
      const pct = (p) => hops[Math.min(hops.length - 1, Math.floor((p / 100) * hops.length))];
      const bursts = [];
      for (let r = 0; r < 3; r++) bursts.push((await get(`mode=burst&n=${n * 4}&run=burst${r}`)).ms);
      const burstMs = bursts.sort((a, b) => a - b)[1];
      return { n, hopP50: pct(50), hopP99: pct(99), burstN: n * 4, burstMs, grantsPerSec: (n * 4 * 1000) / Math.max(burstMs, 1) };
    } finally {
      await mf.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Markdown table of a result. */
export function quotaTable(q) {
  return [
    "| Durable Object quota (workerd via Miniflare, this machine) | value |",
    "| --- | --- |",
    `| acquire hop (Worker → object → Worker), p50 / p99 of ${q.n} sequential | ${q.hopP50} ms / ${q.hopP99} ms |`,
    `| one object, ${q.burstN} concurrent acquires of one key (median of 3) | ${Math.round(q.burstMs)} ms → ${Math.round(q.grantsPerSec).toLocaleString("en-US")} grants/s |`,
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(quotaTable(await quotaDoBench({ n: Number(process.argv[2] ?? 500) })));
}
