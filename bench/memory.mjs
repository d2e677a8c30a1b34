// wasm linear memory across a long run of signRequest calls, on a private, fresh copy of the
// module (the glue imported under another URL gives its own wasm instance and memory, and
// `initSync` returns that instance's exports, `memory` among them), so "before" really is
// before the first call.
import { readFileSync } from "node:fs";
import { signInput } from "./fixtures.mjs";

export async function freshCopy(pkgDir, tag) {
  const mod = await import(new URL(`gen/tc3_edge.js?${tag}=${Date.now()}`, pkgDir).href);
  const wasm = mod.initSync({ module: readFileSync(new URL("gen/tc3_edge_bg.wasm", pkgDir)) });
  return { mod, wasm };
}

// The raw exports' names are minified (scripts/wasm-names.mjs): the memory and the externref
// table are found by their type (each module has one of each).
const memoryOf = (wasm) => Object.values(wasm).find((v) => v instanceof WebAssembly.Memory);

export function wasmState(wasm) {
  return {
    memoryBytes: memoryOf(wasm).buffer.byteLength,
    externrefTable: Object.values(wasm).find((v) => v instanceof WebAssembly.Table)?.length ?? null,
  };
}

/** Runs `warmup` then `total` signRequest calls; returns the memory at each point. */
export async function memoryRun(pkgDir, { warmup, total, gc, onProgress }) {
  const { mod, wasm } = await freshCopy(pkgDir, "memory");
  const input = signInput();
  const points = [];
  const mark = (label, calls) => {
    gc?.();
    points.push({ label, calls, ...wasmState(wasm), jsHeapUsed: process.memoryUsage().heapUsed });
  };
  mark("instantiated, before any call", 0);
  let calls = 0;
  let sum = 0;
  for (let i = 0; i < warmup; i++, calls++) sum += mod.signRequest(input).signature.length;
  mark(`after warm-up (${warmup.toLocaleString("en-US")} calls)`, calls);
  const t0 = performance.now();
  const step = Math.max(1, Math.floor(total / 10));
  const trace = [];
  for (let i = 0; i < total; i++, calls++) {
    sum += mod.signRequest(input).signature.length;
    if ((i + 1) % step === 0) {
      trace.push(memoryOf(wasm).buffer.byteLength);
      onProgress?.(i + 1);
    }
  }
  const ms = performance.now() - t0;
  mark(`after ${total.toLocaleString("en-US")} more calls`, calls);
  if (sum !== calls * 64) throw new Error("a signature was not 64 hex characters");
  return { points, trace, opsPerSec: (total / ms) * 1000, ms };
}
