// No call can hang (issue #10):
// - the rate limiter and every wait run on a MONOTONIC clock: while a burst of 25 rate-limited
//   ExportImages is queued, the wall clock (Date.now, which signing reads) jumps one hour back,
//   or one hour forward, and 5 more calls arrive after the jump; all settle within what the
//   limiter itself needs (~1.6 s: 20 paced over ~1 s, the rest a window + guard after the first
//   ones), and none is sent early (at most 20 in any second of monotonic time);
// - a credential provider that never settles holds a call at most its reqTimeout, then the call
//   rejects with Client.CredentialProviderError and nothing is sent; the next call asks the
//   provider again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { apiResponse, CvmClient, PERM, recordingFetch, REGION, settleAll, track } from "./support/helpers.js";

const BUCKET = "backup-1250000000";
const exportParams = (i) => ({ BucketName: BUCKET, ImageIds: ["img-72n9mi0y"], FileNamePrefixList: [`jump-${i}`] });

/**
 * An export answered at once, without a server. Its Date header follows Date.now (as if the
 * server's clock moved too), so the client's skew correction stays out of the way.
 */
const instantExport = () =>
  recordingFetch(async () =>
    apiResponse({ TaskId: 1, CosPaths: [`https://${BUCKET}.cos.${REGION}.myqcloud.com/x`] }, { date: new Date(Date.now()) }));

/** Runs `body` with Date.now shifted by `offsetMs` once `when()` is true (polled), then restores it. */
async function withWallClockJump(offsetMs, when, body) {
  const realNow = Date.now;
  let jumped = false;
  const poll = setInterval(() => {
    if (!jumped && when()) {
      jumped = true;
      Date.now = () => realNow.call(Date) + offsetMs;
    }
  }, 1);
  try {
    return await body();
  } finally {
    clearInterval(poll);
    Date.now = realNow;
    assert.ok(jumped, "the wall clock jumped during the burst");
  }
}

/** The most of `times` (ms) inside any window of `len` ms. */
function maxInWindow(times, len) {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i] - s[j] >= len) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("a wall-clock jump while 25 rate-limited calls are queued", () => {
  for (const [name, offsetMs] of [["one hour back", -3_600_000], ["one hour forward", 3_600_000]]) {
    test(`${name}: all 25 (and 5 arriving after the jump) settle within the limiter's own time, none sent early`, async () => {
      const rec = instantExport();
      const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec });
      const t0 = performance.now();
      const calls = Array.from({ length: 25 }, (_, i) => track(c.ExportImages(exportParams(i))));
      await withWallClockJump(offsetMs, () => rec.calls.length >= 5, async () => {
        while (rec.calls.length < 5) await new Promise((ok) => setTimeout(ok, 2));
        await new Promise((ok) => setTimeout(ok, 5)); // past the jump
        for (let i = 25; i < 30; i++) calls.push(track(c.ExportImages(exportParams(i))));
        await settleAll(calls, 6_000);
      });
      const elapsed = performance.now() - t0;
      assert.deepEqual(calls.filter((t) => !t.ok).map((t) => t.error?.message), []);
      assert.ok(calls.every((t) => t.settlements === 1));
      assert.equal(rec.calls.length, 30, "each call sent once");
      // Monotonic send times: never more than 20 in any second (the 21st waits a full window).
      const sent = rec.calls.map((x) => x.perf);
      assert.ok(maxInWindow(sent, 1000) <= 20, `${maxInWindow(sent, 1000)} sent within one second`);
      assert.ok(sent[20] - sent[0] >= 1000, `the 21st went ${sent[20] - sent[0]} ms after the first`);
      // The limiter needs ~1.6 s for 30 at 20/s (window + guard, paced); a wall clock it
      // trusted would have held them an hour (back) or let the late ones out at once (forward).
      assert.ok(elapsed < 4_000, `settled after ${elapsed} ms`);
      // Signing still reads the wall clock: the timestamps signed after the jump moved with it.
      const stamps = rec.calls.map((x) => Number(x.headers["X-TC-Timestamp"]));
      assert.ok(Math.abs(stamps[29] - stamps[0] - offsetMs / 1000) < 10, `signed ${stamps[0]} then ${stamps[29]}`);
    });
  }
});

describe("a credential provider that never settles", () => {
  test("holds a call at most reqTimeout, then Client.CredentialProviderError; nothing sent; the next call asks again", async () => {
    let asked = 0;
    const never = () => {
      asked += 1;
      return new Promise(() => {});
    };
    const rec = recordingFetch();
    const c = new CvmClient({ credential: never, region: REGION, fetch: rec, profile: { httpProfile: { reqTimeout: 1 } } });
    // Three concurrent calls share the one provider call, and each is released after 1 s.
    const first = [0, 1, 2].map(() => track(c.request("DescribeImages", {})));
    await settleAll(first, 5_000);
    assert.equal(asked, 1, "concurrent calls share one provider call");
    for (const t of first) {
      assert.equal(t.error?.code, "Client.CredentialProviderError", t.error?.message);
      assert.match(t.error.message, /did not answer within 1 s/);
      assert.equal(t.error.mayHaveExecuted, false);
      assert.ok(t.ms >= 950 && t.ms < 2_500, `rejected after ${t.ms} ms`);
    }
    const second = track(c.ExportImages(exportParams(0)));
    await settleAll([second], 5_000);
    assert.equal(asked, 2, "the next call asked the provider again");
    assert.equal(second.error?.code, "Client.CredentialProviderError");
    assert.equal(rec.calls.length, 0, "nothing was sent");
  });

  test("a provider that answers after the timeout serves the next call (its late answer is not lost to it)", async () => {
    let asked = 0;
    const slow = () => {
      asked += 1;
      const n = asked;
      return new Promise((ok) => setTimeout(() => ok({ ...PERM, expiredTime: Math.floor(Date.now() / 1000) + 3600 }), n === 1 ? 1_500 : 10));
    };
    const rec = recordingFetch(async () => apiResponse({ TotalCount: 0, ImageSet: [] }));
    const c = new CvmClient({ credential: slow, region: REGION, fetch: rec, profile: { httpProfile: { reqTimeout: 1 } } });
    const late = track(c.request("DescribeImages", {}));
    await settleAll([late], 5_000);
    assert.equal(late.error?.code, "Client.CredentialProviderError");
    const next = track(c.request("DescribeImages", {}));
    await settleAll([next], 5_000);
    assert.ok(next.ok, next.error?.message);
    assert.equal(asked, 2);
    assert.equal(rec.calls.length, 1);
  });
});
