// A/B of builds: round-robin, in ONE process, over package folders built with different
// settings (what a lever buys). Each folder must hold node.js + gen/ (a copy of pkg/ built by
// scripts/build.sh with TC3_PKG_DIR=<folder>). Every build must sign the fixture request to the
// identical Authorization; `Sign.sign3` runs in the same rounds as the reference.
//
//   node bench/ab.mjs sign|full <pkgDir> [<pkgDir> …]
//
// Prints µs/op (median and min of AB_ROUNDS (default 11) rounds of ~150 ms) and the ratio to
// Sign.sign3. On a noisy machine run more rounds, and compare the medians of repeated runs.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as F from "./fixtures.mjs";
import { loadOfficialSdk } from "./official-sdk.mjs";

const [which, ...dirs] = process.argv.slice(2);
if (!["sign", "full"].includes(which) || dirs.length === 0) {
  console.error("usage: node bench/ab.mjs sign|full <pkgDir> [<pkgDir> …]");
  process.exit(2);
}
const sdk = loadOfficialSdk();
const EXPECTED = sdk.Sign.sign3(F.sign3Input());
const ROUNDS = Number(process.env.AB_ROUNDS ?? 11);
const BATCH_NS = 150_000_000n;

const candidates = [];
for (const dir of dirs) {
  const m = await import(pathToFileURL(resolve(dir, "node.js")).href);
  const input = F.signInput();
  const params = F.params();
  const client = new m.CvmClient({ credential: { ...F.CREDENTIAL }, region: F.REGION, profile: { httpProfile: { endpoint: F.HOST } } });
  const fn = which === "sign" ? () => m.signRequest(input) : () => client.signExportImages(params, F.TIMESTAMP);
  const got = fn().authorization;
  if (got !== EXPECTED) throw new Error(`${dir} signs differently:\n  ${got}\n  ${EXPECTED}`);
  candidates.push({ label: dir, fn, us: [] });
}
const params = F.params();
candidates.push({ label: "Sign.sign3", fn: () => sdk.Sign.sign3(F.sign3Input(F.TIMESTAMP, params)), us: [] });

for (const c of candidates) for (let i = 0; i < 20_000; i++) c.fn(); // warm-up: every tier compiled
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[(round + k) % candidates.length]; // rotating order
    const t0 = process.hrtime.bigint();
    let n = 0;
    while (process.hrtime.bigint() - t0 < BATCH_NS) {
      for (let i = 0; i < 100; i++) c.fn();
      n += 100;
    }
    c.us.push(Number(process.hrtime.bigint() - t0) / n / 1000);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ref = median(candidates.at(-1).us);
console.log(`| build (${which}) | µs/op median | µs/op min | vs Sign.sign3 |\n| --- | --- | --- | --- |`);
for (const c of candidates) {
  console.log(`| ${c.label} | ${median(c.us).toFixed(2)} | ${Math.min(...c.us).toFixed(2)} | ${(ref / median(c.us)).toFixed(2)}× |`);
}
