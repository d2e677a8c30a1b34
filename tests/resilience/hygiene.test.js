// Secret hygiene: the SecretKey and the session token never appear in an error — its message,
// String(err), JSON.stringify(err), err.stack, util.inspect(err), any own property or its
// cause — nor in anything written to console.* / process.stdout / process.stderr while the
// calls run. Every error path is driven with one distinctive SecretKey and token: validation,
// API errors, network, timeout, abort, provider failures, bad options, bad signRequest input,
// unusable responses, the sign/validate helpers.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { after, before, test } from "node:test";

// Before the package entry: captures the instance it creates.
import { entryMemory } from "../support/entry-instance.js";
import {
  admin, CvmClient, deadPort, emulator, exportParams, PERM, REGION, signRequest, sleep, TencentCloudError,
} from "./support/helpers.js";

// The instance pkg/node.js created (captured by tests/support/entry-instance.js).
const wasmInstance = () => ({ memory: entryMemory() });

const nonce = randomBytes(8).toString("hex");
const SECRET_KEY = `SKhygiene${nonce}KeyMaterial`;
const TOKEN = `TKhygiene${nonce}SessionToken-${randomBytes(24).toString("base64url")}`;
// Fragments too, so a truncated or partly escaped leak is found.
const NEEDLES = [SECRET_KEY, TOKEN, `SKhygiene${nonce}`, `TKhygiene${nonce}`, nonce];
const CRED = { secretId: PERM.secretId, secretKey: SECRET_KEY, token: TOKEN };

let emu;
let adm;
before(async () => {
  emu = await emulator();
  adm = admin(emu);
});
after(() => emu?.close());

/** Every way an error can be turned into text. */
function renderings(err) {
  const out = {
    message: String(err?.message),
    String: String(err),
    json: JSON.stringify(err),
    stack: String(err?.stack),
    inspect: inspect(err, { showHidden: true, depth: 6, getters: true }),
  };
  if (err && typeof err === "object") {
    for (const key of Reflect.ownKeys(err)) {
      let v;
      try {
        v = err[key];
      } catch (e) {
        v = e;
      }
      out[`own:${String(key)}`] = typeof v === "string" ? v : inspect(v, { depth: 6 });
    }
    if (err.cause !== undefined) out.cause = inspect(err.cause, { showHidden: true, depth: 6 });
  }
  return out;
}

function assertClean(label, err) {
  for (const [how, text] of Object.entries(renderings(err))) {
    for (const n of NEEDLES) assert.ok(!text.includes(n), `${label}: ${how} contains a secret: ${text.slice(0, 300)}`);
  }
}

/** Captures console.* and process.stdout/stderr writes while `fn` runs (passing them through). */
async function captureOutput(fn) {
  const captured = [];
  const restore = [];
  for (const name of ["log", "info", "warn", "error", "debug", "trace", "dir", "table"]) {
    const original = console[name];
    console[name] = (...args) => {
      captured.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 6 }))).join(" "));
      return original.apply(console, args);
    };
    restore.push(() => { console[name] = original; });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = function (chunk, ...rest) {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return original.call(this, chunk, ...rest);
    };
    restore.push(() => { stream.write = original; });
  }
  try {
    await fn();
  } finally {
    for (const r of restore) r();
  }
  return captured.join("\n");
}

/** Runs `fn`, expecting it to throw or reject; returns the error. */
async function errorOf(label, fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail(`${label}: expected an error`);
}

const clientWith = (opts = {}) => new CvmClient({
  credential: CRED, region: REGION, ...opts,
  profile: { ...(opts.profile ?? {}), httpProfile: { endpoint: emu.url, ...(opts.profile?.httpProfile ?? {}) } },
});

test("every error path: no SecretKey or token in the error or on the console", async () => {
  const port = await deadPort();
  const cases = {
    // Validation (before anything is sent).
    "validation: bad BucketName": () => clientWith().ExportImages({ BucketName: "bad", ImageIds: ["img-72n9mi0y"] }),
    "validation: unknown field": () => clientWith().ExportImages({ BucketName: "b-1250000000", ImageIds: ["img-72n9mi0y"], SecretKey: "x" }),
    "validation: not an object": () => clientWith().ExportImages("nope"),
    "validation: BigInt payload": () => clientWith().request("DescribeImages", { n: 1n }),
    "validation: bad action": () => clientWith().request("describe images", {}),
    "validateExportImages": () => clientWith().validateExportImages({ ImageIds: [] }),
    "signExportImages: bad timestamp": () => clientWith().signExportImages(exportParams().params, 1.5),
    // API errors (the distinctive key fails the emulator's signature check).
    "API: SignatureFailure": () => clientWith().request("DescribeImages", {}),
    "API: SecretIdNotFound": () => new CvmClient({ credential: { ...CRED, secretId: "AKIDunknown" }, region: REGION, profile: { httpProfile: { endpoint: emu.url } } }).ExportImages(exportParams().params),
    "API: server echoes nothing secret (business error path)": () => clientWith().ExportImages({ BucketName: "no-such-bucket-1250000000", ImageIds: ["img-72n9mi0y"] }),
    // Network.
    "network: connection refused": () => clientWith({ retry: { baseDelayMs: 5 }, profile: { httpProfile: { endpoint: `http://127.0.0.1:${port}` } } }).request("DescribeImages", {}),
    "network: fetch rejects quoting its init (token in headers)": () => clientWith({
      retry: false,
      fetch: (url, init) => Promise.reject(new Error(`failed ${url} ${JSON.stringify(init)}`, { cause: new Error(`cause ${JSON.stringify(init.headers)}`) })),
    }).request("DescribeImages", {}),
    "network: fetch rejects with a string holding the token": () => clientWith({
      retry: false, fetch: (url, init) => Promise.reject(`X-TC-Token: ${init.headers["X-TC-Token"]}`),
    }).request("DescribeImages", {}),
    "network: fetch throws synchronously quoting the headers": () => clientWith({
      retry: false, fetch: (url, init) => { throw new TypeError(`bad headers ${JSON.stringify(init.headers)}`); },
    }).request("DescribeImages", {}),
    "network: cause.code holds the token": () => clientWith({
      retry: false, fetch: (url, init) => { const e = new TypeError("fetch failed"); e.cause = { code: init.headers["X-TC-Token"] }; return Promise.reject(e); },
    }).request("DescribeImages", {}),
    "response: fetch resolves to garbage": () => clientWith({ retry: false, fetch: async () => ({ nope: true }) }).request("DescribeImages", {}),
    // Timeout.
    "timeout": async () => {
      await adm.faults({ latencyMs: 1500 });
      try {
        return await clientWith({ retry: false, profile: { httpProfile: { reqTimeout: 1 } } }).request("DescribeImages", {});
      } finally {
        await adm.clearFaults();
      }
    },
    // Abort.
    "abort: before": () => clientWith().ExportImages(exportParams().params, { signal: AbortSignal.abort() }),
    "abort: in flight": async () => {
      const c = clientWith({ fetch: (url, init) => new Promise((_, fail) => init.signal.addEventListener("abort", () => fail(new Error(`aborted ${JSON.stringify(init.headers)}`)))) });
      const ac = new AbortController();
      const p = c.request("DescribeImages", {}, { signal: ac.signal });
      await sleep(20);
      ac.abort(new Error(`reason ${TOKEN.slice(0, 0)}`));
      return p;
    },
    // Unusable answers.
    "HTTP 502 page": async () => {
      await adm.faults({ status: 502 });
      try {
        return await clientWith({ retry: false }).request("DescribeImages", {});
      } finally {
        await adm.clearFaults();
      }
    },
    "truncated body": async () => {
      await adm.faults({ truncate: true });
      try {
        return await clientWith({ retry: false }).ExportImages(exportParams().params);
      } finally {
        await adm.clearFaults();
      }
    },
    "non-JSON body": async () => {
      await adm.faults({ nonJson: true });
      try {
        return await clientWith({ retry: false }).ExportImages(exportParams().params);
      } finally {
        await adm.clearFaults();
      }
    },
    // Provider failures.
    "provider: throws": () => new CvmClient({ credential: () => { throw new Error("backend down"); }, region: REGION }).request("DescribeImages", {}),
    "provider: token with a newline": () => new CvmClient({ credential: async () => ({ ...CRED, token: `${TOKEN}\n` }), region: REGION }).request("DescribeImages", {}),
    "provider: secretKey of the wrong type": () => new CvmClient({ credential: async () => ({ secretId: "AKID", secretKey: [SECRET_KEY], token: TOKEN }), region: REGION }).request("DescribeImages", {}),
    "provider: bad expiredTime": () => new CvmClient({ credential: async () => ({ ...CRED, expiredTime: `${SECRET_KEY}` }), region: REGION }).request("DescribeImages", {}),
    "provider: expiredTime in ms": () => new CvmClient({ credential: async () => ({ ...CRED, expiredTime: Date.now() }), region: REGION }).request("DescribeImages", {}),
    "signExportImages before the provider answered": () => new CvmClient({ credential: async () => CRED, region: REGION }).signExportImages(exportParams().params),
    // Bad options.
    "options: unknown top-level key": () => new CvmClient({ credential: CRED, region: REGION, secretKey: SECRET_KEY }),
    "options: unknown credential key": () => new CvmClient({ credential: { ...CRED, SecretKey: SECRET_KEY } }),
    "options: token with a newline": () => new CvmClient({ credential: { ...CRED, token: `${TOKEN}\r\nX-Evil: 1` } }),
    "options: token with non-ASCII": () => new CvmClient({ credential: { ...CRED, token: `${TOKEN}é` } }),
    "options: secretKey of the wrong type": () => new CvmClient({ credential: { secretId: "AKID", secretKey: { toString: () => SECRET_KEY }, token: TOKEN } }),
    "options: token of the wrong type": () => new CvmClient({ credential: { secretId: "AKID", secretKey: SECRET_KEY, token: [TOKEN] } }),
    "options: empty secretId": () => new CvmClient({ credential: { ...CRED, secretId: "" } }),
    "options: secretId with a space": () => new CvmClient({ credential: { ...CRED, secretId: "AK ID" } }),
    "options: bad region": () => new CvmClient({ credential: CRED, region: "Guangzhou!" }),
    "options: bad endpoint": () => new CvmClient({ credential: CRED, profile: { httpProfile: { endpoint: "ftp://example.com" } } }),
    "options: bad reqTimeout": () => new CvmClient({ credential: CRED, profile: { httpProfile: { reqTimeout: 0 } } }),
    "options: bad signMethod": () => new CvmClient({ credential: CRED, profile: { signMethod: "HmacSHA1" } }),
    "options: bad retry": () => new CvmClient({ credential: CRED, retry: { maxRetries: -1 } }),
    "options: bad rateLimit": () => new CvmClient({ credential: CRED, rateLimit: { perSecond: 0 } }),
    "options: fetch not a function": () => new CvmClient({ credential: CRED, fetch: TOKEN }),
    "options: not an object": () => new CvmClient(SECRET_KEY),
    "options: credential an array": () => new CvmClient({ credential: [PERM.secretId, SECRET_KEY, TOKEN] }),
    // Bad signRequest input.
    ...Object.fromEntries(Object.entries({
      "bad action": { action: "Export Images!" },
      "missing action": { action: undefined },
      "timestamp in ms": { action: "ExportImages", timestamp: Date.now() },
      "fractional timestamp": { action: "ExportImages", timestamp: 1.5 },
      "bad method": { action: "ExportImages", method: "PUT" },
      "bad signedHeaders": { action: "ExportImages", signedHeaders: "host" },
      "BigInt payload": { action: "ExportImages", payload: { n: 1n } },
      "non-ASCII contentType": { action: "ExportImages", contentType: "application/jsön" },
      "host with scheme": { action: "ExportImages", host: "https://cvm.tencentcloudapi.com" },
      "bad region": { action: "ExportImages", region: "ap guangzhou" },
      "bad language": { action: "ExportImages", language: "fr-FR" },
      "query on POST": { action: "ExportImages", query: "a=b" },
      "GET with a body": { action: "ExportImages", method: "GET", payload: "{}" },
      "unknown key": { action: "ExportImages", secret: SECRET_KEY },
      "token with a newline": { action: "ExportImages", token: `${TOKEN}\n` },
      "secretKey of the wrong type": { action: "ExportImages", secretKey: 42 },
      "empty secretKey": { action: "ExportImages", secretKey: "" },
      "bad endpoint": { action: "ExportImages", endpoint: "gopher://x" },
    }).map(([name, extra]) => [`signRequest: ${name}`, () => signRequest({ ...CRED, ...extra })])),
    "signRequest: not an object": () => signRequest(SECRET_KEY),
  };

  const errors = {};
  const output = await captureOutput(async () => {
    for (const [label, fn] of Object.entries(cases)) errors[label] = await errorOf(label, fn);
  });
  for (const [label, err] of Object.entries(errors)) {
    assert.ok(err instanceof TencentCloudError, `${label}: ${err}`);
    assert.ok(err instanceof Error);
    assertClean(label, err);
  }
  for (const n of NEEDLES) assert.ok(!output.includes(n), `console/stdout/stderr output contains a secret: ${output.slice(0, 500)}`);
  // Spot checks that the paths were the intended ones.
  assert.equal(errors["API: SignatureFailure"].code, "AuthFailure.SignatureFailure");
  assert.equal(errors["network: connection refused"].code, "Client.NetworkError");
  assert.match(errors["network: fetch rejects quoting its init (token in headers)"].message, /redacted/);
  assert.equal(errors.timeout.code, "Client.Timeout");
  assert.equal(errors["abort: in flight"].code, "Client.Aborted");
  assert.equal(errors["provider: throws"].code, "Client.CredentialProviderError");
  assert.equal(errors["truncated body"].code, "Client.TruncatedResponse");
  assert.equal(errors["options: bad region"].code, "Client.InvalidOption");
  assert.equal(errors["options: token with a newline"].code, "Client.InvalidCredential");
  assert.equal(Object.keys(errors).length, Object.keys(cases).length);
});

test("the client object and successful results hold no secret in their text forms", async () => {
  const output = await captureOutput(async () => {
    const c = clientWith({ fetch: async () => new Response(JSON.stringify({ Response: { TotalCount: 0, ImageSet: [], RequestId: "r" } }), { headers: { Date: new Date().toUTCString() } }) });
    for (const text of [inspect(c, { showHidden: true, depth: 6 }), JSON.stringify(c) ?? "", String(c), Object.keys(c).join()]) {
      for (const n of NEEDLES) assert.ok(!text.includes(n), text);
    }
    const res = await c.request("DescribeImages", {});
    for (const n of NEEDLES) assert.ok(!JSON.stringify(res).includes(n));
    const valid = c.validateExportImages(exportParams().params);
    for (const n of NEEDLES) assert.ok(!JSON.stringify(valid).includes(n));
  });
  for (const n of NEEDLES) assert.ok(!output.includes(n));
});

test("a server (or proxy) that echoes the token in its error message: the error does not carry it", {}, async () => {
  const c = clientWith({
    retry: false,
    fetch: async (url, init) => new Response(JSON.stringify({ Response: { Error: { Code: "AuthFailure.TokenFailure", Message: `token ${init.headers["X-TC-Token"]} is invalid` }, RequestId: "r" } })),
  });
  const err = await errorOf("echo", () => c.request("DescribeImages", {}));
  assert.equal(err.code, "AuthFailure.TokenFailure");
  assertClean("echoed token", err);
});

/**
 * Makes `n` clients with fresh secrets of `len` characters, 3 calls each, frees them; returns
 * the secrets whose random tail is still found in wasm memory (a freed heap block's first
 * bytes are overwritten by the allocator's free-list links; the tail stays as it was).
 */
async function residue(n, which, len) {
  const wasm = wasmInstance(); // the already-initialized instance of pkg/node.js
  const left = [];
  for (let i = 0; i < n; i++) {
    const secretKey = `K${randomBytes(len).toString("hex").slice(0, len - 1)}`;
    const token = `T${randomBytes(len).toString("hex").slice(0, len - 1)}`;
    const c = new CvmClient({
      credential: { secretId: "AKIDmemscan", secretKey, token }, region: REGION,
      fetch: async () => new Response(JSON.stringify({ Response: { TotalCount: 0, ImageSet: [], RequestId: "r" } })),
    });
    for (let j = 0; j < 3; j++) await c.request("DescribeImages", {});
    c.free();
    const secret = which === "secretKey" ? secretKey : token;
    if (Buffer.from(wasm.memory.buffer).indexOf(Buffer.from(secret.slice(-12))) !== -1) left.push(secret);
  }
  return left;
}

// Lengths: 16 (short test tokens) and 300 (STS session tokens are several hundred characters).
for (const len of [16, 300]) {
  test(`wasm memory: a ${len}-character SecretKey is wiped when the client is freed`, async () => {
    assert.deepEqual(await residue(4, "secretKey", len), [], "SecretKey bytes left in wasm memory after free()");
  });

  test(`wasm memory: a ${len}-character session token is wiped when the client is freed`, {}, async () => {
    assert.deepEqual(await residue(4, "token", len), [], "token bytes left in wasm memory after free()");
  });
}

// The derived-key caches (signRequest's, and each client's) keep a digest of the SecretKey, not
// the key. A client signs with one key through a credential provider and is freed, then
// signRequest signs with another and is NOT followed by anything: its cache is still full. The
// whole wasm memory is scanned, with no exception for the caches: neither key is found.
for (const len of [16, 40, 300]) {
  test(`wasm memory: after a client and signRequest have signed, neither ${len}-character SecretKey is anywhere (the caches hold a digest)`, async () => {
    const wasm = wasmInstance();
    const fresh = (p) => `${p}${randomBytes(len).toString("hex").slice(0, len - 1)}`;
    const clientKey = fresh("C");
    const c = new CvmClient({
      credential: async () => ({ secretId: "AKIDmemscan", secretKey: clientKey }), region: REGION,
      fetch: async () => new Response(JSON.stringify({ Response: { TotalCount: 0, ImageSet: [], RequestId: "r" } })),
    });
    for (let j = 0; j < 3; j++) await c.request("DescribeImages", {});
    c.free();
    const signKey = fresh("S");
    for (let j = 0; j < 3; j++) signRequest({ secretId: "AKIDmemscan", secretKey: signKey, action: "DescribeImages", payload: "{}" });
    const memory = Buffer.from(wasm.memory.buffer);
    assert.equal(memory.indexOf(Buffer.from(clientKey.slice(-12))), -1, "the client's SecretKey is left in wasm memory");
    assert.equal(memory.indexOf(Buffer.from(signKey.slice(-12))), -1, "signRequest's SecretKey is left in wasm memory (its cache?)");
  });
}

// signRequest passes the SecretKey and token through a buffer JS writes into directly. After a
// call with another key, neither the old key nor any token may be left anywhere in wasm memory.
for (const len of [16, 300]) {
  test(`wasm memory: signRequest leaves no ${len}-character token, and no SecretKey once another key signs`, () => {
    const wasm = wasmInstance();
    const fresh = (p) => `${p}${randomBytes(len).toString("hex").slice(0, len - 1)}`;
    const left = [];
    for (let i = 0; i < 4; i++) {
      const secretKey = fresh("K");
      const token = fresh("T");
      const payload = JSON.stringify({ Filler: "x".repeat(i * 700) }); // grows the buffer on some rounds
      for (let j = 0; j < 3; j++) signRequest({ secretId: "AKIDmemscan", secretKey, token, action: "DescribeImages", payload });
      signRequest({ secretId: "AKIDmemscan", secretKey: fresh("N"), action: "DescribeImages", payload: "{}" });
      const memory = Buffer.from(wasm.memory.buffer);
      for (const secret of [secretKey, token]) if (memory.indexOf(Buffer.from(secret.slice(-12))) !== -1) left.push(secret.slice(0, 1));
    }
    assert.deepEqual(left, [], "secret bytes left in wasm memory after signRequest");
  });
}

test("wasm memory: a body too large for signRequest's buffer leaves no SecretKey behind (the partial write is wiped before growing)", () => {
  const wasm = wasmInstance();
  const left = [];
  for (let i = 0; i < 6; i++) {
    const secretKey = `G${randomBytes(40).toString("hex")}`;
    const token = `H${randomBytes(40).toString("hex")}`;
    // 100 KB: the packed input does not fit the 2 KB buffer, so JS writes a partial copy (the
    // credentials come first) and wasm grows the buffer.
    signRequest({ secretId: "AKIDmemscan", secretKey, token, action: "DescribeImages", payload: JSON.stringify({ Filler: "y".repeat(100_000 + i) }) });
    signRequest({ secretId: "AKIDmemscan", secretKey: `other-${i}`, action: "DescribeImages", payload: "{}" });
    const memory = Buffer.from(wasm.memory.buffer);
    for (const secret of [secretKey, token]) if (memory.indexOf(Buffer.from(secret.slice(-12))) !== -1) left.push(secret.slice(0, 1));
  }
  assert.deepEqual(left, [], "secret bytes left in wasm memory");
});
