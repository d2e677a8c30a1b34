// The option objects whose SHAPES js/options.js checks — presignCosUrl's request, the task and
// options of waitForExport / checkExportFiles, a call's options (ExportImages, request, the
// generic client's request) — behave exactly as the Rust reader (`Props`, reading property by
// property through `Reflect`) made them behave: for every case of ./support/option-cases.js
// (wrong types, unknown keys, null/undefined, arrays, getters and proxy traps that throw,
// NaN/Infinity, huge numbers, Dates vs numbers, strings with NUL, two wrong properties at once
// for the order of the errors, …) the same outcome — the TencentCloudError's code, message,
// field and other properties, another error's class and message, or the same result and
// requests sent — as recorded in tests/fixtures/option-outcomes.json.
//
// That fixture was generated from main's build at 99b3b86 (the Rust reader), before the move:
//   TC3_PKG_DIR=/tmp/before bash scripts/build.sh   # on that commit
//   node tests/js/support/record-option-outcomes.mjs /tmp/before "main at 99b3b86"
// Record it anew only to change this behaviour on purpose.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import * as pkg from "../../pkg/node.js";
import { caseIds, runCase } from "./support/option-cases.js";

const FIXTURE = JSON.parse(readFileSync(new URL("../fixtures/option-outcomes.json", import.meta.url), "utf8"));

describe("option shapes: the same outcomes as the Rust reader (tests/fixtures/option-outcomes.json)", () => {
  it("the corpus is the one recorded", () => {
    assert.deepEqual(caseIds(), Object.keys(FIXTURE.outcomes));
    assert.ok(FIXTURE.cases > 5000);
  });

  for (const target of ["presign", "waitTask", "waitOptions", "checkTask", "checkOptions", "exportOptions", "requestOptions", "genericOptions"]) {
    const ids = caseIds().filter((id) => id.split("/")[0] === target);
    it(`${target}: ${ids.length} cases, 0 differences`, async () => {
      const differences = [];
      for (const id of ids) {
        const got = await runCase(pkg, id);
        const want = FIXTURE.distinct[FIXTURE.outcomes[id]];
        try {
          assert.deepStrictEqual(JSON.parse(JSON.stringify(got)), want);
        } catch {
          differences.push(`${id}\n  got:  ${JSON.stringify(got)}\n  want: ${JSON.stringify(want)}`);
        }
      }
      assert.equal(differences.length, 0, `${differences.length} of ${ids.length} differ:\n${differences.slice(0, 10).join("\n")}`);
    });
  }
});

// What a getter or a proxy trap throws while these options are read is thrown (or rejected
// with) as it is — the outcomes above — and the client stays usable: thrown through the wasm
// frames unhandled, it once left the method's borrow of its client taken, and every later call
// of that client failed with "recursive use of an object detected".
describe("a throw while the options are read leaves the client usable", () => {
  const credential = { secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE" };
  const headers = new Headers({ "content-length": "10", etag: '"e"', "last-modified": new Date(1717200000000).toUTCString() });
  const cosFetch = async () => ({ status: 200, headers, text: async () => "", body: null });
  const task = { BucketName: "examplebucket-1250000000", CosPaths: ["exports/img-1.qcow2"] };
  const request = { BucketName: "examplebucket-1250000000", key: "exports/img-1.qcow2" };
  const boom = new RangeError("trap");
  const trap = () => new Proxy({}, { ownKeys() { throw boom; } });

  const cases = {
    "presignCosUrl's request": (c) => c.presignCosUrl(trap()),
    "checkExportFiles' task": (c) => c.checkExportFiles(trap()),
    "waitForExport's options": (c) => c.waitForExport(task, trap()),
    "a call's options": (c) => c.request("DescribeRegions", {}, trap()),
    "notBefore that is not a real Date": (c) => c.checkExportFiles(task, { notBefore: Object.create(Date.prototype) }),
  };
  for (const [name, bad] of Object.entries(cases)) {
    it(name, async () => {
      const client = new pkg.CvmClient({ credential, region: "ap-guangzhou", fetch: cosFetch });
      const thrown = await (async () => bad(client))().then(() => assert.fail("accepted"), (e) => e);
      if (name.startsWith("notBefore")) assert.ok(thrown instanceof TypeError);
      else assert.equal(thrown, boom, "the trap's own error");
      assert.equal(client.presignCosUrl(request).url.split("?")[0], "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/exports/img-1.qcow2");
      const state = await client.checkExportFiles(task);
      assert.equal(state.ready, 1);
    });
  }
});

// The same for a credential provider's answer: a getter that throws is the provider failing
// (Client.CredentialProviderError, its message kept), and the client's next call works.
it("a provider answer whose getter throws is a provider error, and the client stays usable", async () => {
  let calls = 0;
  const answer = { Response: { RegionSet: [], TotalCount: 0, RequestId: "r-1" } };
  const client = new pkg.CvmClient({
    region: "ap-guangzhou",
    credential: async () => (++calls === 1
      ? { get secretId() { throw new Error("vault sealed"); }, secretKey: "k" }
      : { secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE" }),
    retry: false,
    fetch: async () => ({ status: 200, headers: new Headers(), text: async () => JSON.stringify(answer) }),
  });
  const e = await client.request("DescribeRegions", {}).then(() => assert.fail("accepted"), (x) => x);
  assert.equal(e.code, "Client.CredentialProviderError");
  assert.match(e.message, /vault sealed/);
  assert.deepEqual(await client.request("DescribeRegions", {}), answer.Response);
  assert.equal(calls, 2);
});
