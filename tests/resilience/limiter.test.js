// The client-side rate limit (issue #5): a sliding window per action, default 20 per second,
// shared by every call of one client — at most 20 sent in ANY 1-second interval — and
// `rateLimit: false` sends everything at once. Send times are recorded by a fetch wrapper
// (around the global fetch, or a transport that answers at once); arrival times at the
// emulator by a listener on its HTTP server.
//
// History: the first limiter kept its window over RESERVED times, so sends that left late (a
// busy event loop, late timers, an earlier send holding the thread) bunched with the next
// window's on-time sends — up to 38 in one second (the "regression" test below reproduced it).
// It now gates on the ACTUAL send time right before fetch and paces sends (GUARD_MS 100,
// PACING 0.5 of the even spacing); these assertions are strict again.
// What the limiter guarantees is about SEND times (the moment `fetch` is called, on a monotonic
// clock): at most 20 per action in any 1-second window. ARRIVAL times at a server are not the
// client's to guarantee: in-process here, sharing the CPU, they can bunch past the 100 ms guard
// under load, and the emulator then throttles a request the client sent in time. Such an answer
// says the request was not executed, so the client resends it: the tests assert that every
// extra send is exactly one absorbed RequestLimitExceeded and none reaches a caller.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

import {
  admin, apiError, apiResponse, client, CvmClient, emulator, exportParams, maxInWindow, PERM, recordArrivals,
  recordingFetch, REGION, settleAll, sleep, track,
} from "./support/helpers.js";


let emu;
let adm;
let arrivals;
before(async () => {
  emu = await emulator();
  adm = admin(emu);
  arrivals = recordArrivals(emu);
});
after(() => emu?.close());
beforeEach(async () => {
  await adm.reset();
  arrivals.length = 0;
});

/** A fetch that answers at once without a server (for pure send-time measurements). */
const instant = () => recordingFetch(async (url, init) =>
  init.headers["X-TC-Action"] === "ExportImages" ? apiError("DryRunOperation") : apiResponse({ TotalCount: 0, ImageSet: [] }));

const sendTimes = (rec, action) => rec.calls.filter((x) => !action || x.action === action).map((x) => x.at);
const prefixNumber = (body) => Number(JSON.parse(body).FileNamePrefixList[0].split("-")[2]);

describe("100 concurrent ExportImages through one client against the emulator", () => {
  let rec;
  let calls;
  let elapsed;
  let ledger;
  let arrived;
  before(async () => {
    await adm.reset();
    arrivals.length = 0;
    rec = recordingFetch();
    const c = client(emu, { fetch: rec });
    const t0 = Date.now();
    calls = Array.from({ length: 100 }, () => track(c.ExportImages(exportParams({ dryRun: true }).params)));
    await settleAll(calls, 40_000);
    elapsed = Date.now() - t0;
    ledger = await adm.ledger();
    arrived = arrivals.slice(); // the file's beforeEach empties `arrivals` before each test
  });

  test("every call settles once as a dry run; no RequestLimitExceeded reaches a caller", () => {
    assert.ok(calls.every((t) => t.settlements === 1));
    const codes = calls.map((t) => t.error?.code);
    assert.deepEqual(codes.filter((c) => c !== "DryRunOperation"), []);
  });

  test("the limiter paces: waves of 20 first attempts, each a full window after the one before", () => {
    assert.ok(elapsed >= 4000 && elapsed < 20_000, `${elapsed} ms`);
    // First attempts only (retries after the emulator's own throttling take later slots).
    const first = new Map();
    for (const x of rec.calls) {
      const n = prefixNumber(x.body);
      if (!first.has(n)) first.set(n, x.at);
    }
    const byCall = [...first.entries()].sort((a, b) => a[0] - b[0]).map(([, at]) => at);
    assert.equal(byCall.length, 100);
    for (let w = 1; w < 5; w++) {
      const prev = byCall.slice((w - 1) * 20, w * 20);
      const wave = byCall.slice(w * 20, (w + 1) * 20);
      assert.ok(Math.min(...wave) >= Math.max(...prev), `wave ${w} starts after wave ${w - 1} (arrival order kept)`);
      for (let i = 0; i < 20; i++) {
        // The limiter spaces them window + guard (1100 ms) apart at its gate; these times are
        // taken later, in the fetch wrapper, so a GC pause or a descheduled process between
        // gate and fetch shows as jitter. The exact ≤ 20-per-window property is the next test.
        assert.ok(wave[i] - prev[i] >= 950, `call ${w * 20 + i} went ${wave[i] - prev[i]} ms after call ${(w - 1) * 20 + i}`);
      }
    }
  });

  test("at most 20 sent in ANY 1000 ms window (client send times)", () => {
    assert.ok(maxInWindow(sendTimes(rec), 1000) <= 20, `${maxInWindow(sendTimes(rec), 1000)} sent in one second`);
  });

  test("arrivals: every send beyond one per call is a RequestLimitExceeded the emulator answered (absorbed, never surfaced)", () => {
    const throttled = ledger.requests.byCode.RequestLimitExceeded ?? 0;
    assert.equal(rec.calls.length, calls.length + throttled, "sends = calls + throttled answers");
    assert.equal(arrived.length, rec.calls.length, "every send arrived");
    // Diagnostic only (not the library's guarantee): how arrivals bunched on this run.
    console.log(`# arrivals: max ${maxInWindow(arrived.map((x) => x.at), 1000)} in 1 s; ${throttled} throttled and resent`);
  });
});

test("regression: a busy second window does not let the third go out in the same second", async () => {
  // Sends 21-40 each hold the thread 30 ms inside fetch (a busy page); all others are instant.
  // The first limiter (window over reserved times) sent ~38 within one second here.
  const rec = recordingFetch(async (url, init, i) => {
    if (i >= 20 && i < 40) {
      const s = Date.now();
      while (Date.now() - s < 30) { /* busy */ }
    }
    return apiResponse({ TotalCount: 0, ImageSet: [] });
  });
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec });
  await settleAll(Array.from({ length: 60 }, () => track(c.request("DescribeImages", {}))), 20_000);
  assert.ok(maxInWindow(sendTimes(rec), 1000) <= 20, `${maxInWindow(sendTimes(rec), 1000)} sent in one second`);
});

test("rateLimit: false sends all 100 at once", async () => {
  const rec = instant();
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, rateLimit: false });
  await settleAll(Array.from({ length: 100 }, () => track(c.ExportImages(exportParams({ dryRun: true }).params))));
  assert.equal(rec.calls.length, 100);
  const spread = rec.calls.at(-1).perf - rec.calls[0].perf;
  assert.ok(spread < 500, `all sent within ${spread} ms`);
  assert.equal(maxInWindow(sendTimes(rec), 1000), 100);
});

test("rateLimit: { perSecond: 5 } holds 5 per window", async () => {
  const rec = instant();
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, rateLimit: { perSecond: 5 } });
  const t0 = Date.now();
  await settleAll(Array.from({ length: 15 }, () => track(c.request("DescribeImages", {}))));
  assert.ok(Date.now() - t0 >= 2000, "15 at 5 per second take two more windows");
  assert.ok(maxInWindow(sendTimes(rec), 1000) <= 5, `${maxInWindow(sendTimes(rec), 1000)}`);
  const t = sendTimes(rec);
  assert.ok(t[5] - t[0] >= 1000 && t[10] - t[5] >= 1000, "each wave a window after the one before");
});

test("one window per action: ExportImages and DescribeImages do not share a budget", async () => {
  const rec = instant();
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec });
  const calls = [];
  for (let i = 0; i < 30; i++) {
    calls.push(track(c.ExportImages(exportParams({ dryRun: true }).params)));
    calls.push(track(c.request("DescribeImages", {})));
  }
  await settleAll(calls);
  const t0 = rec.calls[0].perf;
  for (const action of ["ExportImages", "DescribeImages"]) {
    const sends = rec.calls.filter((x) => x.action === action);
    assert.equal(sends.length, 30);
    assert.ok(maxInWindow(sends.map((x) => x.at), 1000) <= 20, action);
    assert.ok(sends[20].at - sends[0].at >= 1000, `${action}: the 21st waits a window`);
    // Each action's first 20 go out in the first window (paced), alongside the other's.
    assert.ok(sends[0].perf - t0 < 100 && sends[19].perf - t0 < 1000, `${action}: ${sends[0].perf - t0}, ${sends[19].perf - t0}`);
  }
  assert.equal(rec.calls.filter((x) => x.perf - t0 < 1000).length, 40, "20 of each in the first window");
});

test("the window is shared by all calls of one client, not across clients", async () => {
  const rec = instant();
  const a = new CvmClient({ credential: PERM, region: REGION, fetch: rec });
  const b = new CvmClient({ credential: PERM, region: REGION, fetch: rec });
  const t0 = performance.now();
  const calls = [];
  for (let i = 0; i < 25; i++) {
    calls.push(track(a.request("DescribeImages", {})));
    calls.push(track(b.request("DescribeImages", {})));
  }
  await settleAll(calls);
  assert.equal(rec.calls.filter((x) => x.perf - t0 < 1000).length, 40, "20 per client in the first window");
  assert.ok(maxInWindow(rec.calls.map((x) => x.at), 1000) <= 40);
  // Calls made one after another on one client share its window too.
  const rec2 = instant();
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec2 });
  for (let i = 0; i < 21; i++) await c.request("DescribeImages", {});
  assert.ok(rec2.calls[20].at - rec2.calls[0].at >= 1000, "the 21st sequential call waits for the window");
  assert.ok(maxInWindow(rec2.calls.map((x) => x.at), 1000) <= 20);
});

test("no second burst inside the same window (not a token bucket)", async () => {
  const rec = instant();
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec });
  await settleAll(Array.from({ length: 20 }, () => track(c.request("DescribeImages", {}))));
  await sleep(500);
  await settleAll(Array.from({ length: 20 }, () => track(c.request("DescribeImages", {}))));
  assert.ok(rec.calls[20].at - rec.calls[0].at >= 1000, `second burst ${rec.calls[20].at - rec.calls[0].at} ms after the first`);
  assert.ok(maxInWindow(sendTimes(rec), 1000) <= 20);
});

test("retries take limiter slots too: 20 calls each throttled once send 40 over two windows", async () => {
  const throttled = new Set();
  const rec = recordingFetch(async (url, init) => {
    if (!throttled.has(init.body)) {
      throttled.add(init.body);
      return apiError("RequestLimitExceeded");
    }
    return apiError("DryRunOperation");
  });
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, retry: { baseDelayMs: 10 } });
  const calls = Array.from({ length: 20 }, () => track(c.ExportImages(exportParams({ dryRun: true }).params)));
  await settleAll(calls, 15_000);
  assert.ok(calls.every((t) => t.error?.code === "DryRunOperation"));
  assert.equal(rec.calls.length, 40);
  const t = sendTimes(rec);
  assert.ok(t[20] - t[0] >= 1000, "the retries wait for the next window");
  assert.ok(maxInWindow(t, 1000) <= 20);
});

test("invalid rateLimit options are rejected", () => {
  for (const rateLimit of [{ perSecond: 0 }, { perSecond: 1.5 }, { perSecond: -1 }, { perSecond: 10_001 }, { perMinute: 5 }, 20, "x"]) {
    assert.throws(() => new CvmClient({ credential: PERM, region: REGION, rateLimit }), (e) => e.code === "Client.InvalidOption", JSON.stringify(rateLimit));
  }
});
