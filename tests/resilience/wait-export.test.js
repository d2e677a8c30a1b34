// client.waitForExport / client.checkExportFiles (issue #11) against the emulator's COS
// (emulator/README.md, "COS"): an export's files appear one by one over the task's ExportMs.
// Proved here: progress (non-decreasing `ready`, one event at the start and exactly one per
// file that appears, never before the file exists), presigned links that download the
// emulator's bytes, abort mid-wait (nothing sent after it), timeout naming the missing files,
// a bucket that does not exist (NoSuchBucket, not an endless wait), a wrong key
// (SignatureDoesNotMatch), 5xx during polling (retried), temporary credentials (token sent),
// option errors (nothing sent), a throwing onProgress, the one-round check.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { objectBody } from "../../emulator/cos.js";
import { client, CvmClient, PERM, REGION, settleAll, sleep, TEMP, TencentCloudError, track, useEmulator } from "./support/helpers.js";

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]), { exportTaskMs: 1200 });

const BUCKET = "backup-1250000000";
const FAST = { interval: 0.05, maxInterval: 0.2, timeout: 20 };

/** A client whose COS requests go to the emulator. */
function cosClient(opts = {}) {
  return client(emu, { ...opts, profile: { cosEndpoint: `${emu.url}cos/{Bucket}`, ...(opts.profile ?? {}) } });
}

async function config(exportTaskMs) {
  const res = await fetch(`${emu.url}__admin/config`, { method: "POST", body: JSON.stringify({ exportTaskMs }) });
  assert.equal(res.status, 200);
}

/** Exports two images (3 files: img-72n9mi0y has a data disk) and returns { task, ledgerTask }. */
async function exportTwo(c, params = {}) {
  const p = { BucketName: BUCKET, ImageIds: ["img-pq5pau1w", "img-72n9mi0y"], ExportFormat: "QCOW2", ...params };
  const task = await c.ExportImages(p);
  const ledgerTask = (await adm.ledger()).tasks.find((t) => t.TaskId === task.TaskId);
  return { task: { ...task, BucketName: p.BucketName }, ledgerTask };
}

const cosRequests = async () => (await adm.ledger()).cos;

test("files appearing at different times: one progress event per change, then links that download the files", async () => {
  const c = cosClient();
  const { task, ledgerTask } = await exportTwo(c);
  assert.ok(task.CosPaths.length >= 2, "several files");
  const readyAt = ledgerTask.Files.map((f) => Date.parse(f.ReadyAt));
  assert.ok(new Set(readyAt).size === readyAt.length, "the emulator staggers them");

  const events = [];
  const t = track(c.waitForExport(task, { ...FAST, onProgress: (p) => events.push({ p, at: Date.now() }) }));
  await settleAll([t], 20_000);
  assert.equal(t.settlements, 1);
  assert.ok(t.ok, t.error?.stack);
  const files = t.value;

  // Progress: at the start, then exactly one event per file that appears; `ready` never decreases.
  assert.equal(events.length, task.CosPaths.length + 1, JSON.stringify(events.map((e) => e.p.ready)));
  events.forEach(({ p }, i) => {
    assert.equal(p.ready, i);
    assert.equal(p.total, task.CosPaths.length);
    assert.deepEqual(p.files.map((f) => f.key), task.CosPaths);
    assert.equal(p.files.filter((f) => f.state === "ready").length, i);
    if (i > 0) assert.ok(p.elapsedMs >= events[i - 1].p.elapsedMs);
  });
  // Each file is reported ready only once it exists, and stays ready.
  for (let i = 1; i < events.length; i++) {
    const { p, at } = events[i];
    const newly = p.files.findIndex((f, k) => f.state === "ready" && events[i - 1].p.files[k].state === "pending");
    assert.ok(newly >= 0);
    assert.ok(at >= readyAt[newly], `${p.files[newly].key} reported at ${at}, exists from ${readyAt[newly]}`);
    assert.ok(p.files[newly].url, "a ready file in a progress report has its link");
    assert.equal(p.files[newly].size, objectBody(BUCKET, task.CosPaths[newly]).length);
  }
  // The files appeared in CosPaths order (the emulator's stagger), so they were reported so.
  assert.deepEqual(events.slice(1).map(({ p }) => p.files.findLastIndex((f) => f.state === "ready")), task.CosPaths.map((_, i) => i));

  // The result: every file, with size, ETag (MD5 of the body), ISO lastModified and a working link.
  assert.deepEqual(files.map((f) => f.key), task.CosPaths);
  for (const f of files) {
    const body = objectBody(BUCKET, f.key);
    assert.equal(f.size, body.length);
    assert.equal(f.etag, `"${createHash("md5").update(body).digest("hex")}"`);
    assert.match(f.lastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.ok(f.url.startsWith(`${emu.url}cos/${BUCKET}/`), f.url);
    assert.match(f.url, /q-sign-algorithm=sha1&q-ak=AKID/);
    const res = await fetch(f.url);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(body), "the link downloads the file");
  }
  // Polls were HEADs, signed for the real COS host; a GET read the first 404's body once.
  const cos = await cosRequests();
  const polls = cos.recent.filter((r) => r.key !== undefined && r.auth !== "query");
  assert.ok(polls.every((r) => r.signedHost === `${BUCKET}.cos.${REGION}.myqcloud.com`), JSON.stringify(polls[0]));
  assert.equal(polls.filter((r) => r.method === "GET").length, 1, "one GET: the first 404, read for its NoSuchKey");
  assert.ok(polls.filter((r) => r.method === "HEAD").length >= task.CosPaths.length);
});

test("an export that already finished is seen by the first round, with no wait", async () => {
  await config(0);
  const c = cosClient();
  const { task } = await exportTwo(c);
  const events = [];
  const t0 = performance.now();
  const files = await c.waitForExport(task, { interval: 30, onProgress: (p) => events.push(p.ready) });
  assert.ok(performance.now() - t0 < 5000, "no 30 s sleep");
  assert.equal(files.length, task.CosPaths.length);
  assert.deepEqual(events, [0, ...task.CosPaths.map((_, i) => i + 1)]);
  const cos = await cosRequests();
  assert.equal(cos.byCode.NoSuchKey ?? 0, 0);
  assert.equal(cos.total, task.CosPaths.length, "one HEAD per file");
});

test("abort mid-wait rejects at once with Client.Aborted and nothing is sent after it", async () => {
  await config(60_000);
  const c = cosClient();
  const { task } = await exportTwo(c);
  const ac = new AbortController();
  let events = 0;
  const t = track(c.waitForExport(task, { ...FAST, signal: ac.signal, onProgress: () => events++ }));
  await sleep(400);
  const abortedAt = performance.now();
  ac.abort();
  await settleAll([t], 5000);
  assert.equal(t.ok, false);
  assert.ok(t.error instanceof TencentCloudError);
  assert.equal(t.error.code, "Client.Aborted");
  assert.ok(performance.now() - abortedAt < 200, "settled at once");
  assert.equal(events, 1, "only the start event: no file appeared");
  const sent = (await cosRequests()).total;
  assert.ok(sent >= 3, "it was polling");
  await sleep(600);
  assert.equal((await cosRequests()).total, sent, "no COS request after the abort");
  assert.equal(t.settlements, 1);

  // Aborted before the call: nothing is sent at all.
  await adm.reset();
  const done = new AbortController();
  done.abort();
  await assert.rejects(c.waitForExport(task, { signal: done.signal }), { code: "Client.Aborted" });
  assert.equal((await cosRequests()).total, 0);
});

test("timeout: Client.WaitTimeout names the files still missing, within the bound", async () => {
  await config(60_000);
  const c = cosClient();
  const { task } = await exportTwo(c);
  const t0 = performance.now();
  const t = track(c.waitForExport(task, { timeout: 0.8, interval: 0.1, maxInterval: 0.3 }));
  await settleAll([t], 5000);
  const ms = performance.now() - t0;
  assert.equal(t.error?.code, "Client.WaitTimeout", t.error?.message);
  for (const key of task.CosPaths) assert.ok(t.error.message.includes(key), `${key} named: ${t.error.message}`);
  assert.match(t.error.message, new RegExp(`${task.CosPaths.length} of ${task.CosPaths.length} missing`));
  assert.ok(ms >= 790 && ms < 1500, `settled after ${ms} ms`);
  const sent = (await cosRequests()).total;
  await sleep(400);
  assert.equal((await cosRequests()).total, sent, "nothing after the timeout");
});

test("a bucket that does not exist ends the wait at once with NoSuchBucket", async () => {
  const c = cosClient();
  const t0 = performance.now();
  const err = await c.waitForExport({ BucketName: "no-such-bucket-1250000000", CosPaths: ["/img-pq5pau1w_system_snap-fiux4bof.qcow2"] }, FAST)
    .then(() => assert.fail("resolved"), (e) => e);
  assert.ok(performance.now() - t0 < 3000);
  assert.ok(err instanceof TencentCloudError);
  assert.equal(err.code, "NoSuchBucket", err.message);
  assert.equal(err.httpCode, 404);
  const cos = await cosRequests();
  assert.deepEqual(cos.recent.map((r) => r.method), ["HEAD", "GET"], "the HEAD's bodiless 404, then a GET to read it");
  assert.equal(err.requestId, cos.recent[1].requestId, "requestId is x-cos-request-id");
  // Same answer from the one-round check.
  await assert.rejects(c.checkExportFiles({ BucketName: "no-such-bucket-1250000000", CosPaths: ["/a.qcow2"] }), { code: "NoSuchBucket" });
});

test("a wrong SecretKey ends the wait with SignatureDoesNotMatch; an unknown SecretId with InvalidAccessKeyId", async () => {
  await config(0);
  const { task } = await exportTwo(cosClient());
  const wrong = cosClient({ credential: { secretId: PERM.secretId, secretKey: "not-the-right-key-0000000000000" } });
  const err = await wrong.waitForExport(task, FAST).then(() => assert.fail("resolved"), (e) => e);
  assert.equal(err.code, "SignatureDoesNotMatch", err.message);
  assert.equal(err.httpCode, 403);
  assert.ok(err.requestId);
  assert.ok(!err.message.includes("not-the-right-key"), "no secret in the message");
  const unknown = cosClient({ credential: { secretId: "AKIDunknown000000000000000000000000", secretKey: "x".repeat(32) } });
  await assert.rejects(unknown.waitForExport(task, FAST), { code: "InvalidAccessKeyId" });
});

test("5xx during polling are retried: the wait still succeeds", async () => {
  const c = cosClient();
  const { task } = await exportTwo(c);
  await adm.faults({ cosStatus: 503, cosCount: 4 });
  const files = await c.waitForExport(task, FAST);
  assert.equal(files.length, task.CosPaths.length);
  const cos = await cosRequests();
  assert.equal(cos.byCode.ServiceUnavailable, 4, JSON.stringify(cos.byCode));
  // A fault that never ends: the timeout says what went wrong.
  await adm.faults({ cosStatus: 500 });
  const err = await c.waitForExport(task, { timeout: 0.5, interval: 0.05 }).then(() => assert.fail("resolved"), (e) => e);
  assert.equal(err.code, "Client.WaitTimeout");
  assert.match(err.message, /last poll problem: HEAD \S+: HTTP 500$/); // a HEAD answer has no body
  // The one-round check does not call a file pending when COS failed.
  await assert.rejects(c.checkExportFiles(task), { code: "Client.HttpStatus", httpCode: 500 });
});

test("temporary credentials: the token travels as x-cos-security-token (and without it COS refuses)", async () => {
  const c = cosClient({ credential: { ...TEMP } });
  const { task } = await exportTwo(c);
  const files = await c.waitForExport(task, FAST);
  assert.equal(files.length, task.CosPaths.length);
  const cos = await cosRequests();
  assert.ok(cos.recent.length > 0 && cos.recent.every((r) => r.token === true && r.secretId === TEMP.secretId), JSON.stringify(cos.recent[0]));
  for (const f of files) {
    assert.match(f.url, /x-cos-security-token=/, "a link of temporary credentials carries the token");
    assert.equal((await fetch(f.url)).status, 200);
  }
  // A provider works the same way.
  const provided = cosClient({ credential: async () => ({ ...TEMP, expiredTime: Math.floor(Date.now() / 1000) + 3600 }) });
  assert.equal((await provided.waitForExport(task, FAST)).length, task.CosPaths.length);
  // Without its token the temporary key is refused: a definite error, not a wait.
  const noToken = cosClient({ credential: { secretId: TEMP.secretId, secretKey: TEMP.secretKey } });
  const err = await noToken.waitForExport(task, FAST).then(() => assert.fail("resolved"), (e) => e);
  assert.equal(err.code, "AccessDenied");
  assert.ok(!err.message.includes(TEMP.secretKey) && !err.message.includes(TEMP.token));
});

test("invalid tasks and options are typed errors naming the field, and nothing is sent", async () => {
  const c = cosClient();
  const good = { BucketName: BUCKET, CosPaths: ["/a.qcow2"] };
  // The bucket and keys are checked by the COS signer's rules, with its codes (issue #17).
  const cases = [
    [undefined, {}, "task", "Client.InvalidOption"],
    [{ CosPaths: ["/a"] }, {}, "BucketName", "MissingParameter"],
    [{ ...good, BucketName: "Backup" }, {}, "BucketName", "InvalidParameterValue.InvalidAppIdFormat"],
    [{ ...good, BucketName: "Backup-1250000000" }, {}, "BucketName", "InvalidParameterValue"],
    [{ ...good, CosPaths: [] }, {}, "CosPaths", "Client.InvalidOption"],
    [{ ...good, CosPaths: "/a" }, {}, "CosPaths", "Client.InvalidOption"],
    [{ ...good, CosPaths: ["/a", 7] }, {}, "CosPaths.1", "Client.InvalidOption"],
    [{ ...good, CosPaths: ["/a", "a"] }, {}, "CosPaths.1", "Client.InvalidOption"],
    [{ ...good, CosPaths: ["/a", "/x/../a"] }, {}, "CosPaths.1", "InvalidParameterValue"],
    [{ ...good, CosPaths: ["/"] }, {}, "CosPaths.0", "MissingParameter"],
    [{ ...good, Bucket: "x" }, {}, "Bucket", "Client.InvalidOption"],
    [good, { timeout: 0 }, "timeout", "Client.InvalidOption"],
    [good, { timeout: "1" }, "timeout", "Client.InvalidOption"],
    [good, { interval: 0 }, "interval", "Client.InvalidOption"],
    [good, { interval: 10, maxInterval: 5 }, "maxInterval", "Client.InvalidOption"],
    [good, { urlExpires: 1.5 }, "urlExpires", "Client.InvalidOption"],
    [good, { signal: {} }, "signal", "Client.InvalidOption"],
    [good, { onProgress: "x" }, "onProgress", "Client.InvalidOption"],
    [good, { timout: 5 }, "timout", "Client.InvalidOption"],
    [good, { notBefore: "yesterday" }, "notBefore", "Client.InvalidOption"],
    [good, { notBefore: new Date("garbage") }, "notBefore", "Client.InvalidOption"],
    [good, { notBefore: -1 }, "notBefore", "Client.InvalidOption"],
    [good, { notBefore: null }, "notBefore", "Client.InvalidOption"],
    [good, { notBefore: Infinity }, "notBefore", "Client.InvalidOption"],
  ];
  for (const [task, options, field, code] of cases) {
    const err = await c.waitForExport(task, options).then(() => assert.fail(`resolved: ${JSON.stringify([task, options])}`), (e) => e);
    assert.ok(err instanceof TencentCloudError, String(err));
    assert.equal(err.code, code, `${JSON.stringify([task, options])}: ${err.code} ${err.message}`);
    assert.equal(err.field, field, err.message);
  }
  await assert.rejects(c.checkExportFiles(good, { interval: 1 }), { code: "Client.InvalidOption", field: "interval" });
  const noRegion = new CvmClient({ credential: PERM });
  await assert.rejects(noRegion.waitForExport(good), { code: "MissingParameter", field: "Region" });
  assert.equal((await cosRequests()).total, 0, "nothing sent");
});

test("a throwing (or rejecting) onProgress does not stop the wait", async () => {
  const c = cosClient();
  const { task } = await exportTwo(c);
  let calls = 0;
  const files = await c.waitForExport(task, { ...FAST, onProgress: () => { calls++; throw new Error("UI bug"); } });
  assert.equal(files.length, task.CosPaths.length);
  assert.equal(calls, task.CosPaths.length + 1);
  let rejected = 0;
  const unhandled = [];
  const onUnhandled = (r) => unhandled.push(r);
  process.on("unhandledRejection", onUnhandled);
  try {
    await c.waitForExport(task, { ...FAST, onProgress: async () => { rejected++; throw new Error("async UI bug"); } });
    await sleep(50);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  assert.equal(rejected, task.CosPaths.length + 1);
  assert.deepEqual(unhandled, [], "no unhandled rejection");
});

test("checkExportFiles: one look at each file, its state and a link for the ready ones", async () => {
  await config(3000);
  const c = cosClient();
  const { task, ledgerTask } = await exportTwo(c);
  const first = Date.parse(ledgerTask.Files[0].ReadyAt);
  await sleep(Math.max(0, first - Date.now()) + 100);
  const state = await c.checkExportFiles(task, { urlExpires: 60 });
  assert.equal(state.total, task.CosPaths.length);
  assert.ok(state.ready >= 1 && state.ready < state.total, JSON.stringify(state));
  assert.deepEqual(state.files.map((f) => f.key), task.CosPaths);
  assert.equal(state.files[0].state, "ready");
  assert.equal(state.files.at(-1).state, "pending");
  assert.equal(state.files.at(-1).url, undefined);
  assert.match(state.files[0].url, /q-sign-time=(\d+);(\d+)/);
  const [, start, end] = state.files[0].url.match(/q-sign-time=(\d+);(\d+)/);
  assert.equal(Number(end) - Number(start), 60, "urlExpires");
  assert.equal((await fetch(state.files[0].url)).status, 200);
});
