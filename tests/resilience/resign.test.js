// Every attempt is signed afresh (issue #5): a retry carries the X-TC-Timestamp of the moment it
// is sent, and an Authorization computed for that timestamp — never a replay of the first
// attempt's headers. Requests are captured by an injected `fetch` wrapper; each captured
// Authorization is recomputed with `signRequest` from the attempt's own timestamp and body.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";

import {
  admin, apiError, client, emulator, exportParams, recordingFetch, settleAll, signRequest, PERM, REGION, sleep,
  tasksWithPrefix, track, useEmulator,
} from "./support/helpers.js";

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]));

/** The Authorization `signRequest` computes for a captured attempt (same key, host, body, time). */
function expectedAuthorization(h, body) {
  return signRequest({
    ...PERM,
    action: h["X-TC-Action"],
    host: "127.0.0.1", // the endpoint's host name without port, as the client signs it
    region: REGION,
    payload: body,
    timestamp: Number(h["X-TC-Timestamp"]),
    requestClient: h["X-TC-RequestClient"],
  }).authorization;
}

function assertFreshlySigned(calls) {
  const stamps = calls.map((c) => Number(c.headers["X-TC-Timestamp"]));
  for (const [i, c] of calls.entries()) {
    // The timestamp is the clock at send time (whole seconds), not the first attempt's.
    const sentAt = Math.floor(c.at / 1000);
    assert.ok(Math.abs(stamps[i] - sentAt) <= 1, `attempt ${i}: X-TC-Timestamp ${stamps[i]}, sent at ${sentAt}`);
    assert.equal(c.headers.Authorization, expectedAuthorization(c.headers, c.body), `attempt ${i}: signature of its own timestamp`);
    assert.equal(c.body, calls[0].body, "the same body every time");
  }
  for (let i = 1; i < calls.length; i++) {
    assert.ok(stamps[i] > stamps[i - 1], `timestamps increase: ${stamps}`);
    assert.notEqual(calls[i].headers.Authorization, calls[i - 1].headers.Authorization);
  }
  assert.equal(new Set(calls.map((c) => c.headers.Authorization)).size, calls.length, "no Authorization is reused");
}

test("ExportImages throttled three times (429): each retry carries a fresh timestamp and signature", async () => {
  await adm.faults({ status: 429, count: 3 });
  // Each throttled answer is held 1.1 s, so every retry is sent in a later second.
  const rec = recordingFetch(async (url, init) => {
    const res = await fetch(url, init);
    if (res.status === 429) await sleep(1100);
    return res;
  });
  const c = client(emu, { fetch: rec, retry: { baseDelayMs: 10 } });
  const { params, prefix } = exportParams();
  const t = track(c.ExportImages(params));
  await settleAll([t], 15_000);
  assert.equal(t.ok, true, t.error?.message);
  assert.equal(rec.calls.length, 4);
  assertFreshlySigned(rec.calls);
  const ledger = await adm.ledger();
  assert.equal(tasksWithPrefix(ledger, prefix).length, 1, "the last attempt verified and ran once");
});

test("RequestLimitExceeded codes on a DryRun: fresh timestamps, and the emulator verifies the last one", async () => {
  const codes = ["RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded", "RequestLimitExceeded.GlobalRegionUinLimitExceeded"];
  const rec = recordingFetch(async (url, init, n) => {
    if (n < codes.length) {
      await sleep(1050);
      return apiError(codes[n]);
    }
    return fetch(url, init);
  });
  const c = client(emu, { fetch: rec, retry: { baseDelayMs: 10 } });
  const t = track(c.ExportImages(exportParams({ dryRun: true }).params));
  await settleAll([t], 15_000);
  assert.equal(t.error?.code, "DryRunOperation", t.error?.message);
  assert.equal(rec.calls.length, 4);
  assertFreshlySigned(rec.calls);
});

test("DescribeImages after a 502 and a reset: each retry re-signed", async () => {
  const faults = [{ status: 502, count: 1 }, { reset: true, count: 1 }];
  const rec = recordingFetch(async (url, init, n) => {
    if (faults[n]) emu.state.faults = { ...faults[n] };
    try {
      return await fetch(url, init);
    } finally {
      if (n < faults.length) await sleep(1050);
    }
  });
  const c = client(emu, { fetch: rec, retry: { baseDelayMs: 10 } });
  const t = track(c.request("DescribeImages", {}));
  await settleAll([t], 15_000);
  assert.equal(t.ok, true, t.error?.message);
  assert.equal(rec.calls.length, 3);
  assertFreshlySigned(rec.calls);
});

test("after SignatureExpire the retry is signed with the server's clock and a matching credential-scope date", async () => {
  await adm.faults({ clockOffsetSeconds: 600 });
  const rec = recordingFetch();
  const c = client(emu, { fetch: rec });
  const { params, prefix } = exportParams();
  const t = track(c.ExportImages(params));
  await settleAll([t]);
  assert.equal(t.ok, true, t.error?.message);
  assert.equal(rec.calls.length, 2);
  const [first, second] = rec.calls.map((x) => x.headers);
  const ts = [first, second].map((h) => Number(h["X-TC-Timestamp"]));
  assert.ok(Math.abs(ts[1] - ts[0] - 600) <= 2, `${ts}`);
  for (const [i, h] of [first, second].entries()) {
    assert.equal(h.Authorization, expectedAuthorization(h, rec.calls[i].body));
    const date = new Date(ts[i] * 1000).toISOString().slice(0, 10);
    assert.ok(h.Authorization.includes(`/${date}/cvm/tc3_request`), `scope date of attempt ${i}`);
  }
  assert.equal(tasksWithPrefix(await adm.ledger(), prefix).length, 1);
});
