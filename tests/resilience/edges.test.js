// Issue #17 — the call and the wait at their edges, through the built package in Node against
// real HTTP servers (the emulator, and plain node:http servers for redirects):
// cancellation that reaches a shared limiter and the client's own; redirects never followed;
// stale files kept pending with notBefore (a re-export over the same keys); COS clock skew
// corrected from COS's Date; an answer read before an abort delivered.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";

import {
  apiResponse, BUCKET, client, CvmClient, exportParams, PERM, REGION, settleAll, sleep, TencentCloudError, track,
  useEmulator,
} from "./support/helpers.js";

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]), { exportTaskMs: 600 });

const FAST = { interval: 0.05, maxInterval: 0.2, timeout: 20 };

function cosClient(opts = {}) {
  return client(emu, { ...opts, profile: { cosEndpoint: `${emu.url}cos/{Bucket}`, ...(opts.profile ?? {}) } });
}

async function adminPost(path, body) {
  const res = await fetch(`${emu.url}__admin/${path}`, { method: "POST", body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

async function exportOne(c) {
  const p = { BucketName: BUCKET, ImageIds: ["img-pq5pau1w"], ExportFormat: "QCOW2", FileNamePrefixList: ["edge"] };
  const task = await c.ExportImages(p);
  return { ...task, BucketName: p.BucketName };
}

/** A plain HTTP server; `handle(req, res)`; records every request. */
async function server(handle) {
  const hits = [];
  const s = createServer((req, res) => {
    hits.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    handle(req, res);
  });
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${s.address().port}/`, hits, close: () => new Promise((ok) => s.close(ok)) };
}

// ---- 2. Cancellation reaches what was started --------------------------------------------------

test("a shared limiter's acquire gets a signal that aborts when the call gives up (reqTimeout, the caller's abort)", async () => {
  const seen = [];
  const rateLimit = { acquire: (action, { signal }) => (seen.push({ action, signal }), new Promise(() => {})) };
  const c = new CvmClient({ credential: PERM, region: REGION, rateLimit, fetch: async () => assert.fail("nothing is sent"), profile: { httpProfile: { reqTimeout: 1 } } });
  const timedOut = track(c.request("DescribeImages", {}));
  const ac = new AbortController();
  const aborted = track(c.request("DescribeImages", {}, { signal: ac.signal }));
  await sleep(50);
  assert.equal(seen.length, 2);
  assert.ok(seen.every((s) => s.signal && !s.signal.aborted), "not aborted while the call still waits");
  ac.abort();
  await settleAll([aborted], 2_000);
  assert.equal(aborted.error?.code, "Client.Aborted");
  assert.ok(seen[1].signal.aborted, "the caller's abort reaches the limiter");
  await settleAll([timedOut], 3_000);
  assert.equal(timedOut.error?.code, "Client.RateLimiterError");
  assert.ok(seen[0].signal.aborted, "reqTimeout reaches the limiter: it stops holding a slot nobody will use");
});

test("a call aborted while it waits in the client's limiter gives its slot back: the call behind it moves up", async () => {
  const sent = [];
  const fetch = async (url, init) => (sent.push({ at: performance.now(), body: init.body }), apiResponse({ TotalCount: 0, ImageSet: [] }));
  const c = new CvmClient({ credential: PERM, region: REGION, fetch, rateLimit: { perSecond: 1 }, profile: { httpProfile: { endpoint: emu.url, reqTimeout: 5 } } });
  const t0 = performance.now();
  const a = track(c.request("DescribeImages", { Limit: 1 }));
  const ac = new AbortController();
  const b = track(c.request("DescribeImages", { Limit: 2 }, { signal: ac.signal })); // slot ~1.1 s
  const d = track(c.request("DescribeImages", { Limit: 3 })); // slot ~2.2 s, behind b
  await sleep(100);
  ac.abort();
  await settleAll([a, b, d], 5_000);
  assert.ok(a.ok && d.ok, d.error?.message);
  assert.equal(b.error?.code, "Client.Aborted");
  assert.equal(sent.length, 2, "b sent nothing");
  const dAt = sent.find((s) => s.body.includes('"Limit":3')).at - t0;
  // b's slot (one window after a) went to d: well before the 2.2 s it had reserved behind b.
  assert.ok(dAt >= 1000 && dAt < 1800, `d was sent after ${Math.round(dAt)} ms`);
});

test("a call whose wait in the client's limiter would pass reqTimeout is refused at once (Client.RateLimiterError, the wait named)", async () => {
  const sent = [];
  const fetch = async () => (sent.push(1), apiResponse({ TotalCount: 0, ImageSet: [] }));
  const c = new CvmClient({ credential: PERM, region: REGION, fetch, rateLimit: { perSecond: 1 }, profile: { httpProfile: { endpoint: emu.url, reqTimeout: 1 } } });
  const first = track(c.request("DescribeImages", {}));
  const second = track(c.request("DescribeImages", {}));
  await settleAll([second], 500); // settled at once, not after its reqTimeout
  assert.equal(second.settlements, 1, "refused without waiting");
  assert.ok(second.error instanceof TencentCloudError);
  assert.equal(second.error.code, "Client.RateLimiterError");
  const needed = Number(/would have to wait (\d+) ms/.exec(second.error.message)?.[1]);
  assert.ok(needed > 1000 && needed <= 1100, second.error.message);
  await settleAll([first]);
  assert.equal(sent.length, 1);
});

// ---- 4. Never follow a redirect ---------------------------------------------------------------

test("a redirect from the API or COS is Client.HttpStatus with its httpCode, not followed, not retried: the Location receives nothing", async () => {
  const target = await server((req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end('{"Response":{"RequestId":"stolen"}}'));
  const redirector = await server((req, res) => res.writeHead(307, { Location: `${target.url}steal${req.url}` }).end());
  try {
    const c = new CvmClient({
      credential: { secretId: PERM.secretId, secretKey: PERM.secretKey, token: "session-token-SECRET-0123456789" },
      region: REGION,
      profile: { httpProfile: { endpoint: redirector.url }, cosEndpoint: `${redirector.url}cos/{Bucket}` },
    });
    for (const call of [() => c.request("DescribeImages", {}), () => c.ExportImages(exportParams().params)]) {
      const err = await call().then(() => assert.fail("resolved"), (e) => e);
      assert.ok(err instanceof TencentCloudError, String(err));
      assert.equal(err.code, "Client.HttpStatus");
      assert.equal(err.httpCode, 307);
      assert.match(err.message, /redirects are not followed/);
    }
    assert.equal(redirector.hits.length, 2, "one attempt each: DescribeImages (idempotent) was not retried either");
    const wait = await c.checkExportFiles({ BucketName: BUCKET, CosPaths: ["/a.qcow2"] }).then(() => assert.fail("resolved"), (e) => e);
    assert.equal(wait.code, "Client.HttpStatus");
    assert.equal(wait.httpCode, 307);
    assert.equal(redirector.hits.length, 3);
    assert.equal(target.hits.length, 0, "the signature and the token never travelled to the Location");
  } finally {
    await target.close();
    await redirector.close();
  }
});

// ---- 5. Stale files: notBefore ----------------------------------------------------------------

test("re-export over the same keys: with notBefore the old file stays pending until the new one is written", async () => {
  const c = cosClient();
  const old = await exportOne(c);
  await c.waitForExport(old, FAST);
  // That export was yesterday's.
  await adminPost("age", { seconds: 86_400 });
  await adminPost("config", { exportTaskMs: 1500 });
  const startedAt = new Date();
  const again = await exportOne(c);
  assert.deepEqual(again.CosPaths, old.CosPaths, "the same keys");
  // Without notBefore: yesterday's file, at once.
  const [stale] = await c.waitForExport(again, FAST);
  assert.ok(Date.parse(stale.lastModified) < startedAt.getTime() - 80_000_000, stale.lastModified);
  const once = await c.checkExportFiles(again, { notBefore: startedAt });
  assert.equal(once.files[0].state, "pending", JSON.stringify(once));
  // With notBefore (a Date, or Unix seconds): the new file.
  for (const notBefore of [startedAt, startedAt.getTime() / 1000]) {
    const [file] = await c.waitForExport(again, { ...FAST, notBefore });
    assert.ok(Date.parse(file.lastModified) >= startedAt.getTime() - 60_000, file.lastModified);
    const body = await (await fetch(file.url)).arrayBuffer();
    assert.equal(body.byteLength, file.size);
  }
});

// ---- 6. COS clock skew --------------------------------------------------------------------------

for (const offset of [-3600, 3600]) {
  test(`COS's clock ${offset > 0 ? "ahead" : "behind"} by an hour: the wait re-signs on COS's Date and goes on; links use the corrected time`, async () => {
    const c = cosClient();
    const task = await exportOne(c);
    await sleep(700);
    await adm.faults({ clockOffsetSeconds: offset });
    // The export is done on COS's clock too (had it been an hour behind, it would not be yet).
    await adminPost("age", { seconds: 7200 });
    const before = (await adm.ledger()).cos.total;
    const [file] = await c.waitForExport(task, FAST);
    const cos = (await adm.ledger()).cos;
    const codes = cos.recent.slice(-(cos.total - before)).map((r) => r.code);
    // HEAD 403 (no body) -> a GET to read why -> the clock error -> the HEAD re-signed: 200.
    // (Behind: the signature starts in COS's future; ahead: it has expired on COS's clock.)
    const why = offset < 0 ? "RequestTimeTooSkewed" : "AccessDenied";
    assert.deepEqual(codes, [why, why, "Success"]);
    const signTime = new URL(file.url).searchParams.get("q-sign-time").split(";").map(Number);
    const serverNow = Date.now() / 1000 + offset;
    assert.ok(Math.abs(signTime[0] - serverNow) < 10, `link signed at ${signTime[0]}, COS's clock ${serverNow}`);
    assert.equal((await fetch(file.url)).status, 200, "the link works on COS's clock");
    const link = c.presignCosUrl({ BucketName: BUCKET, key: task.CosPaths[0] });
    const start = Number(new URL(link.url).searchParams.get("q-sign-time").split(";")[0]);
    assert.ok(Math.abs(start - serverNow) < 10, "presignCosUrl uses the corrected clock too");
  });
}

// ---- 8. An answer that arrived is never thrown away -------------------------------------------

test("ExportImages: a response read before the abort is seen is delivered (the TaskId)", async () => {
  const body = JSON.stringify({ Response: { TaskId: 4242, CosPaths: ["/x.qcow2"], RequestId: "r" } });
  // A signal (duck-typed, as the library accepts) that fires the moment the attempt lets go of
  // it — right after the whole answer was read, before the driver hands it to the machine.
  let sent = false;
  const signal = {
    aborted: false,
    addEventListener() {},
    removeEventListener() {
      if (sent) signal.aborted = true;
    },
  };
  const fetch = async () => {
    sent = true;
    return { status: 200, headers: { get: (n) => (n === "date" ? new Date().toUTCString() : null) }, text: async () => body };
  };
  const c = new CvmClient({ credential: PERM, region: REGION, fetch });
  const r = await c.ExportImages(exportParams().params, { signal });
  assert.ok(signal.aborted, "the abort did come");
  assert.equal(r.TaskId, 4242, "the task it created is not lost");
  // What has not arrived, the abort wins over.
  const ac = new AbortController();
  const never = new CvmClient({ credential: PERM, region: REGION, fetch: () => new Promise(() => {}) });
  const p = never.ExportImages(exportParams().params, { signal: ac.signal });
  await sleep(10);
  ac.abort();
  await assert.rejects(p, { code: "Client.Aborted" });
});

// ---- 9. The quiet probe ------------------------------------------------------------------------

test('probe: "list": the wait polls with signed GET Bucket listings — every answer a 200, no 404 to log', async () => {
  const c = cosClient({ credential: (await import("./support/helpers.js")).TEMP });
  const task = await exportOne(c);
  const pending = await c.checkExportFiles(task, { probe: "list" });
  assert.equal(pending.files[0].state, "pending");
  const [file] = await c.waitForExport(task, { ...FAST, probe: "list" });
  assert.equal(file.key, task.CosPaths[0]);
  assert.ok(file.size > 0 && file.etag && file.lastModified, JSON.stringify(file));
  const cos = (await adm.ledger()).cos;
  assert.equal((await fetch(file.url)).status, 200, "its link downloads the file");
  assert.ok(cos.total >= 2);
  assert.deepEqual(new Set(cos.recent.map((r) => r.status)), new Set([200]), "only 200s");
  assert.ok(cos.recent.every((r) => r.key === "/" && r.token), "listings of the bucket, with the session token");
  await assert.rejects(c.waitForExport(task, { probe: "LIST" }), { code: "Client.InvalidOption", field: "probe" });
});
