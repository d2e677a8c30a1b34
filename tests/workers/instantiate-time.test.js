// How long instantiating tc3-edge's wasm takes in workerd. Printed, never asserted (timings on
// a shared 2-core machine are not a contract).
//
// workerd freezes Date.now() / performance.now() while JavaScript runs (a Spectre mitigation),
// so the time is taken from outside: the same request with n = 0 and n = K extra
// `new WebAssembly.Instance(module)` of the already compiled module (the module is compiled
// when the Worker loads, as CompiledWasm; instantiating is what `initSync` does on every cold
// start). (median(K) - median(0)) / K is the time of one instantiation.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installPackedPackage } from '../bundlers/support/pack.js';
import { bundleForWorkerd, startWorker } from './support/worker.js';

const K = 40;
const ROUNDS = 7;

const ENTRY = `
import wasmModule from "tc3-edge/tc3_edge_bg.wasm";
import { signRequest } from "tc3-edge";   // the package's workerd entry: initSync at load

// Stand-ins for the wasm-bindgen imports: instantiation only links them, never calls them.
const imports = {};
for (const { module, name } of WebAssembly.Module.imports(wasmModule)) (imports[module] ??= {})[name] = () => {};

export default {
  async fetch(request) {
    const n = Number(new URL(request.url).searchParams.get("n") || 0);
    for (let i = 0; i < n; i++) new WebAssembly.Instance(wasmModule, imports);
    // Prove the package's own instance works too.
    const s = signRequest({ secretId: "AKIDx", secretKey: "k", action: "DescribeImages", region: "ap-guangzhou", timestamp: 1700000000 });
    return Response.json({ n, signature: s.signature.length });
  },
};
`;

let installed;
let bundle;
let srcDir;
let mf;
let startupMs;

before(async () => {
  installed = await installPackedPackage('tc3-edge-inst-');
  srcDir = await mkdtemp(join(tmpdir(), 'tc3-edge-inst-src-'));
  await writeFile(join(srcDir, 'entry.js'), ENTRY);
  bundle = await bundleForWorkerd(join(srcDir, 'entry.js'), installed.nodeModules);
  const t0 = performance.now();
  mf = await startWorker(bundle.scriptPath, {});
  startupMs = performance.now() - t0;
});

after(async () => {
  await mf?.dispose();
  await bundle?.cleanup();
  await installed?.cleanup();
  if (srcDir) await rm(srcDir, { recursive: true, force: true });
});

async function timed(n) {
  const t0 = performance.now();
  const res = await mf.dispatchFetch(`http://worker.test/?n=${n}`);
  const body = await res.json();
  const ms = performance.now() - t0;
  assert.equal(res.status, 200);
  assert.deepEqual(body, { n, signature: 64 });
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('wasm instantiate time in workerd (printed, not asserted)', { timeout: 50_000 }, async (t) => {
  await timed(0); // warm the path
  await timed(K);
  const base = [];
  const many = [];
  for (let r = 0; r < ROUNDS; r++) {
    base.push(await timed(0));
    many.push(await timed(K));
  }
  const perInstance = Math.max(0, (median(many) - median(base)) / K);
  const wasmBytes = Object.entries(bundle.metafile.outputs).find(([f]) => f.endsWith('.wasm'))[1].bytes;
  t.diagnostic(`workerd: wasm ${wasmBytes} bytes; one instantiation ≈ ${perInstance.toFixed(3)} ms ` +
    `(median of ${ROUNDS}: ${median(many).toFixed(1)} ms for ${K} vs ${median(base).toFixed(1)} ms for 0); ` +
    `Miniflare start to ready (compile + initSync + process start) ${startupMs.toFixed(0)} ms`);
  assert.ok(Number.isFinite(perInstance));
});
