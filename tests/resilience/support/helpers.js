// Shared by the resilience suites (tests/resilience/*.test.js): the emulator's admin routes,
// a recording fetch wrapper, settlement tracking, sliding-window counting, unique requests.
import assert from "node:assert/strict";
import { after, before, beforeEach } from "node:test";
import { randomBytes } from "node:crypto";

import { CvmClient, signRequest, TencentCloudError } from "../../../pkg/node.js";
import { CREDENTIALS } from "../../../emulator/account.js";
import { startEmulator } from "../../../emulator/server.js";

export { CvmClient, signRequest, TencentCloudError, CREDENTIALS, startEmulator };

export const REGION = "ap-guangzhou";
export const BUCKET = "backup-1250000000";
export const IMAGE = "img-72n9mi0y"; // exportable; two snapshots
export const PERM = CREDENTIALS.permanent;
export const TEMP = CREDENTIALS.temporary;

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Starts an emulator for one test file (room for many tasks). */
export function emulator(opts = {}) {
  return startEmulator({ port: 0, maxRunningExportTasks: 100_000, ...opts });
}

/** The emulator's admin routes. */
/**
 * Registers the file's emulator: started before its tests, reset before each, closed after.
 * `set(emu, adm)` receives it once started.
 */
export function useEmulator(set, opts = {}) {
  let emu;
  let adm;
  before(async () => {
    emu = await emulator(opts);
    adm = admin(emu);
    set(emu, adm);
  });
  after(() => emu?.close());
  beforeEach(() => adm.reset());
}

export function admin(emu) {
  const call = async (method, path, body) => {
    const res = await fetch(`${emu.url}__admin/${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    ledger: () => call("GET", "ledger"),
    reset: () => call("POST", "reset"),
    faults: (f) => call("POST", "faults", f),
    clearFaults: () => call("DELETE", "faults"),
  };
}

let seq = 0;
/** A FileNamePrefixList value no other call of this process uses. */
export function uniquePrefix(tag = "p") {
  seq += 1;
  return `${tag}-${process.pid}-${seq}-${randomBytes(3).toString("hex")}`;
}

/** ExportImages parameters with a unique prefix, so its task (if any) can be found. */
export function exportParams({ dryRun = false, tag } = {}) {
  const prefix = uniquePrefix(tag ?? (dryRun ? "dry" : "real"));
  const params = { BucketName: BUCKET, ImageIds: [IMAGE], FileNamePrefixList: [prefix] };
  if (dryRun) params.DryRun = true;
  return { params, prefix };
}

/**
 * A fetch that records every call (time, url, headers) and forwards it to `inner`
 * (the global fetch by default). `inner` receives (url, init, index).
 */
export function recordingFetch(inner = (url, init) => fetch(url, init)) {
  const calls = [];
  const f = async (url, init) => {
    const headers = { ...(init?.headers ?? {}) };
    const entry = { at: Date.now(), perf: performance.now(), url, headers, body: init?.body, action: headers["X-TC-Action"] };
    calls.push(entry);
    return inner(url, init, calls.length - 1, entry);
  };
  f.calls = calls;
  return f;
}

/** A Response with an API 3.0 JSON body and a real Date header (for synthetic answers). */
export function apiResponse(response, { status = 200, date = new Date() } = {}) {
  return new Response(JSON.stringify({ Response: { RequestId: `synthetic-${randomBytes(4).toString("hex")}`, ...response } }), {
    status,
    headers: { "Content-Type": "application/json", Date: date.toUTCString() },
  });
}

export const apiError = (code, message = code) => apiResponse({ Error: { Code: code, Message: message } });

/**
 * Wraps a call's promise: records how many times it settled (must be once) and when.
 * `tracked.done` resolves to { ok, value, error, ms } and never rejects.
 */
export function track(promise) {
  const t0 = performance.now();
  const t = { settlements: 0, ok: undefined, value: undefined, error: undefined, ms: undefined };
  t.done = promise.then(
    (value) => {
      t.settlements += 1;
      Object.assign(t, { ok: true, value, ms: performance.now() - t0 });
      return t;
    },
    (error) => {
      t.settlements += 1;
      Object.assign(t, { ok: false, error, ms: performance.now() - t0 });
      return t;
    },
  );
  return t;
}

/** Waits for tracked calls, failing if any has not settled within `ms`. */
export async function settleAll(tracked, ms = 30_000) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => {
      const pending = tracked.filter((t) => t.settlements === 0).length;
      fail(new Error(`${pending} of ${tracked.length} calls did not settle within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([Promise.all(tracked.map((t) => t.done)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The most entries of `times` (ms, any order) in any closed interval of `len` ms. */
export function maxInWindow(times, len = 1000) {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    while (s[i] - s[j] > len) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** The tasks whose FileNamePrefixList holds `prefix`. */
export function tasksWithPrefix(ledger, prefix) {
  return ledger.tasks.filter((t) => (t.FileNamePrefixList ?? []).includes(prefix));
}

/** Asserts no prefix appears in more than one task (no logical call created two tasks). */
export function assertNoDuplicateTasks(ledger) {
  const seen = new Map();
  for (const t of ledger.tasks) {
    for (const p of t.FileNamePrefixList ?? []) {
      assert.ok(!seen.has(p), `prefix ${p} is in tasks ${seen.get(p)} and ${t.TaskId}: a call created two tasks`);
      seen.set(p, t.TaskId);
    }
  }
}

/**
 * Records when each API request reaches `emu` (an in-process emulator): the time its headers
 * were parsed. Returns the live array of { at, action }.
 */
export function recordArrivals(emu) {
  const arrivals = [];
  emu.server.prependListener("request", (req) => {
    if (req.method === "POST" && !req.url.startsWith("/__admin/")) arrivals.push({ at: Date.now(), action: req.headers["x-tc-action"] ?? null });
  });
  return arrivals;
}

/** A client on the emulator with the permanent test key. */
export function client(emu, opts = {}) {
  const { profile = {}, ...rest } = opts;
  return new CvmClient({
    credential: PERM,
    region: REGION,
    ...rest,
    profile: { ...profile, httpProfile: { endpoint: emu.url, ...(profile.httpProfile ?? {}) } },
  });
}

/** Runs `fn` with Math.random returning `value` (the client's backoff draw). */
export async function withRandom(value, fn) {
  const original = Math.random;
  Math.random = () => value;
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}

/** An unused local port: listen, read the port, close. Connecting to it is refused. */
export async function deadPort() {
  const { createServer } = await import("node:net");
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, "127.0.0.1", ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return port;
}

