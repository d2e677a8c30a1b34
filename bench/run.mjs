// tc3-edge benchmark (issue #6): `node bench/run.mjs` (or `npm run bench`).
//
//   --quick        scaled-down counts (a quick look; writes nothing unless --out is given)
//   --out=<path>   where to write the report (default: BENCHMARKS.md at the repository root)
//   --skip=a,b     skip sections: throughput, percall, memory, size, cold, workerd, quota
//
// Everything runs in this one process except the cold starts (fresh child processes) and the
// workerd section (workerd through Miniflare, when installed). No timing is asserted anywhere:
// the run fails only if a candidate does not produce the identical Authorization header.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import * as F from "./fixtures.mjs";
import { GLUE, gc, heapBytesPerCall, profileShares } from "./per-call.mjs"; // first: exposes gc
import { buildCandidates, identityCheck } from "./candidates.mjs";
import { coldStart } from "./cold-start.mjs";
import { crossingsPerCall, instrumentedCopy } from "./crossings.mjs";
import { memoryRun, wasmState } from "./memory.mjs";
import { installStub, loadOfficialSdk } from "./official-sdk.mjs";
import { consoleTable, markdown } from "./report.mjs";
import { comparisons, packageVersion, tc3EdgeEntries, wasmAnatomy } from "./size.mjs";
import { getSink, median, ratio, roundRobin } from "./throughput.mjs";
import { workerdBench } from "./workerd.mjs";
import { quotaDoBench } from "./quota-do.mjs";

const REPO = new URL("../", import.meta.url);
const REPO_DIR = fileURLToPath(REPO);
const SOURCE_PKG_DIR = fileURLToPath(new URL("../pkg/", import.meta.url));

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const outArg = args.find((a) => a.startsWith("--out="))?.slice(6);
const outPath = outArg ?? (quick ? null : fileURLToPath(new URL("BENCHMARKS.md", REPO)));
const skip = new Set((args.find((a) => a.startsWith("--skip="))?.slice(7) ?? "").split(",").filter(Boolean));

const config = quick
  ? { rounds: 5, batchMs: 100, warmMs: 150, memoryWarmup: 10_000, memoryCalls: 100_000, coldProcesses: 5, workerdStarts: 3, workerdRounds: 5 }
  : { rounds: 15, batchMs: 150, warmMs: 300, memoryWarmup: 10_000, memoryCalls: 1_000_000, coldProcesses: 11, workerdStarts: 5, workerdRounds: 7 };

const log = (...a) => console.error("[bench]", ...a);
const wall0 = performance.now();

// --- a snapshot of pkg/ -------------------------------------------------------------------------
// pkg/gen is rebuilt by scripts/build.sh (rm -rf, then regenerate), possibly while this runs;
// every section uses one copy taken now, so all numbers describe the same build.
const PKG_FILES = ["node.js", "browser.js", "workerd.js", "package.json", "gen/tc3_edge.js", "gen/tc3_edge_bg.wasm",
  "sign/node.js", "gen/sign/tc3_edge.js", "gen/sign/tc3_edge_bg.wasm"];
function snapshotPkg() {
  const wasmPath = join(SOURCE_PKG_DIR, "gen", "tc3_edge_bg.wasm");
  for (let attempt = 0; attempt < 30; attempt++) {
    if (PKG_FILES.every((f) => existsSync(join(SOURCE_PKG_DIR, f)))) {
      const before = createHash("sha256").update(readFileSync(wasmPath)).digest("hex");
      const dir = join(mkdtempSync(join(os.tmpdir(), "tc3-edge-bench-")), "pkg");
      cpSync(SOURCE_PKG_DIR, dir, { recursive: true });
      const wasm = readFileSync(join(dir, "gen", "tc3_edge_bg.wasm"));
      const glue = readFileSync(join(dir, "gen", "tc3_edge.js"), "utf8");
      const after = createHash("sha256").update(readFileSync(wasmPath)).digest("hex");
      if (before === after && createHash("sha256").update(wasm).digest("hex") === after &&
          WebAssembly.validate(wasm) && /\binitSync\b/.test(glue)) return dir;
      rmSync(dirname(dir), { recursive: true, force: true });
    }
    log("pkg/gen is missing or being rebuilt; waiting…");
    execFileSync("sleep", ["2"]);
  }
  console.error("No usable build in pkg/gen: run `make build` (scripts/build.sh) first.");
  process.exit(2);
}
const PKG_DIR = snapshotPkg() + "/";
const PKG = pathToFileURL(PKG_DIR);
const cleanupSnapshot = () => rmSync(dirname(PKG_DIR.slice(0, -1)), { recursive: true, force: true });
process.on("exit", cleanupSnapshot);

// The package's own wasm instance: node.js bundles its glue (scripts/entries.mjs), so the exports
// of the instance it creates are caught on the way (`new WebAssembly.Instance`, its initSync).
const RealInstance = WebAssembly.Instance;
let mainWasm = null;
WebAssembly.Instance = Object.assign(function (module, imports) {
  const instance = new RealInstance(module, imports);
  mainWasm ??= instance.exports;
  return instance;
}, { prototype: RealInstance.prototype });
const { CvmClient, signRequest } = await import(new URL("node.js", PKG).href);
WebAssembly.Instance = RealInstance;
if (!mainWasm) throw new Error("node.js created no wasm instance");
const { signRequest: leanSignRequest } = await import(new URL("sign/node.js", PKG).href);
const mainMemory = [{ label: "at import, before any call", ...wasmState(mainWasm) }];

// --- versions and machine -----------------------------------------------------------------
const pkgVersion = packageVersion;
function git(...a) {
  try {
    return execFileSync("git", a, { cwd: REPO_DIR, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return "?";
  }
}
const wasmBuf = readFileSync(new URL("gen/tc3_edge_bg.wasm", PKG));
const cpuModel = (() => {
  try {
    return readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ?? os.cpus()[0]?.model;
  } catch {
    return os.cpus()[0]?.model ?? "?";
  }
})();
const machine = {
  cpu: cpuModel,
  cores: os.availableParallelism?.() ?? os.cpus().length,
  memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
  loadStart: os.loadavg()[0].toFixed(2),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  v8: process.versions.v8,
};

let sdk;
try {
  sdk = loadOfficialSdk();
} catch (e) {
  console.error(`The official SDK is needed for the comparison (${e.message.split("\n")[0]}): run \`npm install\` at the repository root.`);
  process.exit(2);
}
const versions = {
  tc3edge: JSON.parse(readFileSync(new URL("package.json", PKG), "utf8")).version,
  git: `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock") ? " (+ uncommitted changes in src/)" : ""}`,
  wasmSha: createHash("sha256").update(wasmBuf).digest("hex").slice(0, 12),
  wasmBytes: wasmBuf.length,
  common: sdk.versions.common,
  cvm: sdk.versions.cvm,
  nodeFetch: sdk.versions.nodeFetch,
  aws4fetch: pkgVersion("aws4fetch"),
  esbuild: pkgVersion("esbuild"),
  miniflare: pkgVersion("miniflare"),
  workerd: pkgVersion("workerd"),
};
log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadStart}${quick ? ", --quick" : ""}`);

// --- the identity gate ----------------------------------------------------------------------
const stub = installStub(sdk);
await stub.verify();
const candidates = buildCandidates({ tc3: { CvmClient, signRequest, leanSignRequest }, sdk, stub });
const EXPECTED = sdk.Sign.sign3(F.sign3Input());
const identity = await identityCheck(candidates, EXPECTED);
for (const row of identity) log(`${row.ok ? "identical" : "MISMATCH "}  ${row.label}${row.ok ? "" : ` — ${row.problem}\n    got ${row.authorization}`}`);
if (!identity.every((r) => r.ok)) {
  console.error(`\nAborted: not every candidate produced the identical Authorization:\n  ${EXPECTED}`);
  process.exit(1);
}
const byId = new Map(candidates.map((c) => [c.id, c]));

// --- throughput -------------------------------------------------------------------------------
let throughput = { rows: [] };
let targets = [];
if (!skip.has("throughput")) {
  log(`throughput: ${candidates.length} candidates, ${config.rounds} rounds of ~${config.batchMs} ms batches`);
  const { results } = await roundRobin(candidates, {
    rounds: config.rounds, warmMs: config.warmMs, batchMs: config.batchMs,
    onRound: (r) => log(`  round ${r + 1}/${config.rounds} (load ${os.loadavg()[0].toFixed(1)})`),
  });
  const med = (id) => median(results.get(id).opsPerSec);
  throughput = {
    rows: candidates.map((c) => {
      const o = results.get(c.id).opsPerSec;
      return {
        id: c.id, label: c.label, median: med(c.id), min: Math.min(...o), max: Math.max(...o), batch: results.get(c.id).batch,
        cpuUsPerOp: median(results.get(c.id).cpuUsPerOp),
        vsSign3: med(c.id) / med("sdk.sign3"),
        vsOfficialFull: med(c.id) / med("sdk.full"),
        vsWebCryptoSeq: med(c.id) / med("wc.seq"),
      };
    }),
  };
  targets = [
    { name: "sign (`signRequest`) ≥ 3× `Sign.sign3`", ratio: ratio(results, "tc3.sign", "sdk.sign3"), want: 3 },
    { name: "validate+build+sign (`signExportImages`) ≥ 4× the official full path", ratio: ratio(results, "tc3.vbs", "sdk.full"), want: 4 },
    { name: "sign (`signRequest`) ≥ 50× the sequential WebCrypto signer", ratio: ratio(results, "tc3.sign", "wc.seq"), want: 50 },
    { name: "whole call (`client.ExportImages`, transport answering at once with a plain object) ≥ 2× the official full path with the same transport", ratio: ratio(results, "tc3.fullPlain", "sdk.fullPlain"), want: 2 },
  ].map((t) => ({ ...t, met: t.ratio.ofMedians >= t.want }));
  targets.extra = {
    signVsSign3Buffer: ratio(results, "tc3.sign", "sdk.sign3buf"),
    fullVsFull: ratio(results, "tc3.full", "sdk.full"),
    fullPlainVsFullPlain: ratio(results, "tc3.fullPlain", "sdk.fullPlain"),
    vbsVsWebCrypto: ratio(results, "tc3.vbs", "wc.seq"),
    wc32VsSeq: ratio(results, "wc.32", "wc.seq"),
  };
}

// --- per call ---------------------------------------------------------------------------------
const perCall = { heap: [], crossings: [], profiles: [] };
if (!skip.has("percall")) {
  log("per call: JS heap bytes, crossings, CPU profile");
  for (const c of candidates) {
    if (c.inFlight) continue;
    perCall.heap.push({ id: c.id, label: c.label, bytes: await heapBytesPerCall(c) });
  }
  const copy = await instrumentedCopy(PKG);
  const input = F.signInput();
  const params = F.params();
  const copyClient = new copy.mod.CvmClient({ credential: { ...F.CREDENTIAL }, region: F.REGION, profile: { httpProfile: { endpoint: F.HOST } } });
  const plainHeaders = new Map(Object.entries(F.CANNED_HEADERS));
  const plain = { status: 200, headers: { get: (k) => plainHeaders.get(k.toLowerCase()) ?? null }, text: async () => F.CANNED_RESPONSE };
  const copyFull = new copy.mod.CvmClient({ credential: { ...F.CREDENTIAL }, region: F.REGION, rateLimit: false, retry: false, fetch: async () => plain });
  const cross = [
    ["`signRequest` (string body)", () => copy.mod.signRequest(input)],
    ["`signRequest` (object payload)", () => copy.mod.signRequest({ ...input, payload: params })],
    ["`client.signExportImages`", () => copyClient.signExportImages(params, F.TIMESTAMP)],
    ["`client.validateExportImages`", () => copyClient.validateExportImages(params)],
    ["`client.ExportImages` (fetch injected, plain response)", () => copyFull.ExportImages(params)],
  ];
  for (const [label, fn] of cross) perCall.crossings.push({ label, ...(await crossingsPerCall(copy, fn)) });
  for (const id of ["tc3.sign", "tc3.vbs", "tc3.fullPlain"]) {
    perCall.profiles.push({ id, label: byId.get(id).label, shares: await profileShares(byId.get(id)) });
  }
}
gc();
mainMemory.push({ label: "after the identity gate, throughput and per-call runs", ...wasmState(mainWasm) });

// --- memory -----------------------------------------------------------------------------------
let memory = { run: null, main: mainMemory };
if (!skip.has("memory")) {
  log(`memory: ${config.memoryWarmup.toLocaleString("en-US")} warm-up + ${config.memoryCalls.toLocaleString("en-US")} signRequest calls on a fresh instance`);
  memory.run = await memoryRun(PKG, {
    warmup: config.memoryWarmup, total: config.memoryCalls, gc,
    onProgress: (i) => { if (i % (config.memoryCalls / 5) === 0) log(`  ${i.toLocaleString("en-US")} calls`); },
  });
}

// --- size ---------------------------------------------------------------------------------------
let size = null;
if (!skip.has("size")) {
  log("size: gzip -9 of the entries, esbuild bundles for comparison");
  size = { entries: tc3EdgeEntries(PKG_DIR), comparisons: await comparisons(REPO_DIR, PKG_DIR), wasm: wasmAnatomy(PKG_DIR) };
}

// --- cold start ---------------------------------------------------------------------------------
let cold = [];
if (!skip.has("cold")) {
  log(`cold start: ${config.coldProcesses} fresh processes per kind`);
  cold = await coldStart({ processes: config.coldProcesses, expected: EXPECTED, cwd: REPO_DIR, pkgDir: PKG_DIR, onProgress: (i) => log(`  ${i}/${config.coldProcesses}`) });
}

// --- workerd ------------------------------------------------------------------------------------
let workerd = { skipped: "skipped (--skip)" };
if (!skip.has("workerd")) {
  log("workerd: through Miniflare, if installed");
  try {
    workerd = await workerdBench({
      pkgDir: PKG_DIR, expected: EXPECTED, starts: config.workerdStarts, rounds: config.workerdRounds, K: 40, S: 2000,
      onProgress: (s) => log(`  ${s}`),
    });
  } catch (e) {
    if (/different Authorization/.test(e.message)) throw e;
    workerd = { skipped: `failed to run: ${e.message.split("\n")[0]}` };
  }
}

// --- the example Worker's Durable Object quota (issue #12) --------------------------------------
let quota = { skipped: "skipped (--skip)" };
if (!skip.has("quota")) {
  log("quota: the ExportQuota Durable Object in workerd");
  try {
    quota = await quotaDoBench({ n: quick ? 200 : 500 });
  } catch (e) {
    quota = { skipped: `failed to run: ${e.message.split("\n")[0]}` };
  }
}

machine.loadEnd = os.loadavg()[0].toFixed(2);

// --- notes (computed from this run) -------------------------------------------------------------
const notes = [];
const n = (x) => (x == null ? "–" : Math.round(x).toLocaleString("en-US"));
const pct = (x) => `${Math.round((x ?? 0) * 100)}%`;
const row = (id) => throughput.rows.find((t) => t.id === id);
if (throughput.rows.length) {
  const e = targets.extra;
  notes.push(`\`signRequest\` vs \`Sign.sign3\` given the same pre-serialized bytes (Buffer payload): ${e.signVsSign3Buffer.ofMedians.toFixed(2)}×.`);
  notes.push(`Full path vs full path: tc3-edge ${e.fullVsFull.ofMedians.toFixed(2)}× the official client with Response objects, ${e.fullPlainVsFullPlain.ofMedians.toFixed(2)}× with plain-object responses.`);
  notes.push(`WebCrypto with 32 requests in flight: ${e.wc32VsSeq.ofMedians.toFixed(2)}× its sequential rate (on CPU time ${e.wc32VsSeq.cpu.toFixed(2)}×).`);
}
const prof = perCall.profiles.find((p) => p.id === "tc3.sign");
if (prof) {
  const boundary = [GLUE, "TextDecoder/TextEncoder, memory views", "JS↔wasm trampolines"].reduce((a, k) => a + (prof.shares[k] ?? 0), 0);
  notes.push(`\`signRequest\`: ${pct(prof.shares["wasm code"])} of CPU samples in wasm code, ${pct(boundary)} at the boundary (glue, text decoding/encoding, trampolines), ${pct(prof.shares.GC ?? 0)} GC.`);
}
const cs = perCall.crossings[0];
if (cs) {
  notes.push(`\`signRequest\` (string body) makes ${cs.importCalls} wasm→JS calls and ${cs.exportCalls} JS→wasm calls per request; ` +
    `\`signExportImages\` ${perCall.crossings[2].importCalls} and ${perCall.crossings[2].exportCalls}.`);
}
const hb = (id) => perCall.heap.find((h) => h.id === id)?.bytes;
if (perCall.heap.length) {
  notes.push(`JS heap allocated per call: \`signRequest\` ${n(hb("tc3.sign"))} B, \`signExportImages\` ${n(hb("tc3.vbs"))} B, \`Sign.sign3\` ${n(hb("sdk.sign3"))} B; full paths: tc3-edge ${n(hb("tc3.full"))} B, official ${n(hb("sdk.full"))} B.`);
}
if (memory.run) {
  const p = memory.run.points;
  notes.push(`wasm memory: ${n(p[0].memoryBytes)} B fresh, ${n(p[1].memoryBytes)} B after warm-up, ${n(p.at(-1).memoryBytes)} B after ${n(config.memoryCalls)} more calls — ${p.at(-1).memoryBytes === p[1].memoryBytes ? "no growth after warm-up" : "GREW after warm-up"}.`);
}
const coldRow = (k) => cold.find((c) => c.kind === k);
if (cold.length) {
  notes.push(`Cold start, import → first signature: tc3-edge ${coldRow("tc3-sign").firstMs.toFixed(1)} ms (sign-only module ${coldRow("tc3-sign-lean").firstMs.toFixed(1)} ms) vs official \`sign3\` ${coldRow("sdk-sign3").firstMs.toFixed(1)} ms; import → first full call: tc3-edge ${coldRow("tc3-client").firstMs.toFixed(1)} ms vs official client ${coldRow("sdk-client").firstMs.toFixed(1)} ms.`);
}
if (row("wc.seq") && workerd && !workerd.skipped && workerd.signOpsPerSec) {
  notes.push(`In workerd, \`signRequest\` ran at ~${n(workerd.signOpsPerSec)} ops/s (timed from outside); in this Node process ${n(row("tc3.sign").median)} ops/s.`);
}

const report = {
  date: new Date().toISOString(), quick, machine, versions, config,
  request: { timestamp: F.TIMESTAMP, body: F.BODY },
  identity: { expected: EXPECTED, rows: identity },
  throughput, targets, perCall, size, cold, workerd, quota, memory, notes,
};

// --- output -------------------------------------------------------------------------------------
stub.restore();
if (throughput.rows.length) console.log("\n" + consoleTable(report) + "\n");
if (outPath) {
  if (skip.size) log(`not writing ${outPath}: sections were skipped`);
  else {
    writeFileSync(outPath, markdown(report));
    log(`wrote ${outPath}`);
  }
}
log(`done in ${((performance.now() - wall0) / 1000).toFixed(0)} s (sink ${getSink()})`);
