// The hand-written JS modules on their own (issue #13): js/boundary.js (the wasm module's
// imports) and js/driver.js (the call path's driver), without the wasm module — the driver
// against a scripted fake of the wasm side that speaks the same protocol (numbers in a header
// and text in buffers of a WebAssembly.Memory). Plus the type check: `tsc -p js/tsconfig.json`
// (checkJs, strict, no unused locals/parameters) must pass.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { packSignInput, SIGN_FIELDS, stringifyInto, TencentCloudError, unpackSigned, writePending } from "../../js/boundary.js";
import { CALL_PROVIDER, DONE, FAILED, JOIN_PROVIDER, SEND, WAIT } from "../../js/codes.js";
import { installCallPath, isAbortSignal, monotonic, sendOnce, settleWithin, sleep } from "../../js/driver.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("js/ type-checks (tsc --noEmit, checkJs, strict, noUnused*)", { timeout: 60_000 }, () => {
  const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
  let out = "";
  try {
    execFileSync(process.execPath, [tsc, "-p", "js/tsconfig.json"], { cwd: ROOT, encoding: "utf8" });
  } catch (e) {
    out = `${e.stdout}${e.stderr}`;
  }
  assert.equal(out, "");
});

describe("js/boundary.js", () => {
  test("packSignInput: fields in SIGN_FIELDS order, tagged, payload last; errors name the property only", () => {
    assert.equal(SIGN_FIELDS.length, 17);
    assert.equal(SIGN_FIELDS.at(-1), "payload");
    const packed = packSignInput({ secretId: "id", secretKey: "KEY", action: "A", timestamp: 5, payload: { a: 1 } });
    const parts = packed.split("\0");
    assert.equal(parts.length, 17);
    assert.deepEqual(parts.slice(0, 4), ["sid", "sKEY", "-", "sA"]);
    assert.equal(parts[SIGN_FIELDS.indexOf("timestamp")], "s5");
    assert.equal(parts[16], 's{"a":1}');
    assert.equal(packSignInput({ secretId: "a\0b" }).split("\0")[0], "r", "a NUL: wasm reads the property itself");
    assert.match(packSignInput({ secretKey: 7 }), /^!Cinput\.secretKey must be a string$/);
    assert.match(packSignInput({ secretKey: "SECRET", bogus: 1 }), /^!Oinput\.bogus is not a known option/);
    assert.doesNotMatch(packSignInput({ secretKey: "SECRET", bogus: 1 }), /SECRET/);
    assert.equal(packSignInput([]), "!Oinput must be an object");
  });

  test("unpackSigned rebuilds the result object; a body may hold NULs", () => {
    const r = unpackSigned(["u", "POST", "c", "s", "sig", "auth", "2", "A", "1", "B", "2", "body\0with nul"].join("\0"));
    assert.deepEqual(r, { url: "u", method: "POST", headers: { A: "1", B: "2" }, body: "body\0with nul", canonicalRequest: "c", stringToSign: "s", signature: "sig", authorization: "auth" });
  });

  test("stringifyInto writes UTF-8 into memory, asks for more room, then writePending finishes", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const bytes = new Uint8Array(memory.buffer);
    assert.equal(stringifyInto(memory, { a: "é" }, 16, 64), 10);
    assert.equal(new TextDecoder().decode(bytes.subarray(16, 26)), '{"a":"é"}');
    const big = { s: "x".repeat(100) };
    const need = stringifyInto(memory, big, 0, 8);
    assert.ok(need < 0 && -need >= 108);
    assert.equal(writePending(memory, 200, -need), 108);
    assert.equal(stringifyInto(memory, undefined, 0, 8), -1);
    assert.equal(stringifyInto(memory, { b: 1n }, 0, 8), -1);
  });

  test("TencentCloudError: an Error with the SDK's fields", () => {
    const e = new TencentCloudError("C", "m", "r", "f", 500, true);
    assert.ok(e instanceof Error);
    assert.deepEqual(e.toJSON(), {
      name: "TencentCloudError", code: "C", message: "m", requestId: "r", field: "f", httpCode: 500, mayHaveExecuted: true,
      traceId: undefined, attempts: 0, totalRetryDelayMs: 0,
    });
    assert.equal(String(e), "TencentCloudError: [C] m (RequestId: r)");
  });
});

describe("js/driver.js mechanics", () => {
  test("monotonic is performance.now, not the wall clock", () => {
    const real = Date.now;
    Date.now = () => 0;
    try {
      const a = monotonic();
      assert.ok(Math.abs(a - performance.now()) < 50);
    } finally {
      Date.now = real;
    }
  });

  test("sleep: false after the delay, true at once on abort, listener removed", async () => {
    assert.equal(await sleep(5, undefined), false);
    const ac = new AbortController();
    const t0 = performance.now();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    assert.equal(await p, true);
    assert.ok(performance.now() - t0 < 1000);
    const ac2 = new AbortController();
    assert.equal(await sleep(1, ac2.signal), false);
  });

  test("settleWithin: ok, error, timeout, aborted", async () => {
    assert.deepEqual(await settleWithin(Promise.resolve(1), 1000, undefined), { kind: "ok", value: 1 });
    assert.deepEqual(await settleWithin(Promise.reject(2), 1000, undefined), { kind: "error", value: 2 });
    assert.deepEqual(await settleWithin(new Promise(() => {}), 10, undefined), { kind: "timeout" });
    const ac = new AbortController();
    const p = settleWithin(new Promise(() => {}), 10_000, ac.signal);
    ac.abort();
    assert.deepEqual(await p, { kind: "aborted" });
  });

  test("sendOnce: status, Date header and body; no AbortController unless the transport reads init.signal", async () => {
    const RealAC = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends RealAC {
      constructor() {
        super();
        made++;
      }
    };
    try {
      let seen;
      const plain = async (url, init) => {
        seen = { url, method: init.method, headers: init.headers, body: init.body };
        return { status: 201, headers: { get: (n) => (n === "date" ? "D" : null) }, text: async () => "T" };
      };
      assert.deepEqual(await sendOnce(plain, "u", { A: "1" }, "b", 1000, undefined), { kind: "ok", status: 201, date: "D", text: "T" });
      assert.deepEqual(seen, { url: "u", method: "POST", headers: { A: "1" }, body: "b" });
      assert.equal(made, 0);
      let signal;
      const reads = async (url, init) => {
        signal = init.signal;
        return new Promise(() => {});
      };
      assert.equal((await sendOnce(reads, "u", {}, "", 20, undefined)).kind, "timeout");
      assert.equal(made, 1);
      assert.equal(signal.aborted, true, "the timeout aborts the fetch");
    } finally {
      globalThis.AbortController = RealAC;
    }
  });

  test("sendOnce: a transport that ignores its signal is bounded; abort wins; failures report cause.code", async () => {
    const never = () => new Promise(() => {});
    const t0 = performance.now();
    assert.equal((await sendOnce(never, "u", {}, "", 30, undefined)).kind, "timeout");
    assert.ok(performance.now() - t0 < 2000);
    const ac = new AbortController();
    const p = sendOnce(never, "u", {}, "", 60_000, ac.signal);
    ac.abort();
    assert.equal((await p).kind, "aborted");
    const refused = async () => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    };
    assert.deepEqual(await sendOnce(refused, "u", {}, "", 1000, undefined), { kind: "network", code: "ECONNREFUSED", message: "fetch failed" });
    const noStatus = async () => ({});
    assert.equal((await sendOnce(noStatus, "u", {}, "", 1000, undefined)).kind, "network");
  });

  test("isAbortSignal is duck-typed", () => {
    assert.equal(isAbortSignal(new AbortController().signal), true);
    assert.equal(isAbortSignal({ aborted: false, addEventListener() {} }), true);
    assert.equal(isAbortSignal({}), false);
    assert.equal(isAbortSignal(null), false);
  });
});

/**
 * A scripted stand-in for the wasm side: the same header and buffers in a WebAssembly.Memory
 * (src/wasm/client.rs), answering from a list of actions.
 */
function fakeCore(script, { provider, fetch, grow = false } = {}) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  let io = new Float64Array(memory.buffer);
  let bytes = new Uint8Array(memory.buffer);
  const AT = 8; // io header at byte 64
  const IN = 1024;
  const OUT = 4096;
  io[AT + 4] = IN;
  io[AT + 5] = 512;
  const events = [];
  const emit = () => {
    if (grow) {
      // As wasm does when it allocates: the old ArrayBuffer is detached.
      memory.grow(1);
      io = new Float64Array(memory.buffer);
      bytes = new Uint8Array(memory.buffer);
    }
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
    __start(kind, len, aborted) {
      // The driver wrote the clocks first.
      assert.ok(Math.abs(io[AT + 8] - performance.now()) < 1000 && Math.abs(io[AT + 9] - Date.now()) < 1000 && io[AT + 10] < 1);
      // The input begins with the call's trace id (its X-TC-TraceId), a UUID, and a NUL.
      let text = input(len);
      if (len >= 0) {
        const nul = text.indexOf("\0");
        assert.match(text.slice(0, nul), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        text = text.slice(nul + 1);
      }
      events.push(["start", kind, text, aborted]);
      io[AT + 6] = 3;
      return emit();
    }
    __step(id, event, n, len) { events.push(["step", id, event, n, input(len)]); return emit(); }
    __provided(id, p, ok, value) { events.push(["provided", id, p, ok, value]); return emit(); }
  }
  installCallPath(Core, memory, TencentCloudError);
  return { core: new Core(), events, get bytes() { return bytes; }, OUT };
}

describe("js/driver.js against a scripted wasm side", () => {
  test("SEND then DONE: headers and body from the buffer (then zeroed), the response fed back, the result parsed", async () => {
    let init;
    let zeroed;
    const fetch = async (url, i) => {
      init = { url, ...i };
      zeroed = fake.bytes.subarray(fake.OUT, fake.OUT + 40).every((b) => b === 0);
      return { status: 200, headers: { get: () => "Sun, 06 Nov 1994 08:49:37 GMT" }, text: async () => '{"Response":{}}' };
    };
    const fake = fakeCore(
      [
        [SEND, 2, "Authorization\0A\0X-TC-Token\0SECRET\0{\"b\":1}", 5000],
        [DONE, 0, '{"TaskId":1}'],
      ],
      { fetch },
    );
    const { core, events } = fake;
    assert.deepEqual(await core.ExportImages({ BucketName: "x" }), { TaskId: 1 });
    assert.equal(init.url, "https://h/");
    assert.deepEqual(init.headers, { Authorization: "A", "X-TC-Token": "SECRET" });
    assert.equal(init.body, '{"b":1}');
    assert.equal(zeroed, true, "the token's bytes are zeroed once read, before fetch runs");
    assert.deepEqual(events[0], ["start", 0, '{"BucketName":"x"}', false]);
    assert.deepEqual(events[1], ["step", 3, 2, 200, 'Sun, 06 Nov 1994 08:49:37 GMT\0{"Response":{}}']);
  });

  test("FAILED becomes a TencentCloudError with every field; request() takes Response", async () => {
    const { core } = fakeCore([[FAILED, 0, "Client.Timeout\0req-1\0Field\x00504\x001\0the message\0with a NUL"]]);
    await assert.rejects(core.ExportImages({}), (e) => {
      assert.ok(e instanceof TencentCloudError);
      assert.match(e.traceId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(e.toJSON(), {
        name: "TencentCloudError", code: "Client.Timeout", message: "the message\0with a NUL", requestId: "req-1", field: "Field", httpCode: 504, mayHaveExecuted: true,
        traceId: e.traceId, attempts: 0, totalRetryDelayMs: 0,
      });
      return true;
    });
    const { core: c2, events } = fakeCore([[DONE, 0, '{"Response":{"RequestId":"r"}}']]);
    assert.deepEqual(await c2.request("DescribeImages"), { RequestId: "r" });
    assert.deepEqual(events[0], ["start", 1, "DescribeImages\0{}", false]);
    const { core: c3, events: e3 } = fakeCore([[FAILED, 0, "InvalidParameter\0\0\0\0\0m"]]);
    await assert.rejects(c3.request("DescribeImages", { f() {} }.f));
    assert.deepEqual(e3[0], ["start", 2, "DescribeImages\0", false], "no JSON form: kind 2");
  });

  test("WAIT, then the provider: called once, its answer handed to __provided; a timeout is an event", async () => {
    let calls = 0;
    const provider = () => {
      calls++;
      return { secretId: "p" };
    };
    const { core, events } = fakeCore(
      [
        [WAIT, 5],
        [CALL_PROVIDER, 7, "", 1000],
        [JOIN_PROVIDER, 7, "", 1000],
        [DONE, 0, "{}"],
      ],
      { provider },
    );
    assert.deepEqual(await core.ExportImages({}), {});
    assert.equal(calls, 1, "a JOIN_PROVIDER never starts a provider call");
    // The answer was dropped once settled: a later JOIN_PROVIDER of it hears "gone" (event 9)
    // and the machine asks anew — no credential is kept or reused by the driver.
    assert.deepEqual(events.slice(1).map((e) => e.slice(0, 4)), [["step", 3, 1, 0], ["provided", 3, 7, true], ["step", 3, 9, 7]]);
    const { core: c2, events: e2 } = fakeCore([[CALL_PROVIDER, 9, "", 20], [FAILED, 0, "Client.CredentialProviderError\0\0\0\0\0late"]], { provider: () => new Promise(() => {}) });
    await assert.rejects(c2.ExportImages({}), /late/);
    assert.deepEqual(e2[1].slice(0, 4), ["step", 3, 5, 9]);
  });

  test("memory that grows during a step: the header is read through fresh views (waits and timeouts keep their values)", async () => {
    let init;
    const fetch = async (url, i) => {
      init = i;
      return { status: 200, headers: { get: () => null }, text: async () => "{}" };
    };
    const { core } = fakeCore([[WAIT, 40], [SEND, 0, "{}", 5000], [DONE, 0, "{}"]], { fetch, grow: true });
    const t0 = performance.now();
    assert.deepEqual(await core.ExportImages({}), {});
    assert.ok(performance.now() - t0 >= 35, "the 40 ms wait was not read as 0 from a detached view");
    assert.equal(init.body, "{}");
  });

  test("an aborted signal is reported to __start; abort during a wait is the event that follows", async () => {
    const ac = new AbortController();
    ac.abort();
    const { core, events } = fakeCore([[FAILED, 0, "Client.Aborted\0\0\0\0\0aborted"]]);
    await assert.rejects(core.ExportImages({}, { signal: ac.signal }), /aborted/);
    assert.equal(events[0][3], true);
    const ac2 = new AbortController();
    const { core: c2, events: e2 } = fakeCore([[WAIT, 60_000], [FAILED, 0, "Client.Aborted\0\0\0\0\0aborted"]]);
    const p = c2.ExportImages({}, { signal: ac2.signal });
    setTimeout(() => ac2.abort(), 5);
    await assert.rejects(p, /aborted/);
    assert.deepEqual(e2[1].slice(0, 3), ["step", 3, 4]);
  });
});
