// The call path's bounds (issues #10 part 3, #13), without a server: synthetic answers from an
// injected fetch.
// - The rate limiter and every wait run on the monotonic clock: jumping the wall clock (Date)
//   an hour back or forward while a rate-limited burst is queued neither holds nor releases it.
// - A credential provider that never settles holds a call at most reqTimeout; then
//   Client.CredentialProviderError, and the next call asks the provider again.
import assert from "node:assert/strict";
import { test } from "node:test";

import { apiError, apiResponse, CvmClient, exportParams, maxInWindow, PERM, recordingFetch, REGION, settleAll, TEMP, track } from "./support/helpers.js";

const ok = () => apiResponse({ TaskId: 1, CosPaths: ["/x"] });

for (const [name, jumpMs] of [["back", -3_600_000], ["forward", 3_600_000]]) {
  test(`a wall-clock jump of an hour ${name} while 25 rate-limited calls queue: all settle within ~2 s, none early`, async () => {
    const rec = recordingFetch(async () => ok());
    const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, rateLimit: { perSecond: 20 } });
    const RealDate = globalThis.Date;
    const realNow = RealDate.now;
    const t0 = performance.now();
    const calls = Array.from({ length: 25 }, () => track(c.ExportImages(exportParams().params)));
    // Let the first ones go, then jump.
    await new Promise((r) => setTimeout(r, 100));
    const skewed = class extends RealDate {
      constructor(...a) {
        if (a.length === 0) super(realNow() + jumpMs);
        else super(...a);
      }
      static now() {
        return realNow() + jumpMs;
      }
    };
    globalThis.Date = skewed;
    try {
      await settleAll(calls, 10_000);
    } finally {
      globalThis.Date = RealDate;
    }
    const elapsed = performance.now() - t0;
    assert.ok(calls.every((t) => t.ok), calls.find((t) => !t.ok)?.error?.message);
    assert.equal(rec.calls.length, 25);
    assert.ok(elapsed < 2_500, `settled after ${elapsed.toFixed(0)} ms`);
    const perf = rec.calls.map((e) => e.perf);
    assert.ok(maxInWindow(perf, 1000) <= 20, "never more than 20 in any second of monotonic time");
    assert.ok(perf[20] - perf[0] >= 1000, "the 21st waits for the next window");
  });
}

test("a provider that never settles: the call rejects after reqTimeout; the next call asks again", async () => {
  let calls = 0;
  const provider = () => {
    calls++;
    return calls === 1 ? new Promise(() => {}) : Promise.resolve({ ...TEMP, expiredTime: Math.floor(Date.now() / 1000) + 3600 });
  };
  const rec = recordingFetch(async () => ok());
  const c = new CvmClient({ credential: provider, region: REGION, fetch: rec, profile: { httpProfile: { reqTimeout: 1 } } });
  const t0 = performance.now();
  const [a, b] = [track(c.ExportImages(exportParams().params)), track(c.ExportImages(exportParams().params))];
  await settleAll([a, b], 5_000);
  const ms = performance.now() - t0;
  for (const t of [a, b]) {
    assert.equal(t.ok, false);
    assert.equal(t.error.code, "Client.CredentialProviderError");
    assert.equal(t.error.message, "the credential provider did not answer within 1 s");
  }
  assert.ok(ms >= 900 && ms < 3_000, `${ms.toFixed(0)} ms`);
  assert.equal(calls, 1, "the waiting calls shared the stuck provider call");
  assert.equal(rec.calls.length, 0);
  const next = track(c.ExportImages(exportParams().params));
  await settleAll([next], 5_000);
  assert.equal(next.ok, true, next.error?.message);
  assert.equal(calls, 2, "the stuck call was dropped: the provider is asked again");
});

test("a shared limiter (rateLimit.acquire) is awaited before every attempt, retries included; its rejection sends nothing", async () => {
  const asked = [];
  const limiter = {
    async acquire(action, { signal }) {
      asked.push({ action, signal, self: this === limiter });
    },
  };
  let n = 0;
  const rec = recordingFetch(async () => (n++ === 0 ? apiError("RequestLimitExceeded") : ok()));
  const ac = new AbortController();
  const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, rateLimit: limiter, retry: { baseDelayMs: 1 } });
  const r = await c.ExportImages(exportParams().params, { signal: ac.signal });
  assert.equal(r.TaskId, 1);
  assert.equal(rec.calls.length, 2);
  assert.equal(asked.length, 2, "one slot per attempt");
  assert.ok(asked.every((a) => a.action === "ExportImages" && a.signal === ac.signal && a.self));

  const refusing = new CvmClient({
    credential: PERM, region: REGION, fetch: rec,
    rateLimit: { acquire: async () => { throw new Error("quota object unreachable"); } },
  });
  const before = rec.calls.length;
  await assert.rejects(refusing.ExportImages(exportParams().params), (e) => {
    assert.equal(e.code, "Client.RateLimiterError");
    assert.match(e.message, /quota object unreachable; nothing was sent/);
    assert.equal(e.mayHaveExecuted, false);
    return true;
  });
  assert.equal(rec.calls.length, before, "nothing sent");
  assert.throws(() => new CvmClient({ credential: PERM, region: REGION, rateLimit: { perSecond: 5, acquire: async () => {} } }), (e) => e.code === "Client.InvalidOption");
  assert.throws(() => new CvmClient({ credential: PERM, region: REGION, rateLimit: { acquire: 5 } }), (e) => e.code === "Client.InvalidOption");
});
