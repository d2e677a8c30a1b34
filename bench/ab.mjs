// A/B of builds: round-robin, in ONE process, over package folders built with different
// settings (what a lever buys). Each folder must hold node.js + gen/ (a copy of pkg/ built by
// scripts/build.sh with TC3_PKG_DIR=<folder>). Every build must sign the fixture request to the
// identical Authorization; `Sign.sign3` runs in the same rounds as the reference.
//
//   node bench/ab.mjs sign|full|call <pkgDir> [<pkgDir> …]
//
// call = the whole `client.ExportImages` with a transport that answers at once with a plain object,
// next to the official full path with the same transport (its stubbed node-fetch).
//
// Prints µs/op (median and min of AB_ROUNDS (default 11) rounds of ~150 ms) and the ratio to
// Sign.sign3. On a noisy machine run more rounds, and compare the medians of repeated runs.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as F from "./fixtures.mjs";
import { installStub, loadOfficialSdk } from "./official-sdk.mjs";
import { median, roundRobin } from "./throughput.mjs";

const [which, ...dirs] = process.argv.slice(2);
if (!["sign", "full", "call"].includes(which) || dirs.length === 0) {
  console.error("usage: node bench/ab.mjs sign|full|call <pkgDir> [<pkgDir> …]");
  process.exit(2);
}
const sdk = loadOfficialSdk();
const EXPECTED = sdk.Sign.sign3(F.sign3Input());
const plainHeaders = new Map(Object.entries(F.CANNED_HEADERS));
const plain = { status: 200, headers: { get: (n) => plainHeaders.get(String(n).toLowerCase()) ?? null }, text: async () => F.CANNED_RESPONSE };

const candidates = [];
for (const dir of dirs) {
  const m = await import(pathToFileURL(resolve(dir, "node.js")).href);
  const input = F.signInput();
  const params = F.params();
  const client = new m.CvmClient({ credential: { ...F.CREDENTIAL }, region: F.REGION, profile: { httpProfile: { endpoint: F.HOST } } });
  if (which === "call") {
    const caller = new m.CvmClient({
      credential: { ...F.CREDENTIAL }, region: F.REGION, profile: { httpProfile: { endpoint: F.HOST } },
      rateLimit: false, retry: false, fetch: async () => plain,
    });
    const r = await caller.ExportImages(F.params());
    if (r.TaskId !== JSON.parse(F.CANNED_RESPONSE).Response.TaskId) throw new Error(`${dir}: unexpected result`);
    candidates.push({ id: dir, kind: "async", fn: () => caller.ExportImages(params) });
    continue;
  }
  const fn = which === "sign" ? () => m.signRequest(input) : () => client.signExportImages(params, F.TIMESTAMP);
  const got = fn().authorization;
  if (got !== EXPECTED) throw new Error(`${dir} signs differently:\n  ${got}\n  ${EXPECTED}`);
  candidates.push({ id: dir, kind: "sync", fn });
}
const params = F.params();
let REF = "Sign.sign3";
if (which === "call") {
  const stub = installStub(sdk);
  stub.state.mode = "plain";
  const official = new sdk.Client({ credential: { ...F.CREDENTIAL }, region: F.REGION, profile: { httpProfile: { endpoint: F.HOST } } });
  REF = "official full path (plain)";
  candidates.push({ id: REF, kind: "async", fn: () => official.ExportImages(params) });
} else {
  candidates.push({ id: REF, kind: "sync", fn: () => sdk.Sign.sign3(F.sign3Input(F.TIMESTAMP, params)) });
}

// The bench's own round-robin (rotating order, calibrated ~150 ms batches).
const { results } = await roundRobin(candidates, { rounds: Number(process.env.AB_ROUNDS ?? 11), warmMs: 300, batchMs: 150 });
const us = (id) => results.get(id).opsPerSec.map((ops) => 1e6 / ops);
const ref = median(us(REF));
console.log(`| build (${which}) | µs/op median | µs/op min | vs ${REF} |\n| --- | --- | --- | --- |`);
for (const { id } of candidates) {
  console.log(`| ${id} | ${median(us(id)).toFixed(2)} | ${Math.min(...us(id)).toFixed(2)} | ${(ref / median(us(id))).toFixed(2)}× |`);
}
