// The whole-call comparison alone (issue #13): tc3-edge `client.ExportImages` vs the official
// `cvm.v20170312.Client.ExportImages`, each with a transport that answers at once (a plain
// object, and each library's Response class), plus `signExportImages` and `Sign.sign3` for
// reference — the same candidates as `npm run bench`, round-robin in one process, after the
// same identity gate. `node bench/full-path.mjs [pkgDir]` (FULL_ROUNDS, default 11).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as F from "./fixtures.mjs";
import { buildCandidates, identityCheck } from "./candidates.mjs";
import { installStub, loadOfficialSdk } from "./official-sdk.mjs";
import { median, roundRobin } from "./throughput.mjs";

const pkg = pathToFileURL(resolve(process.argv[2] ?? "pkg") + "/").href;
const { CvmClient, signRequest } = await import(new URL("node.js", pkg).href);
const { signRequest: leanSignRequest } = await import(new URL("sign/node.js", pkg).href);
const sdk = loadOfficialSdk();
const stub = installStub(sdk);
const all = buildCandidates({ tc3: { CvmClient, signRequest, leanSignRequest }, sdk, stub });
const ids = ["tc3.fullPlain", "sdk.fullPlain", "tc3.full", "sdk.full", "tc3.vbs", "sdk.sign3"];
const candidates = all.filter((c) => ids.includes(c.id));
const expected = sdk.Sign.sign3(F.sign3Input());
for (const row of await identityCheck(candidates, expected)) {
  if (!row.ok) throw new Error(`${row.label}: ${row.problem}`);
}
const { results } = await roundRobin(candidates, { rounds: Number(process.env.FULL_ROUNDS ?? 11), warmMs: 300, batchMs: 150 });
const ops = (id) => median(results.get(id).opsPerSec);
const perRound = (a, b) => median(results.get(a).opsPerSec.map((x, i) => x / results.get(b).opsPerSec[i]));
console.log("| candidate | ops/s (median) | µs/op |\n| --- | --- | --- |");
for (const c of candidates) console.log(`| ${c.label} | ${Math.round(ops(c.id)).toLocaleString("en-US")} | ${(1e6 / ops(c.id)).toFixed(1)} |`);
console.log(`\nplain object: tc3-edge / official = ${(ops("tc3.fullPlain") / ops("sdk.fullPlain")).toFixed(2)}× (per-round median ${perRound("tc3.fullPlain", "sdk.fullPlain").toFixed(2)}×)`);
console.log(`Response classes: tc3-edge (WHATWG) / official (node-fetch) = ${(ops("tc3.full") / ops("sdk.full")).toFixed(2)}× (per-round ${perRound("tc3.full", "sdk.full").toFixed(2)}×)`);
console.log(`tc3-edge plain vs official node-fetch Response (the official client as users run it): ${(ops("tc3.fullPlain") / ops("sdk.full")).toFixed(2)}×`);
