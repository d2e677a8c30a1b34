// Failover to profile.httpProfile.backupEndpoint (issue #18) with real sockets on loopback:
// a refused port (nothing listens: Node's fetch says ECONNREFUSED, nothing was sent) fails over
// to the backup at once, ExportImages included; a server that reads the whole request and then
// resets the connection (the request may have executed) is never followed by a send to the
// backup — not for ExportImages, not for a read's retries.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";

import { client, deadPort, exportParams, recordingFetch, tasksWithPrefix, useEmulator } from "./support/helpers.js";

let emu;
let adm;
useEmulator((e, a) => ([emu, adm] = [e, a]));

/** A TCP server that reads a whole HTTP request (headers and body), then resets the socket. */
let resetter;
let resetUrl;
let resetHits = 0;
before(async () => {
  resetter = createServer((socket) => {
    let seen = "";
    socket.on("data", (chunk) => {
      seen += chunk.toString("latin1");
      const end = seen.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(seen)?.[1] ?? 0);
      if (seen.length - end - 4 >= length) {
        resetHits++;
        socket.resetAndDestroy();
      }
    });
    socket.on("error", () => {});
  });
  await new Promise((ok) => resetter.listen(0, "127.0.0.1", ok));
  resetUrl = `http://127.0.0.1:${resetter.address().port}/`;
});
after(() => resetter?.close());

const RETRY = { maxRetries: 2, baseDelayMs: 5 };

describe("failover to httpProfile.backupEndpoint", () => {
  test("connection refused at the primary: ExportImages is sent to the backup at once and succeeds once", async () => {
    const dead = `http://127.0.0.1:${await deadPort()}/`;
    const rec = recordingFetch();
    const events = [];
    const c = client(emu, {
      // rateLimit: false — the client's own limiter would pace the second send (a throttle event).
      fetch: rec, retry: RETRY, rateLimit: false, onEvent: (e) => events.push(e),
      profile: { httpProfile: { endpoint: dead, backupEndpoint: emu.url } },
    });
    const { params, prefix } = exportParams();
    const res = await c.ExportImages(params);
    assert.ok(res.TaskId);
    assert.deepEqual(rec.calls.map((r) => r.url), [dead, emu.url]);
    assert.deepEqual(
      events.filter((e) => e.type !== "response").map((e) => [e.type, e.attempt, e.reason ?? e.host]),
      [["request", 1, "127.0.0.1"], ["retry", 2, "Client.NetworkError"], ["request", 2, "127.0.0.1"]],
    );
    assert.equal(events.find((e) => e.type === "retry").delayMs, 0);
    assert.equal(tasksWithPrefix(await adm.ledger(), prefix).length, 1);
  });

  test("a reset after the request was read: ExportImages fails (mayHaveExecuted), nothing reaches the backup", async () => {
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec, retry: RETRY, profile: { httpProfile: { endpoint: resetUrl, backupEndpoint: emu.url } } });
    const before = resetHits;
    const err = await c.ExportImages(exportParams().params).then(() => assert.fail("resolved"), (e) => e);
    assert.equal(err.code, "Client.NetworkError", err.message);
    assert.equal(err.mayHaveExecuted, true);
    assert.equal(err.attempts, 1);
    assert.equal(resetHits - before, 1, "the server read the request");
    assert.deepEqual(rec.calls.map((r) => r.url), [resetUrl]);
    assert.equal((await adm.ledger()).requests.total, 0, "the backup saw nothing");
  });

  test("a reset on a read: resent to the same endpoint only (its retries never move to the backup)", async () => {
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec, retry: RETRY, profile: { httpProfile: { endpoint: resetUrl, backupEndpoint: emu.url } } });
    const err = await c.request("DescribeImages", {}).then(() => assert.fail("resolved"), (e) => e);
    assert.equal(err.code, "Client.NetworkError");
    assert.equal(err.attempts, 3);
    assert.deepEqual(rec.calls.map((r) => r.url), [resetUrl, resetUrl, resetUrl]);
    assert.equal((await adm.ledger()).requests.total, 0);
  });

  test("after 5 refused calls in a row the primary is skipped (the breaker is open)", async () => {
    const dead = `http://127.0.0.1:${await deadPort()}/`;
    const rec = recordingFetch();
    const c = client(emu, { fetch: rec, rateLimit: false, profile: { httpProfile: { endpoint: dead, backupEndpoint: emu.url } } });
    for (let i = 0; i < 5; i++) await c.request("DescribeImages", {});
    assert.equal(rec.calls.length, 10);
    await c.request("DescribeImages", {});
    assert.deepEqual(rec.calls.slice(10).map((r) => r.url), [emu.url], "straight to the backup");
  });

  test("backupEndpoint is checked like endpoint", () => {
    assert.throws(
      () => client(emu, { profile: { httpProfile: { backupEndpoint: "ftp://x" } } }),
      (e) => e.code === "Client.InvalidOption" && e.field === "profile.httpProfile.backupEndpoint",
    );
  });
});

describe("COS: myqcloud.com unreachable → tencentcos.cn (AutoSwitchHost), only without cosEndpoint", () => {
  /** DNS fails for myqcloud.com (as Node's fetch reports it); tencentcos.cn reaches the emulator's COS. */
  const cosFetch = (urls) => async (url, init) => {
    urls.push(url);
    const u = new URL(url);
    if (u.hostname.endsWith(".myqcloud.com")) throw new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }) });
    if (u.hostname.endsWith(".tencentcos.cn")) {
      const bucket = u.hostname.split(".")[0];
      return fetch(`${emu.url}cos/${bucket}${u.pathname}${u.search}`, init);
    }
    return fetch(url, init);
  };

  test("the poll is sent again at once to <bucket>.cos.<region>.tencentcos.cn, signed for it (the emulator checks)", async () => {
    const urls = [];
    const events = [];
    const c = client(emu, { fetch: cosFetch(urls), onEvent: (e) => events.push(e) });
    const state = await c.checkExportFiles({ BucketName: "backup-1250000000", CosPaths: ["/not-yet.qcow2"] });
    assert.equal(state.ready, 0);
    assert.equal(new URL(urls[0]).hostname, "backup-1250000000.cos.ap-guangzhou.myqcloud.com");
    assert.ok(urls.slice(1).every((u) => new URL(u).hostname === "backup-1250000000.cos.ap-guangzhou.tencentcos.cn"), urls.join(" "));
    assert.deepEqual(events.map((e) => [e.status, e.state]), [[0, "failed"], [404, "checking"], [404, "pending"]]);
    // The emulator found each signature valid for the tencentcos.cn host (not myqcloud.com's).
    const recent = (await adm.ledger()).cos.recent;
    assert.equal(recent.length, 2);
    for (const e of recent) assert.equal(e.signedHost, "backup-1250000000.cos.ap-guangzhou.tencentcos.cn");
  });

  test("waitForExport after a switch: the links point at tencentcos.cn, presigned for it (they download)", async () => {
    const res = await fetch(`${emu.url}__admin/config`, { method: "POST", body: JSON.stringify({ exportTaskMs: 300 }) });
    assert.equal(res.status, 200);
    const urls = [];
    const c = client(emu, { fetch: cosFetch(urls) });
    const task = await c.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-pq5pau1w"], ExportFormat: "QCOW2" });
    const files = await c.waitForExport({ ...task, BucketName: "backup-1250000000" }, { interval: 0.05, maxInterval: 0.2, timeout: 20 });
    const link = new URL(files[0].url);
    assert.equal(link.hostname, "backup-1250000000.cos.ap-guangzhou.tencentcos.cn");
    const got = await fetch(`${emu.url}cos/backup-1250000000${link.pathname}${link.search}`);
    assert.equal(got.status, 200, await got.text());
    const recent = (await adm.ledger()).cos.recent;
    assert.equal(recent.at(-1).signedHost, "backup-1250000000.cos.ap-guangzhou.tencentcos.cn");
  });

  test("with a cosEndpoint, no switch: the error is the endpoint's", async () => {
    const urls = [];
    const c = client(emu, { fetch: cosFetch(urls), profile: { cosEndpoint: "https://{Bucket}.cos.{Region}.myqcloud.com.example" } });
    await c.checkExportFiles({ BucketName: "backup-1250000000", CosPaths: ["/not-yet.qcow2"] }).then(() => assert.fail("resolved"), () => {});
    assert.ok(urls.every((u) => !u.includes("tencentcos")), urls.join(" "));
  });
});
