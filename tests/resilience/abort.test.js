// AbortSignal per call (issue #5): `client.ExportImages(params, { signal })` and
// `client.request(action, payload, { signal })`. The signal is checked before each attempt and
// interrupts the rate-limiter wait, the backoff wait, the credential provider and the fetch in
// flight: the call rejects at once (< 200 ms after abort) with Client.Aborted, and nothing more
// is sent — proved by the fetch wrapper's counter and the emulator's ledger.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";

import {
  admin, apiError, client, CvmClient, emulator, exportParams, PERM, recordingFetch, REGION, settleAll, sleep,
  tasksWithPrefix, TEMP, track, withRandom, useEmulator,
} from "./support/helpers.js";

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]));

/** Aborts `controller` and returns performance.now() at that moment. */
function abortNow(controller, reason) {
  const at = performance.now();
  controller.abort(reason);
  return at;
}

async function assertAborted(t, abortedAt, { within = 200 } = {}) {
  await settleAll([t], 10_000);
  assert.equal(t.settlements, 1);
  assert.equal(t.ok, false);
  assert.equal(t.error.code, "Client.Aborted", t.error.message);
  assert.equal(t.error.name, "TencentCloudError");
  if (abortedAt !== undefined) {
    const settledAt = t.start + t.ms;
    assert.ok(settledAt - abortedAt < within, `rejected ${settledAt - abortedAt} ms after abort`);
  }
}

/** track() that also remembers its start (performance.now()). */
function trackAt(p) {
  const start = performance.now();
  const t = track(p);
  t.start = start;
  return t;
}

test("aborted before the call: rejects, nothing is sent (ExportImages and request)", async () => {
  const rec = recordingFetch();
  const c = client(emu, { fetch: rec });
  const ac = new AbortController();
  ac.abort();
  const { params, prefix } = exportParams();
  const a = trackAt(c.ExportImages(params, { signal: ac.signal }));
  const b = trackAt(c.request("DescribeImages", {}, { signal: AbortSignal.abort(new Error("custom reason")) }));
  await assertAborted(a);
  await assertAborted(b);
  assert.equal(a.error.mayHaveExecuted, false);
  await sleep(100);
  assert.equal(rec.calls.length, 0);
  const ledger = await adm.ledger();
  assert.equal(ledger.requests.total, 0);
  assert.equal(tasksWithPrefix(ledger, prefix).length, 0);
});

test("aborted while waiting for the rate limiter: rejects at once, never sent", async () => {
  const rec = recordingFetch();
  const c = client(emu, { fetch: rec, rateLimit: { perSecond: 1 } });
  await c.request("DescribeImages", {}); // takes this second's only slot
  const ac = new AbortController();
  const { params, prefix } = exportParams();
  const first = trackAt(c.ExportImages(params)); // ExportImages has its own window: goes now
  const ac2 = new AbortController();
  const waiting = trackAt(c.request("DescribeImages", {}, { signal: ac.signal }));
  const waiting2 = trackAt(c.ExportImages(exportParams().params, { signal: ac2.signal }));
  await sleep(150);
  assert.equal(waiting.settlements, 0, "still waiting for a slot");
  const at = abortNow(ac);
  const at2 = abortNow(ac2);
  await assertAborted(waiting, at);
  await assertAborted(waiting2, at2);
  assert.equal(waiting.error.mayHaveExecuted, false);
  await settleAll([first]);
  assert.equal(first.ok, true);
  await sleep(1300); // past the slot the aborted calls had reserved
  assert.equal(rec.calls.length, 2, "only the first DescribeImages and the first export were sent");
  const ledger = await adm.ledger();
  assert.equal(ledger.requests.total, 2);
  assert.equal(tasksWithPrefix(ledger, prefix).length, 1);
});

test("aborted during the backoff wait: rejects at once, no further attempt", async () => {
  await adm.faults({ status: 429 });
  const rec = recordingFetch();
  // Draw 0.99 of a 5 s ceiling: the backoff after the first 429 is 4.95 s.
  await withRandom(0.99, async () => {
    const c = client(emu, { fetch: rec, retry: { baseDelayMs: 5000, maxDelayMs: 5000 } });
    const ac = new AbortController();
    const { params, prefix } = exportParams();
    const t = trackAt(c.ExportImages(params, { signal: ac.signal }));
    while (rec.calls.length === 0) await sleep(10);
    await sleep(300); // the 429 came back; the client is in its backoff
    assert.equal(t.settlements, 0);
    const at = abortNow(ac);
    await assertAborted(t, at);
    assert.equal(t.error.mayHaveExecuted, false);
    assert.equal(tasksWithPrefix(await adm.ledger(), prefix).length, 0);
  });
  await sleep(200);
  await adm.clearFaults();
  assert.equal(rec.calls.length, 1);
  assert.equal((await adm.ledger()).requests.total, 1);
});

test("aborted while the request is in flight: rejects at once with mayHaveExecuted", async () => {
  await adm.faults({ latencyMs: 2000 });
  for (const kind of ["export", "describe"]) {
    await adm.reset();
    await adm.faults({ latencyMs: 2000 });
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec });
    const ac = new AbortController();
    const { params, prefix } = exportParams();
    const t = trackAt(kind === "export" ? c.ExportImages(params, { signal: ac.signal }) : c.request("DescribeImages", {}, { signal: ac.signal }));
    await sleep(300);
    assert.equal(rec.calls.length, 1);
    const at = abortNow(ac);
    await assertAborted(t, at);
    assert.equal(t.error.mayHaveExecuted, true, kind);
    assert.match(t.error.message, /in flight/);
    // The emulator runs it once its latency is over; the client sends nothing more.
    await sleep(2000);
    await adm.clearFaults();
    assert.equal(rec.calls.length, 1, kind);
    const ledger = await adm.ledger();
    assert.equal(ledger.requests.total, 1, kind);
    if (kind === "export") assert.equal(tasksWithPrefix(ledger, prefix).length, 1, "ran once, never resent");
  }
});

test("the fetch receives an AbortSignal that fires when the caller aborts", async () => {
  let seen;
  const rec = recordingFetch((url, init) => {
    seen = init.signal;
    return new Promise((_, fail) => init.signal.addEventListener("abort", () => fail(init.signal.reason)));
  });
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec });
  const ac = new AbortController();
  const t = trackAt(c.request("DescribeImages", {}, { signal: ac.signal }));
  await sleep(50);
  assert.ok(seen instanceof AbortSignal && !seen.aborted);
  const at = abortNow(ac);
  await assertAborted(t, at);
  assert.equal(seen.aborted, true);
});

test("aborted while the credential provider is pending: rejects at once, nothing sent", async () => {
  const rec = recordingFetch();
  let calls = 0;
  const c = new CvmClient({
    credential: () => { calls += 1; return new Promise((ok) => setTimeout(() => ok({ ...TEMP, expiredTime: Date.now() / 1000 + 3600 }), 3000)); },
    region: REGION, fetch: rec, profile: { httpProfile: { endpoint: emu.url } },
  });
  const ac = new AbortController();
  const t = trackAt(c.request("DescribeImages", {}, { signal: ac.signal }));
  await sleep(100);
  const at = abortNow(ac);
  await assertAborted(t, at);
  assert.equal(rec.calls.length, 0);
  assert.equal(calls, 1);
});

test("abort after the call settled changes nothing; a signal is per call", async () => {
  const rec = recordingFetch();
  const c = client(emu, { fetch: rec });
  const ac = new AbortController();
  const done = await c.request("DescribeImages", {}, { signal: ac.signal });
  ac.abort();
  assert.equal(typeof done.RequestId, "string");
  const other = await c.request("DescribeImages", {}); // the client still works
  assert.equal(typeof other.RequestId, "string");
  assert.equal(rec.calls.length, 2);
});

test("many calls sharing one signal: all reject at once, none sent after the abort", async () => {
  const rec = recordingFetch();
  const c = client(emu, { fetch: rec });
  const ac = new AbortController();
  const calls = Array.from({ length: 60 }, () => trackAt(c.ExportImages(exportParams({ dryRun: true }).params, { signal: ac.signal })));
  await sleep(300); // 20 went out; 40 wait for the limiter
  const sentBefore = rec.calls.length;
  const at = abortNow(ac);
  await settleAll(calls, 10_000);
  for (const t of calls) {
    assert.equal(t.settlements, 1);
    assert.ok(["Client.Aborted", "DryRunOperation"].includes(t.error?.code), t.error?.code);
  }
  const aborted = calls.filter((t) => t.error.code === "Client.Aborted");
  assert.ok(aborted.length >= 40, `${aborted.length} aborted`);
  for (const t of aborted) assert.ok(t.start + t.ms - at < 200, "rejected at once");
  await sleep(1500);
  assert.equal(rec.calls.length, sentBefore, "nothing sent after the abort");
  assert.equal((await adm.ledger()).requests.total, sentBefore);
});

test("a signal that is not an AbortSignal is a Client.InvalidOption; nothing sent", async () => {
  const rec = recordingFetch();
  const c = client(emu, { fetch: rec });
  for (const options of [{ signal: {} }, { signal: "abort" }, { sginal: new AbortController().signal }, 5]) {
    const t = track(c.request("DescribeImages", {}, options));
    await settleAll([t]);
    assert.equal(t.error?.code, "Client.InvalidOption", JSON.stringify(options));
  }
  assert.equal(rec.calls.length, 0);
});

test("a synthetic throttle then abort: Client.Aborted, not RequestLimitExceeded", async () => {
  const rec = recordingFetch(() => apiError("RequestLimitExceeded"));
  await withRandom(0.99, async () => {
    const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, retry: { maxRetries: 10, baseDelayMs: 1000 } });
    const ac = new AbortController();
    const t = trackAt(c.ExportImages(exportParams().params, { signal: ac.signal }));
    await sleep(1200); // first attempt + one ~990 ms backoff + second attempt, now in the second backoff
    const sent = rec.calls.length;
    const at = abortNow(ac);
    await assertAborted(t, at);
    await sleep(300);
    assert.equal(rec.calls.length, sent);
    assert.equal(sent, 2);
  });
});
