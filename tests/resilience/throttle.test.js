// Throttling and "nothing was sent" failures are always retried, ExportImages included (issue #5):
// RequestLimitExceeded (+ .UinLimitExceeded, .GlobalRegionUinLimitExceeded) and HTTP 429, with
// exponential backoff and full jitter (defaults: 3 retries, 100 ms base, 20 s cap), and a
// refused connection. `retry: false` / `maxRetries: 0` turn retries off.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

import {
  admin, apiError, assertNoDuplicateTasks, client, CvmClient, deadPort, emulator, exportParams, PERM, recordingFetch,
  REGION, settleAll, tasksWithPrefix, track, withRandom, useEmulator,
} from "./support/helpers.js";

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]));

/** Reads the API error code of a fetch Response without consuming it. */
async function codeOf(res) {
  try {
    return JSON.parse(await res.clone().text()).Response?.Error?.Code ?? "Success";
  } catch {
    return `HTTP ${res.status}`;
  }
}

describe("RequestLimitExceeded from the emulator's real limit (20 ExportImages/s per SecretId)", () => {
  test("a burst from another client fills the window; this client's calls are retried until they pass", async () => {
    // The hammer: same SecretId, no client-side limit, no retries: 40 dry runs at once.
    const hammer = client(emu, { rateLimit: false, retry: false });
    const burst = Array.from({ length: 40 }, () => track(hammer.ExportImages(exportParams({ dryRun: true }).params)));
    await settleAll(burst);
    const hammerCodes = burst.map((t) => t.error?.code);
    assert.ok(hammerCodes.filter((c) => c === "RequestLimitExceeded").length >= 15, "the burst is throttled (retry: false surfaces it)");
    assert.ok(burst.every((t) => t.error.mayHaveExecuted === false));

    // Now this client, while the window is still full. The backoff must outlast the 1 s window.
    const seen = [];
    const rec = recordingFetch(async (url, init) => {
      const res = await fetch(url, init);
      seen.push(await codeOf(res));
      return res;
    });
    const c = client(emu, { fetch: rec, retry: { maxRetries: 8, baseDelayMs: 250, maxDelayMs: 2000 } });
    const calls = [];
    for (let i = 0; i < 5; i++) {
      const real = exportParams();
      calls.push({ kind: "export", prefix: real.prefix, t: track(c.ExportImages(real.params)) });
      const dry = exportParams({ dryRun: true });
      calls.push({ kind: "dryRun", prefix: dry.prefix, t: track(c.ExportImages(dry.params)) });
    }
    calls.push({ kind: "describe", t: track(c.request("DescribeImages", {})) });
    await settleAll(calls.map((x) => x.t), 30_000);

    assert.ok(seen.includes("RequestLimitExceeded"), `this client was throttled at least once: ${seen}`);
    const ledger = await adm.ledger();
    assertNoDuplicateTasks(ledger);
    for (const { kind, prefix, t } of calls) {
      assert.equal(t.settlements, 1);
      if (kind === "export") {
        assert.equal(t.ok, true, t.error?.message);
        const tasks = tasksWithPrefix(ledger, prefix);
        assert.equal(tasks.length, 1);
        assert.equal(tasks[0].TaskId, t.value.TaskId);
      } else if (kind === "dryRun") {
        assert.equal(t.error?.code, "DryRunOperation", t.error?.message);
      } else {
        assert.equal(t.ok, true);
      }
    }
    assert.equal(ledger.taskCount, 5);
  });

  test("retry: false surfaces RequestLimitExceeded after a single attempt", async () => {
    const hammer = client(emu, { rateLimit: false, retry: false });
    await settleAll(Array.from({ length: 20 }, () => track(hammer.ExportImages(exportParams({ dryRun: true }).params))));
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec, retry: false });
    const { params, prefix } = exportParams();
    const t = track(c.ExportImages(params));
    await settleAll([t]);
    assert.equal(t.error?.code, "RequestLimitExceeded");
    assert.equal(t.error.mayHaveExecuted, false);
    assert.equal(rec.calls.length, 1);
    assert.equal(tasksWithPrefix(await adm.ledger(), prefix).length, 0);
  });
});

describe("throttling codes and HTTP 429 (synthetic answers, then the emulator)", () => {
  const THROTTLES = [
    () => apiError("RequestLimitExceeded"),
    () => apiError("RequestLimitExceeded.UinLimitExceeded"),
    () => apiError("RequestLimitExceeded.GlobalRegionUinLimitExceeded"),
    () => new Response("<html>429 Too Many Requests</html>", { status: 429, headers: { "Content-Type": "text/html" } }),
  ];

  test("ExportImages is resent after each throttling answer and creates exactly one task", async () => {
    for (const [i, throttle] of THROTTLES.entries()) {
      // Three throttling answers of one kind, then the real emulator.
      const rec = recordingFetch((url, init, n) => (n < 3 ? throttle() : fetch(url, init)));
      const c = client(emu, { fetch: rec, retry: { baseDelayMs: 10 } });
      const { params, prefix } = exportParams();
      const t = track(c.ExportImages(params));
      await settleAll([t]);
      assert.equal(t.ok, true, `throttle #${i}: ${t.error?.message}`);
      assert.equal(rec.calls.length, 4, `throttle #${i}`);
      assert.equal(tasksWithPrefix(await adm.ledger(), prefix).length, 1);
    }
    assertNoDuplicateTasks(await adm.ledger());
  });

  test("a mix of the three codes and 429 in one call", async () => {
    const rec = recordingFetch((url, init, n) => (n < 3 ? THROTTLES[n + 1]() : fetch(url, init)));
    const c = client(emu, { fetch: rec, retry: { baseDelayMs: 10 } });
    const t = track(c.request("DescribeImages", {}));
    await settleAll([t]);
    assert.equal(t.ok, true, t.error?.message);
    assert.equal(rec.calls.length, 4);
  });

  test("retries are bounded: defaults give 1 + 3 attempts; maxRetries and retry: false are obeyed", async () => {
    for (const [retry, attempts] of [[undefined, 4], [{ maxRetries: 5, baseDelayMs: 5 }, 6], [{ maxRetries: 0 }, 1], [false, 1], [true, 4]]) {
      const rec = recordingFetch(() => apiError("RequestLimitExceeded.UinLimitExceeded"));
      const opts = { credential: PERM, region: REGION, fetch: rec, rateLimit: false };
      if (retry !== undefined) opts.retry = retry;
      const c = new CvmClient(opts);
      const t = track(c.ExportImages(exportParams().params));
      await settleAll([t]);
      const label = JSON.stringify(retry);
      assert.equal(t.error?.code, "RequestLimitExceeded.UinLimitExceeded", label);
      assert.equal(t.error.mayHaveExecuted, false, label);
      assert.equal(rec.calls.length, attempts, label);
      if (attempts > 1) assert.match(t.error.message, new RegExp(`after ${attempts - 1} retries`), label);
    }
  });

  test("invalid retry options are rejected", () => {
    for (const retry of [{ maxRetries: -1 }, { maxRetries: 1.5 }, { maxRetries: 11 }, { baseDelayMs: "100" }, { maxDelayMs: 600_001 }, { jitter: true }, 3, "yes", []]) {
      assert.throws(() => new CvmClient({ credential: PERM, region: REGION, retry }), (e) => e.code === "Client.InvalidOption", JSON.stringify(retry));
    }
  });
});

describe("backoff: exponential, capped, full jitter", () => {
  /** Gaps (ms) between the attempts of one call that is throttled every time. */
  async function gaps(retry, random) {
    const rec = recordingFetch(() => apiError("RequestLimitExceeded"));
    const opts = { credential: PERM, region: REGION, fetch: rec, rateLimit: false };
    if (retry) opts.retry = retry;
    const c = new CvmClient(opts);
    const run = () => c.request("DescribeImages", {}).catch(() => {});
    await (random === undefined ? run() : withRandom(random, run));
    return rec.calls.slice(1).map((x, i) => x.perf - rec.calls[i].perf);
  }

  test("defaults: waits up to 100, 200, 400 ms (draw 0.999)", async () => {
    const g = await gaps(undefined, 0.999);
    assert.equal(g.length, 3);
    [99, 199, 399].forEach((want, i) => assert.ok(g[i] >= want - 2 && g[i] < want + 80, `gap ${i}: ${g[i]} ms, want ~${want}`));
  });

  test("the cap bounds every wait (base 100, cap 150, draw 0.999)", async () => {
    const g = await gaps({ maxRetries: 4, baseDelayMs: 100, maxDelayMs: 150 }, 0.999);
    [99, 149, 149, 149].forEach((want, i) => assert.ok(g[i] >= want - 2 && g[i] < want + 80, `gap ${i}: ${g[i]} ms, want ~${want}`));
  });

  test("a draw of 0 means no wait (full jitter reaches zero)", async () => {
    const g = await gaps({ maxRetries: 3, baseDelayMs: 1000 }, 0);
    for (const x of g) assert.ok(x < 80, `${g}`);
  });

  test("real jitter: first waits spread over [0, base]", async () => {
    const first = [];
    for (let i = 0; i < 30; i++) first.push((await gaps({ maxRetries: 1, baseDelayMs: 200, maxDelayMs: 200 }))[0]);
    const min = Math.min(...first);
    const max = Math.max(...first);
    assert.ok(min < 70, `some waits are short: min ${min}`);
    assert.ok(max > 130, `some waits are long: max ${max}`);
    assert.ok(first.every((x) => x < 280), `none beyond the ceiling: ${first.map(Math.round)}`);
  });
});

describe("connection refused: nothing was sent, so even ExportImages is resent", () => {
  test("a dead endpoint: every attempt refused, mayHaveExecuted false", async () => {
    const port = await deadPort();
    const rec = recordingFetch();
    const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, retry: { baseDelayMs: 10 }, profile: { httpProfile: { endpoint: `http://127.0.0.1:${port}` } } });
    const t = track(c.ExportImages(exportParams().params));
    await settleAll([t]);
    assert.equal(t.error?.code, "Client.NetworkError");
    assert.equal(t.error.mayHaveExecuted, false);
    assert.match(t.error.message, /ECONNREFUSED/);
    assert.match(t.error.message, /no connection was made/);
    assert.doesNotMatch(t.error.message, /not retried/i);
    assert.equal(rec.calls.length, 4, "1 attempt + 3 retries");
  });

  test("refused twice, then the server is up: ExportImages succeeds with one task", async () => {
    const port = await deadPort();
    const rec = recordingFetch((url, init, n) => fetch(n < 2 ? `http://127.0.0.1:${port}/` : url, init));
    const c = client(emu, { fetch: rec, retry: { baseDelayMs: 10 } });
    const { params, prefix } = exportParams();
    const t = track(c.ExportImages(params));
    await settleAll([t]);
    assert.equal(t.ok, true, t.error?.message);
    assert.equal(rec.calls.length, 3);
    const ledger = await adm.ledger();
    assert.equal(ledger.requests.total, 1);
    assert.equal(tasksWithPrefix(ledger, prefix).length, 1);
  });
});
