// js/wait.js (the export waiter's driver: waitForExport / checkExportFiles) on its own, without
// the wasm module: its mechanics (cosOnce, callProgress) and the driver against a scripted
// fake of the wasm side that speaks the same protocol as src/wasm/wait_export.rs (numbers in
// the client's io header, text in buffers of a WebAssembly.Memory). Also: a provider call is
// shared with the call path (js/driver.js) — one call, whichever side started it.
// (tests/js/modules.test.js type-checks js/, this module included.)
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { TencentCloudError } from "../../js/boundary.js";
import { installCallPath } from "../../js/driver.js";
import { callProgress, COS_HEADERS, cosOnce, installWaitPath } from "../../js/wait.js";

import { CALL_PROVIDER, DONE, EV_ABORTED, EV_CONTINUE, EV_ELAPSED, EV_FAILED, EV_PROVIDER_TIMEOUT, EV_RESPONSE, FAILED, IO_MONO, IO_WALL, JOIN_PROVIDER, PROGRESS, SEND, WAIT } from "../../js/codes.js";

describe("js/wait.js mechanics", () => {
  test("cosOnce: status, the six COS headers, an error body read; a 2xx body cancelled unread", async () => {
    let cancelled = false;
    const seen = [];
    const fetch = async (url, init) => {
      seen.push({ url, ...init });
      const ok = seen.length === 1;
      const h = { "content-length": "12", etag: '"e"', "x-cos-request-id": "rid" };
      return {
        status: ok ? 200 : 404,
        headers: { get: (n) => h[n] ?? null },
        body: { cancel: async () => void (cancelled = true) },
        text: async () => (ok ? assert.fail("a 2xx body is not read") : "<Error><Code>NoSuchKey</Code></Error>"),
      };
    };
    const ok = await cosOnce(fetch, "HEAD", "https://b/k", { Authorization: "a" }, 1000, undefined);
    assert.deepEqual(ok, { kind: "ok", status: 200, headers: ["12", "", '"e"', "", "rid", ""], body: "" });
    assert.equal(cancelled, true);
    assert.equal(seen[0].method, "HEAD");
    assert.deepEqual(seen[0].headers, { Authorization: "a" });
    assert.equal(seen[0].cache, "no-store", "Node's fetch takes it");
    assert.equal(seen[0].redirect, "manual", "never followed");
    const missing = await cosOnce(fetch, "GET", "https://b/k", {}, 1000, undefined);
    assert.equal(missing.status, 404);
    assert.equal(missing.body, "<Error><Code>NoSuchKey</Code></Error>");
    assert.deepEqual(COS_HEADERS, ["content-length", "content-range", "etag", "last-modified", "x-cos-request-id", "date"]);
    // A listing (GET without Range: the quiet probe) is read; a ranged GET's 2xx is not.
    const listing = (status) => async () => ({ status, headers: { get: () => null }, body: { cancel: async () => {} }, text: async () => "<ListBucketResult/>" });
    assert.equal((await cosOnce(listing(200), "GET", "https://b/?prefix=k", {}, 1000, undefined)).body, "<ListBucketResult/>");
    assert.equal((await cosOnce(listing(206), "GET", "https://b/k", { Range: "bytes=0-0" }, 1000, undefined)).body, "");
  });

  test("cosOnce: bounded by its timeout and the signal even if the transport ignores both; failures report cause.code", async () => {
    const never = () => new Promise(() => {});
    const t0 = performance.now();
    assert.equal((await cosOnce(never, "HEAD", "u", {}, 30, undefined)).kind, "timeout");
    assert.ok(performance.now() - t0 < 1000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 10);
    assert.equal((await cosOnce(never, "HEAD", "u", {}, 60_000, ac.signal)).kind, "aborted");
    const refused = async () => {
      throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    };
    assert.deepEqual(await cosOnce(refused, "HEAD", "u", {}, 1000, undefined), { kind: "network", code: "ECONNREFUSED", message: "fetch failed" });
    let signal;
    await cosOnce(async (_u, i) => ((signal = i.signal), { status: 200, headers: null }), "HEAD", "u", {}, 1000, undefined);
    assert.ok(signal instanceof AbortSignal, "the fetch itself can be aborted");
  });

  test("callProgress drops what onProgress throws or rejects with", async () => {
    const unhandled = [];
    const on = (r) => unhandled.push(r);
    process.on("unhandledRejection", on);
    try {
      let got;
      callProgress((v) => (got = v), 5);
      assert.equal(got, 5);
      callProgress(() => {
        throw new Error("ui bug");
      }, 1);
      callProgress(async () => {
        throw new Error("async ui bug");
      }, 1);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off("unhandledRejection", on);
    }
    assert.deepEqual(unhandled, []);
  });
});

/**
 * A scripted stand-in for the wasm side (src/wasm/client.rs + src/wasm/wait_export.rs): the
 * io header and buffers in a WebAssembly.Memory, answering every step from one list of actions.
 * Both drivers are installed on its class, as the package entries do.
 */
function fakeCore(script, { provider, fetch, start } = {}) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const io = new Float64Array(memory.buffer);
  const bytes = new Uint8Array(memory.buffer);
  const AT = 8;
  const IN = 1024;
  const OUT = 4096;
  io[AT + 4] = IN;
  io[AT + 5] = 2048;
  const events = [];
  const emit = () => {
    const [code, n, text = "", timeout = 0] = script.shift();
    const b = new TextEncoder().encode(text);
    bytes.set(b, OUT);
    io[AT] = code;
    io[AT + 1] = n;
    io[AT + 2] = OUT;
    io[AT + 3] = b.length;
    io[AT + 7] = timeout;
    return code;
  };
  const input = (len) => new TextDecoder().decode(bytes.subarray(IN, IN + len));
  class Core {
    __driver() { return ["https://h/", fetch, provider, AT]; }
    __reserve() { throw new Error("not in this script"); }
    __callOptions() {}
    __start(kind, len, aborted) { events.push(["start", kind, input(len), aborted]); io[AT + 6] = 2; return emit(); }
    __step(id, event, n, len) { events.push(["step", id, event, n, input(len)]); return emit(); }
    __provided(id, p, ok, value) { events.push(["provided", id, p, ok, value]); return emit(); }
    __waitStart(task, options, once, isSignal, aborted) {
      events.push(["waitStart", task, once, isSignal, aborted]);
      // The clocks are in the header, as for the call path (written before every call in).
      assert.ok(Math.abs(io[AT + IO_MONO] - performance.now()) < 1000 && Math.abs(io[AT + IO_WALL] - Date.now()) < 1000);
      if (start) start(task, options);
      io[AT + 6] = 4;
      return emit();
    }
    __waitStep(id, event, n, len) { events.push(["waitStep", id, event, n, input(len)]); return emit(); }
    __waitProvided(id, p, ok, value) { events.push(["waitProvided", id, p, ok, value]); return emit(); }
  }
  installCallPath(Core, memory, TencentCloudError);
  installWaitPath(Core, memory, TencentCloudError);
  return { core: new Core(), events, bytes, OUT };
}

describe("js/wait.js against a scripted wasm side", () => {
  test("PROGRESS, SEND, WAIT, DONE: onProgress gets the report, the request its headers (zeroed once read), the reply goes back", async () => {
    let zeroed;
    let init;
    const fetch = async (url, i) => {
      init = { url, ...i };
      zeroed = fake.bytes.subarray(fake.OUT, fake.OUT + 30).every((b) => b === 0);
      const h = { "content-length": "7", "last-modified": "Wed, 27 Nov 2024 01:02:03 GMT" };
      return { status: 200, headers: { get: (n) => h[n] ?? null }, body: null };
    };
    const reports = [];
    const fake = fakeCore(
      [
        [PROGRESS, 0, '{"ready":0,"total":1,"elapsedMs":0,"files":[{"key":"/k","state":"pending"}]}'],
        [SEND, 2, "HEAD\0https://b.cos/k\0Authorization\0q-sign\0x-cos-security-token\0TOKEN", 900],
        [WAIT, 5],
        [SEND, 1, "GET\0https://b.cos/k\0Range\0bytes=0-0", 900],
        [PROGRESS, 0, '{"ready":1,"total":1,"elapsedMs":9,"files":[{"key":"/k","state":"ready","url":"L"}]}'],
        [DONE, 0, '[{"key":"/k","url":"L"}]'],
      ],
      { fetch },
    );
    const { core, events } = fake;
    const files = await core.waitForExport({ BucketName: "b-1", CosPaths: ["/k"] }, { onProgress: (p) => reports.push(p) });
    assert.deepEqual(files, [{ key: "/k", url: "L" }]);
    assert.deepEqual(reports.map((r) => r.ready), [0, 1]);
    assert.equal(init.url, "https://b.cos/k");
    assert.equal(init.method, "GET");
    assert.equal(zeroed, true, "the request's text (its token) is zeroed once read, before fetch runs");
    assert.equal(fake.bytes.subarray(fake.OUT, fake.OUT + 20).every((b) => b === 0), true, "the result's links are zeroed too");
    assert.deepEqual(events[0].slice(1), [{ BucketName: "b-1", CosPaths: ["/k"] }, false, false, false]);
    assert.deepEqual(events.slice(1).map((e) => e.slice(0, 4)), [
      ["waitStep", 4, EV_CONTINUE, 0],
      ["waitStep", 4, EV_RESPONSE, 200],
      ["waitStep", 4, EV_ELAPSED, 0],
      ["waitStep", 4, EV_RESPONSE, 200],
      ["waitStep", 4, EV_CONTINUE, 0],
    ]);
    assert.equal(events[2][4], ["7", "", "", "Wed, 27 Nov 2024 01:02:03 GMT", "", "", ""].join("\0"), "headers in COS_HEADERS order, then the body");
  });

  test("a failed request is an event (timeout flag, cause code and message); FAILED is a TencentCloudError", async () => {
    const refused = async () => {
      throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    };
    const { core, events } = fakeCore(
      [
        [SEND, 0, "HEAD\0https://b.cos/k", 900],
        [FAILED, 0, "NoSuchBucket\0rid\0\x00404\0\0The bucket does not exist"],
      ],
      { fetch: refused },
    );
    await assert.rejects(core.checkExportFiles({ BucketName: "b-1", CosPaths: ["/k"] }), (e) => {
      assert.ok(e instanceof TencentCloudError);
      assert.deepEqual([e.code, e.requestId, e.httpCode, e.message], ["NoSuchBucket", "rid", 404, "The bucket does not exist"]);
      return true;
    });
    assert.equal(events[0][2], true, "checkExportFiles: once");
    assert.deepEqual(events[1].slice(2), [EV_FAILED, 0, "ECONNREFUSED\0fetch failed"]);
  });

  test("options: the signal is checked, reported aborted before start, and wins during a wait; a start that throws rejects", async () => {
    const ac = new AbortController();
    ac.abort();
    const { core, events } = fakeCore([[FAILED, 0, "Client.Aborted\0\0\0\0\0aborted"]]);
    await assert.rejects(core.waitForExport({}, { signal: ac.signal }), { code: "Client.Aborted" });
    assert.deepEqual(events[0].slice(3), [true, true]);

    const ac2 = new AbortController();
    const { core: c2, events: e2 } = fakeCore([[WAIT, 60_000], [FAILED, 0, "Client.Aborted\0\0\0\0\0aborted"]]);
    const p = c2.waitForExport({}, { signal: ac2.signal });
    setTimeout(() => ac2.abort(), 5);
    await assert.rejects(p, { code: "Client.Aborted" });
    assert.deepEqual(e2[1].slice(2, 3), [EV_ABORTED]);

    const bad = new TencentCloudError("Client.InvalidOption", "options.signal must be an AbortSignal", undefined, "signal");
    const { core: c3, events: e3 } = fakeCore([], { start: () => { throw bad; } });
    const r = c3.waitForExport({}, { signal: {} });
    assert.ok(r instanceof Promise, "never throws synchronously");
    await assert.rejects(r, (e) => e === bad);
    assert.equal(e3[0][3], false, "{} is no AbortSignal");

    // An onProgress getter that throws: rejected with its error before the wait starts in wasm
    // (a wait started and never driven would keep its slot).
    const trap = new Error("getter");
    const { core: c4, events: e4 } = fakeCore([]);
    await assert.rejects(c4.waitForExport({}, { get onProgress() { throw trap; } }), (e) => e === trap);
    assert.deepEqual(e4, [], "__waitStart never called");
  });

  test("the provider: one call shared with the call path (a JOIN from either side awaits it); a timeout is an event", async () => {
    let calls = 0;
    let answer;
    const provider = () => {
      calls++;
      return new Promise((r) => (answer = r));
    };
    // The API call starts provider call 7; the wait joins it.
    const { core, events } = fakeCore(
      [
        [CALL_PROVIDER, 7, "", 1000], // ExportImages: CALL_PROVIDER 7
        [JOIN_PROVIDER, 7, "", 1000], // waitForExport: JOIN_PROVIDER 7
        [DONE, 0, "{}"], // __provided (the call)
        [DONE, 0, "[]"], // __waitProvided (the wait)
      ],
      { provider },
    );
    const call = core.ExportImages({});
    const wait = core.waitForExport({});
    await new Promise((r) => setTimeout(r, 10));
    answer({ secretId: "p" });
    assert.deepEqual(await call, {});
    assert.deepEqual(await wait, []);
    assert.equal(calls, 1, "asked once");
    assert.deepEqual(events.filter((e) => e[0].endsWith("rovided")).map((e) => [e[0], e[2], e[3], e[4]]), [
      ["provided", 7, true, { secretId: "p" }],
      ["waitProvided", 7, true, { secretId: "p" }],
    ]);

    const { core: c2, events: e2 } = fakeCore(
      [[CALL_PROVIDER, 9, "", 20], [FAILED, 0, "Client.CredentialProviderError\0\0\0\0\0did not answer"]],
      { provider: () => new Promise(() => {}) },
    );
    await assert.rejects(c2.waitForExport({}), /did not answer/);
    assert.deepEqual(e2[1].slice(2, 4), [EV_PROVIDER_TIMEOUT, 9]);
  });
});
