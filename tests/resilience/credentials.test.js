// Credential providers (issue #5): `credential` may be an async function returning
// { secretId, secretKey, token, expiredTime } (Unix seconds). The result is cached and
// refreshed at least 5 minutes before expiry; concurrent refreshes share ONE provider call;
// a provider that throws or returns garbage rejects with Client.CredentialProviderError and
// nothing is sent. The emulator's temporary key requires its token (X-TC-Token).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

import {
  admin, CvmClient, emulator, exportParams, recordingFetch, REGION, settleAll, sleep, tasksWithPrefix, TEMP, track, useEmulator,
} from "./support/helpers.js";

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]));

const nowSecs = () => Math.floor(Date.now() / 1000);

/** A provider that counts its calls and answers after `delayMs` with `make()`. */
function provider(make = () => ({ ...TEMP, expiredTime: nowSecs() + 3600 }), delayMs = 50) {
  const p = async () => {
    p.calls += 1;
    await sleep(delayMs);
    return make(p.calls);
  };
  p.calls = 0;
  return p;
}

function providerClient(credential, opts = {}) {
  const rec = recordingFetch();
  const c = new CvmClient({ credential, region: REGION, fetch: rec, profile: { httpProfile: { endpoint: emu.url } }, ...opts });
  return { c, rec };
}

describe("caching and merged refreshes", () => {
  test("50 concurrent calls: ONE provider call; temporary key + token accepted by the emulator", async () => {
    const p = provider(undefined, 100);
    const { c, rec } = providerClient(p);
    const calls = Array.from({ length: 50 }, () => track(c.request("DescribeImages", {})));
    await settleAll(calls, 20_000);
    assert.equal(p.calls, 1);
    assert.ok(calls.every((t) => t.ok), calls.find((t) => !t.ok)?.error?.message);
    assert.equal(rec.calls.length, 50);
    assert.ok(rec.calls.every((x) => x.headers["X-TC-Token"] === TEMP.token));
    assert.ok(rec.calls.every((x) => x.headers.Authorization.includes(`Credential=${TEMP.secretId}/`)));
    const ledger = await adm.ledger();
    assert.equal(ledger.requests.byCode.Success, 50);
    assert.ok(ledger.recent.every((r) => r.token === true && r.secretId === TEMP.secretId));
    // Cached afterwards: more calls, still one provider call.
    await c.request("DescribeImages", {});
    assert.equal(p.calls, 1);
  });

  test("ExportImages with a provided temporary key creates its task under that key", async () => {
    const p = provider();
    const { c } = providerClient(p);
    const { params, prefix } = exportParams();
    const res = await c.ExportImages(params);
    const [task] = tasksWithPrefix(await adm.ledger(), prefix);
    assert.equal(task.TaskId, res.TaskId);
    assert.equal(task.SecretId, TEMP.secretId);
  });

  test("a provider may be synchronous (returns an object, not a promise)", async () => {
    let calls = 0;
    const { c } = providerClient(() => { calls += 1; return { ...TEMP, expiredTime: nowSecs() + 3600 }; });
    await Promise.all(Array.from({ length: 10 }, () => c.request("DescribeImages", {})));
    assert.equal(calls, 1);
  });

  test("no expiredTime: fetched once, never refreshed", async () => {
    const p = provider(() => ({ ...TEMP }));
    const { c } = providerClient(p);
    for (let i = 0; i < 3; i++) await c.request("DescribeImages", {});
    assert.equal(p.calls, 1);
  });

  test("refreshed when within 5 minutes of expiredTime", async () => {
    // First answer expires in 299 s (inside the 5-minute margin): every call must refresh.
    // From the third provider call on it lasts an hour.
    const p = provider((n) => ({ ...TEMP, expiredTime: nowSecs() + (n < 3 ? 299 : 3600) }));
    const { c } = providerClient(p);
    await c.request("DescribeImages", {});
    assert.equal(p.calls, 1);
    await c.request("DescribeImages", {});
    assert.equal(p.calls, 2, "within 5 min of expiry: refreshed");
    await c.request("DescribeImages", {});
    assert.equal(p.calls, 3);
    await c.request("DescribeImages", {});
    await c.request("DescribeImages", {});
    assert.equal(p.calls, 3, "an hour left: cached");
  });

  test("just outside the margin (expires in 320 s) is not refreshed", async () => {
    const p = provider(() => ({ ...TEMP, expiredTime: nowSecs() + 320 }));
    const { c } = providerClient(p);
    for (let i = 0; i < 3; i++) await c.request("DescribeImages", {});
    assert.equal(p.calls, 1);
  });

  test("a refresh due during a burst is merged too: 30 concurrent calls on stale credentials → one call", async () => {
    const p = provider((n) => ({ ...TEMP, expiredTime: nowSecs() + (n === 1 ? 100 : 3600) }), 100);
    const { c } = providerClient(p);
    await c.request("DescribeImages", {});
    assert.equal(p.calls, 1);
    await settleAll(Array.from({ length: 30 }, () => track(c.request("DescribeImages", {}))), 20_000);
    assert.equal(p.calls, 2);
  });

  test("concurrent refreshes stay merged when a joiner aborts", {}, async () => {
    const p = provider(undefined, 500);
    const { c } = providerClient(p);
    const first = track(c.request("DescribeImages", {}));
    const ac = new AbortController();
    const joiner = track(c.request("DescribeImages", {}, { signal: ac.signal }));
    const others = Array.from({ length: 5 }, () => track(c.request("DescribeImages", {})));
    await sleep(50);
    ac.abort();
    await settleAll([joiner]);
    assert.equal(joiner.error?.code, "Client.Aborted");
    const late = Array.from({ length: 5 }, () => track(c.request("DescribeImages", {})));
    await settleAll([first, ...others, ...late], 10_000);
    assert.ok([first, ...others, ...late].every((t) => t.ok));
    assert.equal(p.calls, 1, "one provider call for one refresh");
  });

  // Issue #17: the provider gets { signal }; when the call that started it gives up, the signal
  // aborts and those who joined ask once more (together), instead of waiting on an abandoned
  // promise (in workerd, one of a cancelled request would never settle).
  test("the starter aborts: the provider's signal aborts, the joiners share one new provider call", {}, async () => {
    const signals = [];
    const p = async ({ signal }) => {
      signals.push(signal);
      p.calls += 1;
      await sleep(300);
      return { ...TEMP, expiredTime: nowSecs() + 3600 };
    };
    p.calls = 0;
    const { c } = providerClient(p);
    const ac = new AbortController();
    const first = track(c.request("DescribeImages", {}, { signal: ac.signal }));
    const others = Array.from({ length: 5 }, () => track(c.request("DescribeImages", {})));
    await sleep(50);
    ac.abort();
    await settleAll([first, ...others], 10_000);
    assert.equal(first.error?.code, "Client.Aborted");
    assert.ok(others.every((t) => t.ok), others.find((t) => !t.ok)?.error?.message);
    assert.equal(p.calls, 2, "one call given up, one shared by the five that joined it");
    assert.ok(signals[0].aborted, "the first provider call's signal aborted when its starter gave up");
    assert.ok(!signals[1].aborted);
  });
});

describe("provider failures → Client.CredentialProviderError, nothing sent", () => {
  const FAILURES = {
    "throws synchronously": () => { throw new Error("backend down"); },
    "rejects with an Error": async () => { throw new Error("backend down"); },
    "rejects with a string": () => Promise.reject("nope"),
    "rejects with undefined": () => Promise.reject(undefined),
    "returns undefined": async () => undefined,
    "returns null": async () => null,
    "returns a string": async () => "AKID:secret",
    "returns an array": async () => [TEMP.secretId, TEMP.secretKey],
    "returns {} ": async () => ({}),
    "returns no secretKey": async () => ({ secretId: TEMP.secretId, token: TEMP.token }),
    "returns a numeric secretKey": async () => ({ secretId: TEMP.secretId, secretKey: 12345 }),
    "returns an empty secretId": async () => ({ secretId: "", secretKey: "k" }),
    "returns a token with a newline": async () => ({ ...TEMP, token: "tok\nX-Evil: 1" }),
    "returns expiredTime in milliseconds": async () => ({ ...TEMP, expiredTime: Date.now() + 3_600_000 }),
    "returns a negative expiredTime": async () => ({ ...TEMP, expiredTime: -5 }),
    "returns expiredTime NaN": async () => ({ ...TEMP, expiredTime: NaN }),
    "returns expiredTime as a string": async () => ({ ...TEMP, expiredTime: "1800000000" }),
  };
  for (const [name, fn] of Object.entries(FAILURES)) {
    test(name, async () => {
      const { c, rec } = providerClient(fn);
      const a = track(c.ExportImages(exportParams().params));
      const b = track(c.request("DescribeImages", {}));
      await settleAll([a, b]);
      for (const t of [a, b]) {
        assert.equal(t.settlements, 1);
        assert.equal(t.error?.code, "Client.CredentialProviderError", `${name}: ${t.error?.code} ${t.error?.message}`);
        assert.equal(t.error.mayHaveExecuted, false);
      }
      assert.equal(rec.calls.length, 0);
    });
  }

  test("a failure is not cached: the next call asks the provider again and can succeed", async () => {
    let n = 0;
    const { c, rec } = providerClient(async () => {
      n += 1;
      if (n === 1) throw new Error("temporarily down");
      return { ...TEMP, expiredTime: nowSecs() + 3600 };
    });
    const t = track(c.request("DescribeImages", {}));
    await settleAll([t]);
    assert.equal(t.error?.code, "Client.CredentialProviderError");
    assert.match(t.error.message, /temporarily down/);
    const ok = await c.request("DescribeImages", {});
    assert.equal(typeof ok.RequestId, "string");
    assert.equal(n, 2);
    assert.equal(rec.calls.length, 1);
  });

  test("10 concurrent calls on a failing provider: one provider call, ten rejections", async () => {
    const p = provider(() => { throw new Error("boom"); }, 100);
    const { c, rec } = providerClient(p);
    const calls = Array.from({ length: 10 }, () => track(c.request("DescribeImages", {})));
    await settleAll(calls);
    assert.equal(p.calls, 1);
    assert.ok(calls.every((t) => t.error?.code === "Client.CredentialProviderError"));
    assert.equal(rec.calls.length, 0);
  });

  test("a provider key the emulator does not know is an API error, not a provider error", async () => {
    const { c } = providerClient(async () => ({ secretId: "AKIDunknown000", secretKey: "k", expiredTime: nowSecs() + 3600 }));
    await assert.rejects(c.request("DescribeImages", {}), (e) => e.code === "AuthFailure.SecretIdNotFound");
  });

  test("the temporary key without its token is refused by the emulator (TokenFailure)", async () => {
    const { c } = providerClient(async () => ({ secretId: TEMP.secretId, secretKey: TEMP.secretKey, expiredTime: nowSecs() + 3600 }));
    await assert.rejects(c.request("DescribeImages", {}), (e) => e.code === "AuthFailure.TokenFailure");
  });
});
