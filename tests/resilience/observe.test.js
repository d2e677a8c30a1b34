// Observability and any service (issue #18): `onEvent` sequences for a throttled-then-successful
// call, a clock-skew correction, a provider refresh and the local limiter; X-TC-TraceId on every
// attempt; the error's traceId / attempts / totalRetryDelayMs; a throwing onEvent changes
// nothing; a scan of every event and error of the fault scenarios for secrets; and
// TencentCloudClient against the emulator's STS, its signature equal to the official signer's.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";

import {
  apiError, client, CREDENTIALS, PERM, recordingFetch, REGION, TEMP, useEmulator, withRandom,
} from "./support/helpers.js";
import { TencentCloudClient, TencentCloudError } from "../../pkg/node.js";

const require = createRequire(import.meta.url);
const Sign = require("tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js").default;

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]));

const FAST = { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 100 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A recorder for onEvent: the events, in order. */
function recorder() {
  const events = [];
  const onEvent = (e) => events.push(e);
  onEvent.events = events;
  return onEvent;
}

/** The events' shapes without the numbers that vary (durations, ids). */
const shape = (events) =>
  events.map((e) => {
    const { callId, traceId, durationMs, requestId, expiredTime, waitMs, delayMs, offsetSecs, ...rest } = e;
    return rest;
  });

const sts = (opts = {}) =>
  new TencentCloudClient({
    service: "sts",
    version: "2018-08-13",
    region: REGION,
    credential: PERM,
    ...opts,
    profile: { httpProfile: { endpoint: emu.url } },
  });
const POLICY = JSON.stringify({ version: "2.0", statement: [{ effect: "allow", action: ["cvm:DescribeImages"], resource: "*" }] });

describe("onEvent sequences", () => {
  test("a throttled-then-successful call: request, response (RequestLimitExceeded), retry, request, response", async () => {
    const onEvent = recorder();
    let n = 0;
    const rec = recordingFetch((url, init) => (n++ === 0 ? apiError("RequestLimitExceeded") : fetch(url, init)));
    // rateLimit: false — the client's own limiter would pace the retry (a throttle event).
    const c = client(emu, { fetch: rec, retry: FAST, rateLimit: false, onEvent });
    const res = await c.request("DescribeImages", { ImageIds: ["img-72n9mi0y"] });
    const host = new URL(emu.url).hostname;
    assert.deepEqual(shape(onEvent.events), [
      { type: "request", action: "DescribeImages", service: "cvm", attempt: 1, method: "POST", host },
      { type: "response", action: "DescribeImages", attempt: 1, status: 200, errorCode: "RequestLimitExceeded" },
      { type: "retry", action: "DescribeImages", attempt: 2, reason: "RequestLimitExceeded" },
      { type: "request", action: "DescribeImages", service: "cvm", attempt: 2, method: "POST", host },
      { type: "response", action: "DescribeImages", attempt: 2, status: 200 },
    ]);
    const [, first, retry, , last] = onEvent.events;
    assert.match(first.requestId, /^synthetic-/);
    assert.equal(last.requestId, res.RequestId);
    assert.ok(retry.delayMs >= 0 && retry.delayMs <= 40, `delay ${retry.delayMs}`);
    // One call: one callId and one traceId, sent as X-TC-TraceId with both attempts.
    assert.equal(new Set(onEvent.events.map((e) => e.callId)).size, 1);
    const trace = onEvent.events[0].traceId;
    assert.match(trace, UUID);
    assert.ok(onEvent.events.every((e) => e.traceId === trace));
    assert.deepEqual(rec.calls.map((r) => r.headers["X-TC-TraceId"]), [trace, trace]);
  });

  test("the client's own limiter: a throttle event (local) before the second call's request", async () => {
    const onEvent = recorder();
    const c = client(emu, { rateLimit: { perSecond: 1 }, onEvent });
    await Promise.all([c.request("DescribeImages", {}), c.request("DescribeImages", {})]);
    const second = onEvent.events.filter((e) => e.callId === 2);
    // One wait for the slot — or, when the timer fires a little early on a busy machine, the
    // wait and a few ms more: throttle events first, then the attempt.
    const waits = second.findIndex((e) => e.type !== "throttle");
    assert.ok(waits >= 1, second.map((e) => e.type).join());
    assert.deepEqual(second.slice(waits).map((e) => e.type), ["request", "response"]);
    assert.ok(second.slice(0, waits).every((e) => e.limiter === "local"));
    assert.ok(second[0].waitMs > 500 && second[0].waitMs < 1500, `waitMs ${second[0].waitMs}`);
    const total = second.slice(0, waits).reduce((a, e) => a + e.waitMs, 0);
    assert.ok(total < 1500, `waited ${total} ms in all`);
    assert.notEqual(second[0].traceId, onEvent.events.find((e) => e.callId === 1).traceId);
  });

  test("a clock-skew correction: response (SignatureExpire), skew, retry at once, request, response", async () => {
    await adm.faults({ clockOffsetSeconds: 600 });
    const onEvent = recorder();
    const c = client(emu, { rateLimit: false, onEvent });
    await c.request("DescribeImages", {});
    assert.deepEqual(
      onEvent.events.map((e) => [e.type, e.errorCode ?? e.reason]),
      [
        ["request", undefined],
        ["response", "AuthFailure.SignatureExpire"],
        ["skew", undefined],
        ["retry", "AuthFailure.SignatureExpire"],
        ["request", undefined],
        ["response", undefined],
      ],
    );
    const skew = onEvent.events[2];
    assert.ok(Math.abs(skew.offsetSecs - 600) <= 2, `offset ${skew.offsetSecs}`);
    assert.equal(onEvent.events[3].delayMs, 0);
    assert.equal(c.clockOffset, skew.offsetSecs);
  });

  test("a provider refresh: credentials (expiredTime) before the first request, not again while valid", async () => {
    const onEvent = recorder();
    const expiredTime = Math.floor(Date.now() / 1000) + 3600;
    const c = client(emu, { credential: async () => ({ ...TEMP, expiredTime }), rateLimit: false, onEvent });
    await c.request("DescribeImages", {});
    await c.request("DescribeImages", {});
    assert.deepEqual(
      onEvent.events.map((e) => [e.callId, e.type]),
      [[1, "credentials"], [1, "request"], [1, "response"], [2, "request"], [2, "response"]],
    );
    assert.equal(onEvent.events[0].expiredTime, expiredTime);
  });
});

describe("errors carry the call's traceId, attempts and totalRetryDelayMs", () => {
  test("503 on every attempt of a read: attempts = 1 + maxRetries, the delays are the retry events'", async () => {
    await adm.faults({ status: 503 });
    const onEvent = recorder();
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec, retry: { maxRetries: 2, baseDelayMs: 30 }, onEvent });
    const err = await c.request("DescribeImages", {}).then(() => assert.fail("resolved"), (e) => e);
    assert.ok(err instanceof TencentCloudError);
    assert.equal(err.attempts, 3);
    assert.equal(rec.calls.length, 3);
    const retries = onEvent.events.filter((e) => e.type === "retry");
    assert.equal(retries.length, 2);
    assert.equal(err.totalRetryDelayMs, retries.reduce((a, e) => a + e.delayMs, 0));
    assert.equal(err.traceId, onEvent.events[0].traceId);
    assert.equal(err.traceId, rec.calls[0].headers["X-TC-TraceId"]);
    assert.deepEqual(
      { traceId: err.toJSON().traceId, attempts: err.toJSON().attempts },
      { traceId: err.traceId, attempts: 3 },
    );
  });

  test("a validation error: nothing sent, attempts 0", async () => {
    const c = client(emu);
    const err = await c.request("DescribeImages", "not an object").then(() => assert.fail("resolved"), (e) => e);
    assert.equal(err.attempts, 0);
    assert.equal(err.totalRetryDelayMs, 0);
  });
});

describe("a throwing onEvent changes nothing", () => {
  for (const [name, setup] of [
    ["success after a throttle", (n) => (n === 0 ? apiError("RequestLimitExceeded") : undefined)],
    ["a final error", () => apiError("InvalidParameter")],
  ]) {
    test(name, async () => {
      const run = async (onEvent) => {
        let n = 0;
        const rec = recordingFetch((url, init) => setup(n++) ?? fetch(url, init));
        const c = client(emu, { fetch: rec, retry: FAST, ...(onEvent ? { onEvent } : {}) });
        const r = await withRandom(0.5, () => c.request("DescribeImages", {}).then((v) => ({ ok: true, v }), (e) => ({ ok: false, e })));
        return { ok: r.ok, code: r.e?.code, attempts: r.e?.attempts, sent: rec.calls.length, keys: r.v ? Object.keys(r.v) : null };
      };
      let thrown = 0;
      const quiet = await run(undefined);
      const noisy = await run(() => {
        thrown++;
        throw new Error("observer failed");
      });
      assert.ok(thrown >= 2, `onEvent called ${thrown} times`);
      assert.deepEqual(noisy, quiet);
    });
  }
});

describe("no secret in any event or error", () => {
  test("fault scenarios × temporary key with a token: events and errors hold no key, token, Authorization or signature", async () => {
    const seen = [];
    const onEvent = (e) => seen.push(JSON.stringify(e));
    const rec = recordingFetch();
    const scenarios = [
      { status: 500 }, { status: 503, after: true }, { reset: true }, { reset: true, after: true }, { nonJson: true },
      { truncate: true }, { internalError: true }, { clockOffsetSeconds: 900 }, { status: 429 },
    ];
    // Events and errors only: a result is the caller's own data (STS's holds the keys it issued).
    const run = async (c, call) => {
      try {
        await call();
      } catch (e) {
        seen.push(JSON.stringify(e), String(e), e.stack ?? "", JSON.stringify(Object.entries(e)));
      }
    };
    for (const faults of scenarios) {
      await adm.clearFaults();
      await adm.faults({ clockOffsetSeconds: 0, ...faults });
      const fixed = client(emu, { credential: TEMP, fetch: rec, retry: { maxRetries: 1, baseDelayMs: 5 }, onEvent });
      const provided = client(emu, {
        credential: async () => ({ ...TEMP, expiredTime: Math.floor(Date.now() / 1000) + 3600 }),
        fetch: rec, retry: { maxRetries: 1, baseDelayMs: 5 }, onEvent,
      });
      await run(fixed, () => fixed.request("DescribeImages", {}));
      await run(fixed, () => fixed.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"], DryRun: true }));
      await run(provided, () => provided.request("DescribeImages", {}));
      const s = sts({ credential: TEMP, fetch: rec, retry: { maxRetries: 1, baseDelayMs: 5 }, onEvent });
      await run(s, () => s.request("GetFederationToken", { Name: "scan", Policy: POLICY }));
    }
    // A request refused by the emulator (wrong key) and one the transport rejects.
    const wrong = client(emu, { credential: { ...TEMP, secretKey: TEMP.secretKey.replace(/.$/, "X") }, onEvent });
    await run(wrong, () => wrong.request("DescribeImages", {}));
    const dead = client(emu, { credential: TEMP, fetch: () => Promise.reject(new TypeError("fetch failed")), retry: false, onEvent });
    await run(dead, () => dead.request("DescribeImages", {}));

    assert.ok(seen.length > 60, `only ${seen.length} records`);
    assert.ok(seen.some((s) => s.includes('"type":"retry"')) && seen.some((s) => s.includes('"type":"skew"')));
    const signatures = rec.calls.map((c) => c.headers.Authorization.split("Signature=")[1]);
    assert.ok(signatures.length > 30);
    const forbidden = [TEMP.secretKey, TEMP.token, PERM.secretKey, "TC3-HMAC-SHA256", "Signature=", "Authorization", ...signatures];
    for (const record of seen) {
      for (const secret of forbidden) assert.ok(!record.includes(secret), `${secret.slice(0, 12)}… in ${record.slice(0, 200)}`);
    }
  });
});

describe("TencentCloudClient (any service): STS GetFederationToken end to end", () => {
  test("resolves to the Response; the emulator verified the signature for service sts", async () => {
    const rec = recordingFetch();
    const onEvent = recorder();
    const s = sts({ fetch: rec, onEvent });
    const res = await s.request("GetFederationToken", { Name: "console", Policy: POLICY, DurationSeconds: 900 });
    assert.equal(res.Credentials.TmpSecretId, CREDENTIALS.temporary.secretId);
    assert.ok(res.ExpiredTime > Date.now() / 1000 + 800);
    const h = rec.calls[0].headers;
    assert.equal(h["X-TC-Action"], "GetFederationToken");
    assert.equal(h["X-TC-Version"], "2018-08-13");
    assert.match(h.Authorization, /Credential=[^/]+\/\d{4}-\d\d-\d\d\/sts\/tc3_request/);
    assert.equal(onEvent.events[0].service, "sts");
    const ledger = await adm.ledger();
    const entry = ledger.requests.recent?.at?.(-1) ?? ledger.recent?.at?.(-1);
    if (entry) assert.equal(entry.code, "Success");

    // The temporary key it handed out works for CVM.
    const cvm = client(emu, { credential: { secretId: res.Credentials.TmpSecretId, secretKey: res.Credentials.TmpSecretKey, token: res.Credentials.Token } });
    assert.ok((await cvm.request("DescribeImages", {})).RequestId);
  });

  test("our Authorization equals the official Node SDK signer's (Sign.sign3) for the same request", async () => {
    const rec = recordingFetch();
    const s = new TencentCloudClient({
      service: "sts", version: "2018-08-13", region: REGION, credential: PERM, fetch: rec,
      profile: { httpProfile: { endpoint: emu.url, host: "sts.tencentcloudapi.com" } },
    });
    await s.request("GetFederationToken", { Name: "console", Policy: POLICY });
    const { headers, body } = rec.calls[0];
    // A Buffer payload is hashed as is (an object or string would be JSON-stringified first).
    const expected = Sign.sign3({
      method: "POST", url: "https://sts.tencentcloudapi.com/", payload: Buffer.from(body), timestamp: Number(headers["X-TC-Timestamp"]),
      service: "sts", secretId: PERM.secretId, secretKey: PERM.secretKey, headers: { "Content-Type": headers["Content-Type"] },
    });
    assert.equal(headers.Authorization, expected);
    // The trace id is sent but not signed (as the official SDK does).
    assert.match(headers["X-TC-TraceId"], UUID);
    assert.match(headers.Authorization, /SignedHeaders=content-type;host,/);
  });

  test("the default endpoint is <service>.tencentcloudapi.com; Get* is resent after an unknown outcome, a write is not", async () => {
    const seen = [];
    const fetchFn = async (url, init) => {
      seen.push([url, init.headers["X-TC-Action"]]);
      throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
    };
    const s = new TencentCloudClient({ service: "tag", version: "2018-08-13", region: REGION, credential: PERM, fetch: fetchFn, retry: { maxRetries: 1, baseDelayMs: 1 } });
    const read = await s.request("GetTags", {}).catch((e) => e);
    const write = await s.request("CreateTag", { TagKey: "k", TagValue: "v" }).catch((e) => e);
    assert.equal(read.code, "Client.NetworkError");
    assert.equal(read.attempts, 2);
    assert.equal(write.attempts, 1);
    assert.equal(write.mayHaveExecuted, true);
    assert.deepEqual(seen, [
      ["https://tag.tencentcloudapi.com/", "GetTags"],
      ["https://tag.tencentcloudapi.com/", "GetTags"],
      ["https://tag.tencentcloudapi.com/", "CreateTag"],
    ]);
  });

  test("options: service and version are required and checked; CvmClient does not take them", () => {
    const base = { region: REGION, credential: PERM };
    const code = (f) => {
      try {
        f();
        return "no error";
      } catch (e) {
        return `${e.code} ${e.field}`;
      }
    };
    assert.equal(code(() => new TencentCloudClient({ ...base, version: "2018-08-13" })), "Client.InvalidOption service");
    assert.equal(code(() => new TencentCloudClient({ ...base, service: "sts" })), "Client.InvalidOption version");
    assert.equal(code(() => new TencentCloudClient({ ...base, service: "STS!", version: "2018-08-13" })), "Client.InvalidOption service");
    assert.equal(code(() => new TencentCloudClient({ ...base, service: "sts", version: "18-08-13" })), "Client.InvalidOption version");
    assert.match(code(() => client(emu, { service: "sts" })), /^Client.InvalidOption/);
    assert.equal(code(() => client(emu, { onEvent: "yes" })), "Client.InvalidOption onEvent");
  });
});

describe("poll events of waitForExport / checkExportFiles", () => {
  test("a wait: every poll is an event (key, status, state); pending until each file is ready, no URL anywhere", async () => {
    const onEvent = recorder();
    const c = client(emu, { onEvent, profile: { cosEndpoint: `${emu.url}cos/{Bucket}` } });
    const task = await c.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-pq5pau1w"], ExportFormat: "QCOW2" });
    const files = await c.waitForExport({ ...task, BucketName: "backup-1250000000" }, { interval: 0.05, maxInterval: 0.2, timeout: 20 });
    const polls = onEvent.events.filter((e) => e.type === "poll");
    const key = task.CosPaths[0].replace(/^\//, "");
    assert.ok(polls.length >= 2, `${polls.length} polls`);
    // 404 until the file exists (a bodiless HEAD 404 is "checking": a GET reads COS's code,
    // NoSuchKey → "pending"), then ready (200) once, and the wait ends.
    assert.deepEqual(polls.at(-1), { type: "poll", key: task.CosPaths[0], status: 200, state: "ready", callId: polls[0].callId, traceId: polls[0].traceId });
    for (const p of polls.slice(0, -1)) {
      assert.deepEqual([p.key, p.status], [task.CosPaths[0], 404]);
      assert.ok(p.state === "pending" || p.state === "checking", p.state);
    }
    assert.ok(polls.some((p) => p.state === "pending"));
    assert.ok(polls.every((p) => p.callId === 2 && p.traceId !== onEvent.events[0].traceId), "the wait is a call of its own");
    assert.ok(files[0].url.includes("q-signature"));
    for (const e of onEvent.events) assert.ok(!JSON.stringify(e).includes("q-sign") && !JSON.stringify(e).includes(key + "?"));
  });

  test("checkExportFiles: one poll per file; its error carries traceId and attempts", async () => {
    const onEvent = recorder();
    const c = client(emu, { onEvent, profile: { cosEndpoint: `${emu.url}cos/{Bucket}` } });
    const state = await c.checkExportFiles({ BucketName: "backup-1250000000", CosPaths: ["/nothing-here.qcow2"] });
    assert.equal(state.ready, 0);
    assert.deepEqual(onEvent.events.map((e) => [e.type, e.key, e.status, e.state]), [
      ["poll", "/nothing-here.qcow2", 404, "checking"],
      ["poll", "/nothing-here.qcow2", 404, "pending"],
    ]);
    await adm.faults({ cosStatus: 503 });
    const err = await c.checkExportFiles({ BucketName: "backup-1250000000", CosPaths: ["/nothing-here.qcow2"] }).then(() => assert.fail("resolved"), (e) => e);
    assert.match(err.traceId, UUID);
    assert.ok(err.attempts >= 1);
    assert.equal(onEvent.events.at(-1).state, "error");
    assert.equal(onEvent.events.at(-1).traceId, err.traceId);
  });
});
