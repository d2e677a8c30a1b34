// The JS channel (js/channel.js) shared by the call and wait drivers, with the real wasm
// module: concurrent calls and waits of one client share its input buffer, so an event's text
// must be written in the same turn as the step that reads it. (Found while moving the drivers
// onto the channel: a write before an `await` let another call overwrite it, and a call that
// got DryRunOperation was fed another call's answer and retried.)
import assert from "node:assert/strict";
import { test } from "node:test";

import { CvmClient } from "../../pkg/node.js";

const credential = { secretId: "AKIDtest", secretKey: "key-SECRET-abcdef" };

/** One promise every fake fetch awaits: their answers then resolve in the same turn. */
const gate = () => new Promise((r) => setTimeout(r, 20));

test("concurrent calls answered in the same turn each get their own answer", async () => {
  let n = 0;
  const turn = gate();
  const fetch = async (url, init) => {
    const mine = ++n;
    await turn;
    return new Response(JSON.stringify({ Response: { Mine: mine, Action: init.headers["X-TC-Action"], RequestId: `r${mine}` } }), { status: 200 });
  };
  const c = new CvmClient({ credential, region: "ap-guangzhou", fetch, rateLimit: false });
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => c.request(i % 2 ? "DescribeImages" : "DescribeInstances", {})));
  assert.deepEqual(new Set(results.map((r) => r.Mine)).size, 12, "no answer delivered twice");
  results.forEach((r, i) => assert.equal(r.Action, i % 2 ? "DescribeImages" : "DescribeInstances"));
  assert.equal(n, 12, "nothing resent");
});

test("concurrent checks of one client each get their own files", async () => {
  const turn = gate();
  const fetch = async (url) => {
    await turn;
    const ready = url.includes("/ready-");
    const headers = { "content-length": String(url.length), "last-modified": "Wed, 27 Nov 2024 01:02:03 GMT" };
    return new Response(ready ? null : "<Error><Code>NoSuchKey</Code></Error>", { status: ready ? 200 : 404, headers });
  };
  const c = new CvmClient({ credential, region: "ap-guangzhou", fetch, rateLimit: false });
  const task = (key) => ({ BucketName: "backup-1250000000", CosPaths: [key] });
  const keys = ["/ready-a.qcow2", "/pending-b.qcow2", "/ready-ccc.qcow2", "/pending-d.qcow2"];
  const states = await Promise.all(keys.map((k) => c.checkExportFiles(task(k))));
  states.forEach((s, i) => {
    assert.equal(s.files[0].key, keys[i]);
    assert.equal(s.files[0].state, keys[i].startsWith("/ready") ? "ready" : "pending");
  });
});
