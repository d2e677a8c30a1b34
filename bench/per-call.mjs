// Per-call costs that throughput alone hides: JS-heap bytes allocated per call, and where a
// call's CPU time goes (wasm code vs the wasm-bindgen glue vs text encoding vs trampolines),
// from an in-process CPU profile.
import { Session } from "node:inspector";
import v8 from "node:v8";
import vm from "node:vm";
import { median, runBatch } from "./throughput.mjs";

v8.setFlagsFromString("--expose-gc");
export const gc = vm.runInNewContext("gc");

function heapUsed() {
  let total = 0;
  let young = 0;
  for (const s of v8.getHeapSpaceStatistics()) {
    total += s.space_used_size;
    if (s.space_name === "new_space") young = s.space_used_size;
  }
  return { total, young };
}

/**
 * JS-heap bytes allocated per call: after a full GC, the growth of the heap over `k` calls
 * (small enough that no scavenge runs in between — a sample where the young generation shrank
 * is discarded). Median of up to `samples` clean samples, or null.
 */
export async function heapBytesPerCall(c, { k = 100, samples = 7 } = {}) {
  await runBatch(c, 200);
  const got = [];
  for (let i = 0; i < samples * 3 && got.length < samples; i++) {
    gc();
    const a = heapUsed();
    await runBatch(c, k);
    const b = heapUsed();
    if (b.young >= a.young) got.push((b.total - a.total) / k);
  }
  return got.length ? median(got) : null;
}

function post(session, method, params) {
  return new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
}

/** The category of the glue and the js/ modules (bench/run.mjs reads it). */
export const GLUE = "JS glue (wasm-bindgen, js/ modules, bundled)";

function category(frame) {
  const { functionName: fn, url } = frame;
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(program)" || fn === "(idle)" || fn === "(root)") return "other";
  if (fn.startsWith("wasm-to-js") || fn.startsWith("js-to-wasm")) return "JS↔wasm trampolines";
  if (url.startsWith("wasm://") || fn.startsWith("wasm-function")) return "wasm code";
  // The glue and js/ modules are bundled into each entry (pkg/node.js, …) and, for the tests'
  // second instance, gen/tc3_edge.js.
  if (url.endsWith("tc3_edge.js") || /\/pkg\/(sign\/)?(node|browser|workerd)\.js$/.test(url)) return GLUE;
  if (/^(decode|decodeUTF8|encode|encodeInto|encodeIntoResults|get buffer)$/.test(fn)) return "TextDecoder/TextEncoder, memory views";
  if (url.includes("/bench/")) return "bench harness";
  return "other JS/builtins";
}

/** Self-time share per category over ~`ms` of calls of `c`. */
export async function profileShares(c, { ms = 1200, batch = 200 } = {}) {
  const session = new Session();
  session.connect();
  try {
    await post(session, "Profiler.enable");
    await post(session, "Profiler.setSamplingInterval", { interval: 100 });
    await runBatch(c, batch);
    await post(session, "Profiler.start");
    const t0 = performance.now();
    while (performance.now() - t0 < ms) await runBatch(c, batch);
    const { profile } = await post(session, "Profiler.stop");
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const counts = new Map();
    let total = 0;
    for (const id of profile.samples) {
      const k = category(byId.get(id).callFrame);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      total++;
    }
    return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / total]));
  } finally {
    session.disconnect();
  }
}
