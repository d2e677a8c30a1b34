// Slow answers past `reqTimeout: 1` and ±10 minutes of clock offset, against ExportImages,
// a DryRun and DescribeImages (issue #5):
// - a timeout rejects with Client.Timeout after ~1 s; ExportImages is not resent
//   (mayHaveExecuted, and the ledger shows the one task the server still made); DryRun and
//   DescribeImages are resent;
// - AuthFailure.SignatureExpire: the client takes the offset from the answer's Date, re-signs
//   and retries ONCE, keeps the offset (`clockOffset`, seconds) for later calls, and also
//   corrects it from successful answers when the skew is 300 s or more.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, beforeEach, describe, test } from "node:test";

import {
  admin, apiError, apiResponse, assertNoDuplicateTasks, client, CvmClient, emulator, exportParams, PERM, recordingFetch,
  REGION, settleAll, sleep, tasksWithPrefix, track, useEmulator,
} from "./support/helpers.js";

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]));

const FAST = { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 100 };
const TIMEOUT_1S = { httpProfile: { reqTimeout: 1 } };

describe("slow answers past reqTimeout: 1", () => {
  test("ExportImages: Client.Timeout after ~1 s, not resent; the server's one task is the only one", async () => {
    await adm.faults({ latencyMs: 1500 });
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec, retry: FAST, profile: TIMEOUT_1S });
    const { params, prefix } = exportParams();
    const t = track(c.ExportImages(params));
    await settleAll([t], 10_000);
    assert.equal(t.error?.code, "Client.Timeout", t.error?.message);
    assert.equal(t.error.mayHaveExecuted, true);
    assert.match(t.error.message, /reqTimeout \(1 s\)/);
    assert.match(t.error.message, /not retried/i);
    assert.ok(t.ms >= 950 && t.ms < 1450, `rejected after ${t.ms} ms`);
    assert.equal(rec.calls.length, 1);
    // The emulator still runs the request once its latency is over.
    await sleep(900);
    await adm.clearFaults();
    const ledger = await adm.ledger();
    assert.equal(ledger.requests.total, 1);
    assert.equal(tasksWithPrefix(ledger, prefix).length, 1, "executed once, never twice");
  });

  test("DryRun: every attempt times out, each is resent until the retries run out", async () => {
    await adm.faults({ latencyMs: 1300 });
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec, retry: { maxRetries: 1, baseDelayMs: 10 }, profile: TIMEOUT_1S });
    const { params, prefix } = exportParams({ dryRun: true });
    const t = track(c.ExportImages(params));
    await settleAll([t], 10_000);
    assert.equal(t.error?.code, "Client.Timeout");
    assert.match(t.error.message, /after 1 retries/);
    assert.equal(rec.calls.length, 2);
    assert.ok(t.ms >= 1900 && t.ms < 3000, `${t.ms} ms`);
    await sleep(500);
    await adm.clearFaults();
    assert.equal(tasksWithPrefix(await adm.ledger(), prefix).length, 0);
  });

  test("DescribeImages: the retry after a timeout succeeds once the server is fast again", async () => {
    await adm.faults({ latencyMs: 1500 });
    const rec = recordingFetch(async (url, init, i) => {
      if (i === 0) setTimeout(() => { emu.state.faults = {}; }, 200); // the server recovers
      return fetch(url, init);
    });
    const c = client(emu, { fetch: rec, retry: FAST, profile: TIMEOUT_1S });
    const t = track(c.request("DescribeImages", {}));
    await settleAll([t], 10_000);
    assert.equal(t.ok, true, t.error?.message);
    assert.equal(rec.calls.length, 2);
    assert.ok(t.ms >= 950 && t.ms < 2500, `${t.ms} ms`);
  });

  test("a body that trickles in past reqTimeout is a timeout too", async () => {
    // Headers and the first bytes at once, then nothing: the timeout covers the body.
    const sockets = new Set();
    const server = createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"Response":{"TaskId":1');
    });
    server.on("connection", (s) => sockets.add(s));
    await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const c = new CvmClient({
        credential: PERM, region: REGION, retry: FAST,
        profile: { httpProfile: { endpoint: `http://127.0.0.1:${server.address().port}`, reqTimeout: 1 } },
      });
      const real = track(c.ExportImages(exportParams().params));
      const desc = track(c.request("DescribeImages", {}));
      await settleAll([real, desc], 15_000);
      assert.equal(real.error?.code, "Client.Timeout");
      assert.equal(real.error.mayHaveExecuted, true);
      assert.ok(real.ms < 1500, `${real.ms} ms`);
      assert.equal(desc.error?.code, "Client.Timeout");
      assert.match(desc.error.message, /after 3 retries/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
    }
  });
});

describe("clock offset of ±10 minutes (emulator clockOffsetSeconds)", () => {
  for (const offset of [600, -600]) {
    for (const kind of ["export", "dryRun", "describe"]) {
      test(`${kind}, server clock ${offset > 0 ? "+" : ""}${offset} s: one re-signed retry, offset kept`, async () => {
        await adm.faults({ clockOffsetSeconds: offset });
        const rec = recordingFetch();
        const c = client(emu, { fetch: rec, retry: FAST });
        const call = () => {
          if (kind === "describe") return { t: track(c.request("DescribeImages", {})) };
          const { params, prefix } = exportParams({ dryRun: kind === "dryRun" });
          return { t: track(c.ExportImages(params)), prefix };
        };
        const first = call();
        await settleAll([first.t]);
        const expectOk = (t) => {
          if (kind === "dryRun") assert.equal(t.error?.code, "DryRunOperation", t.error?.message);
          else assert.equal(t.ok, true, t.error?.message);
        };
        expectOk(first.t);
        assert.equal(rec.calls.length, 2, "SignatureExpire, then one re-signed attempt");
        assert.ok(Math.abs(c.clockOffset - offset) <= 2, `clockOffset ${c.clockOffset}`);
        const ts = rec.calls.map((x) => Number(x.headers["X-TC-Timestamp"]));
        assert.ok(Math.abs(ts[1] - ts[0] - offset) <= 2, `timestamps ${ts}`);

        // The offset is kept: the next call is signed right the first time.
        const second = call();
        await settleAll([second.t]);
        expectOk(second.t);
        assert.equal(rec.calls.length, 3);

        // The server's clock comes back: corrected again, once.
        await adm.clearFaults();
        const third = call();
        await settleAll([third.t]);
        expectOk(third.t);
        assert.equal(rec.calls.length, 5);
        assert.ok(Math.abs(c.clockOffset) <= 2, `clockOffset ${c.clockOffset}`);

        const ledger = await adm.ledger();
        assert.equal(ledger.requests.byCode["AuthFailure.SignatureExpire"], 2);
        assertNoDuplicateTasks(ledger);
        for (const x of [first, second, third]) {
          if (x.prefix) assert.equal(tasksWithPrefix(ledger, x.prefix).length, kind === "export" ? 1 : 0);
        }
      });
    }
  }

  test("the skew retry happens once: a second SignatureExpire is reported", async () => {
    let n = 0;
    const rec = recordingFetch(async () => {
      n += 1; // every answer claims a different server time, always 10+ minutes away
      return apiResponse({ Error: { Code: "AuthFailure.SignatureExpire", Message: "expired" } }, { date: new Date(Date.now() + (600 + 60 * n) * 1000) });
    });
    const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, retry: FAST, rateLimit: false });
    const t = track(c.request("DescribeImages", {}));
    await settleAll([t]);
    assert.equal(t.error?.code, "AuthFailure.SignatureExpire");
    assert.equal(rec.calls.length, 2);
  });

  test("SignatureExpire without a usable Date is reported without a retry", async () => {
    for (const date of [null, "yesterday", "Sun, 06 Nov 1994 08:49:37 PST"]) {
      const rec = recordingFetch(async () => {
        const res = apiError("AuthFailure.SignatureExpire");
        const headers = new Headers(res.headers);
        if (date === null) headers.delete("Date");
        else headers.set("Date", date);
        return new Response(await res.text(), { status: 200, headers });
      });
      const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, retry: FAST, rateLimit: false });
      const t = track(c.request("DescribeImages", {}));
      await settleAll([t]);
      assert.equal(t.error?.code, "AuthFailure.SignatureExpire", String(date));
      assert.equal(rec.calls.length, 1, String(date));
      assert.equal(c.clockOffset, 0);
    }
  });

  test("successful answers correct the clock only for a skew of 300 s or more", async () => {
    let serverAhead = 0; // seconds the fake server's Date is ahead of the local clock
    const rec = recordingFetch(async () => apiResponse({ TotalCount: 0, ImageSet: [] }, { date: new Date(Date.now() + serverAhead * 1000) }));
    const c = new CvmClient({ credential: PERM, region: REGION, fetch: rec, rateLimit: false });
    const describeOnce = async () => {
      await c.request("DescribeImages", {});
      return Number(rec.calls.at(-1).headers["X-TC-Timestamp"]);
    };
    serverAhead = 200;
    await describeOnce();
    assert.equal(c.clockOffset, 0, "200 s: left alone");
    serverAhead = 400;
    await describeOnce();
    assert.ok(Math.abs(c.clockOffset - 400) <= 1, `400 s: adopted (${c.clockOffset})`);
    const ts = await describeOnce();
    assert.ok(Math.abs(ts - (Date.now() / 1000 + 400)) <= 2, "later requests are signed with the corrected clock");
    serverAhead = 550;
    await describeOnce();
    assert.ok(Math.abs(c.clockOffset - 400) <= 1, "150 s from the kept offset: left alone");
    serverAhead = -400;
    await describeOnce();
    assert.ok(Math.abs(c.clockOffset + 400) <= 1, `-400 s: adopted (${c.clockOffset})`);
  });

  // Issue #5: every call should settle with its documented outcome under skew. When several
  // calls are in flight while the offset is learned, only the first SignatureExpire moves the
  // offset; `ClockSkew::on_signature_expired` returns false ("unchanged") for the others,
  // so `execute` (src/wasm/client.rs) does not re-sign them and they reject with
  // AuthFailure.SignatureExpire although the client now knows the right time.
  test("concurrent calls in flight while the skew is learned are each re-signed once", {}, async () => {
    await adm.faults({ clockOffsetSeconds: -600 });
    // No client-side limit: all five are in flight before the first answer comes back (the
    // limiter's pacing would otherwise let the first answer land before the others leave).
    const c = client(emu, { retry: FAST, rateLimit: false });
    const calls = Array.from({ length: 5 }, () => track(c.request("DescribeImages", {})));
    await settleAll(calls, 20_000);
    assert.deepEqual(calls.map((t) => t.error?.code ?? "ok"), Array(5).fill("ok"));
  });

  test("once the offset is learned, a concurrent mixed batch is signed right: each settles once, one task per export", async () => {
    await adm.faults({ clockOffsetSeconds: -600 });
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec, retry: FAST });
    await c.request("DescribeImages", {}); // learns the offset (2 requests)
    assert.ok(Math.abs(c.clockOffset + 600) <= 2);
    const calls = Array.from({ length: 15 }, (_, i) => {
      const { params, prefix } = exportParams({ dryRun: i % 3 === 1 });
      return { prefix, t: track(i % 3 === 2 ? c.request("DescribeImages", {}) : c.ExportImages(params)) };
    });
    await settleAll(calls.map((x) => x.t), 20_000);
    const ledger = await adm.ledger();
    assertNoDuplicateTasks(ledger);
    for (const [i, x] of calls.entries()) {
      assert.equal(x.t.settlements, 1);
      if (i % 3 === 0) {
        assert.equal(x.t.ok, true, x.t.error?.message);
        assert.equal(tasksWithPrefix(ledger, x.prefix).length, 1);
      } else if (i % 3 === 1) assert.equal(x.t.error?.code, "DryRunOperation", x.t.error?.message);
      else assert.equal(x.t.ok, true, x.t.error?.message);
    }
    assert.equal(rec.calls.length, 2 + 15, "no further SignatureExpire");
  });
});
