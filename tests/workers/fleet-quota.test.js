// One quota for a fleet (issue #12), in the real runtime: 4 isolates of the example Worker
// (4 named workers, one bundle) share the EXPORT_QUOTA Durable Object namespace; 60 concurrent
// POST /export-images hit each (240). The emulator enforces CVM's quota as a strict sliding
// window of 20 ExportImages per second per SecretId, and records every arrival.
// - with the object: all 240 succeed, at most 20 arrive in any 1-second window, the emulator
//   throttles none, and no RequestLimitExceeded reaches a caller;
// - without it (each isolate's own 20/s limiter): the emulator sees more than 20 in a second —
//   the failure the object prevents;
// - with an object that cannot serve: the Worker falls back to its own limiter, says so in
//   X-Quota and a log line, and still answers;
// under load (issue #16):
// - a SLOW object (reachable, no grant in time) is obeyed: 429 + Retry-After, never a bypass;
// - a saturated object refuses past its queue bound (guard counted) instead of letting callers
//   wait longer or go around it; the limit is the Worker's configuration, whatever the first
//   request to the object said; the local fallback refuses before reserving.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { maxInWindow, postTo, startFleet } from './support/fleet.js';
import { accessBindings, buildExampleWorker, ledger, resetEmulator } from './support/worker.js';

const ISOLATES = 4;
const PER_ISOLATE = 60;

let emu;
let worker;
let token; // an Access token of the emulator's test user
const arrivals = []; // ms (performance.now) of every ExportImages reaching the emulator

before(async () => {
  emu = await startEmulator({ port: 0, maxRunningExportTasks: 100_000, rateLimit: { max: 20, windowMs: 1000 } });
  emu.server.prependListener('request', (req) => {
    if (req.headers['x-tc-action'] === 'ExportImages') arrivals.push(performance.now());
  });
  worker = await buildExampleWorker();
  token = await emu.access.sign();
});
after(async () => {
  await emu?.close();
  await worker?.cleanup();
});

const bindings = (extra = {}) => ({
  TC_SECRET_ID: CREDENTIALS.permanent.secretId,
  TC_SECRET_KEY: CREDENTIALS.permanent.secretKey,
  TC_REGION: 'ap-guangzhou',
  TC_ENDPOINT: emu.url,
  TC_COS_ENDPOINT: `${emu.url}cos/{Bucket}`, // the exports' watch (ExportTasks) looks at the emulator's COS
  ALLOWED_ORIGINS: 'https://console.example.com',
  CALLER_LIMIT_PER_MINUTE: '100000',
  ...accessBindings(emu),
  ...extra,
});

/** Fires PER_ISOLATE concurrent exports at each isolate; returns the answers in order. */
async function fireAtFleet(fetchers, tag) {
  arrivals.length = 0;
  await resetEmulator(emu);
  const t0 = performance.now();
  const answers = await Promise.all(fetchers.flatMap((f, w) => Array.from({ length: PER_ISOLATE }, (_, i) =>
    postTo(f, { BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'], FileNamePrefixList: [`${tag}-${w}-${i}`] },
      { ip: `10.2.${w}.${i}`, token }))));
  return { answers, ms: performance.now() - t0, ledger: await ledger(emu) };
}

const codes = (answers) => {
  const by = {};
  for (const a of answers) {
    const k = a.status === 200 ? '200' : `${a.status} ${a.body?.error?.code}`;
    by[k] = (by[k] ?? 0) + 1;
  }
  return by;
};

describe(`${ISOLATES} isolates × ${PER_ISOLATE} concurrent exports`, { timeout: 120_000 }, () => {
  test('with the Durable Object: all succeed, ≤ 20 arrive in any second, none throttled', async (t) => {
    const output = [];
    const { mf, fetchers } = await startFleet(worker.scriptPath, bindings(), { isolates: ISOLATES, quota: 'object', output });
    try {
      const { answers, ms, ledger: l } = await fireAtFleet(fetchers, 'do');
      t.diagnostic(`${answers.length} answers in ${Math.round(ms)} ms: ${JSON.stringify(codes(answers))}; ` +
        `max arrivals in 1 s: ${maxInWindow(arrivals)}; emulator: ${JSON.stringify(l.requests.byCode)}`);
      assert.deepEqual(codes(answers), { 200: ISOLATES * PER_ISOLATE });
      assert.ok(answers.every((a) => a.quota === 'global'), 'every request was admitted by the object');
      assert.equal(arrivals.length, ISOLATES * PER_ISOLATE, 'one send per request');
      assert.ok(maxInWindow(arrivals) <= 20, `${maxInWindow(arrivals)} ExportImages arrived within one second`);
      assert.equal(l.requests.byCode.RequestLimitExceeded ?? 0, 0, 'the emulator throttled none');
      assert.equal(l.taskCount, ISOLATES * PER_ISOLATE, 'one task per request');
      // 240 at 20 per (1 s + guard) need at least 11 windows after the first.
      assert.ok(ms >= 11_000, `${Math.round(ms)} ms`);
    } finally {
      await mf.dispose();
    }
  });

  test('without it: each isolate keeps its own 20/s, and together they overrun the quota', async (t) => {
    const { mf, fetchers } = await startFleet(worker.scriptPath, bindings(), { isolates: ISOLATES, quota: 'none' });
    try {
      const { answers, ledger: l } = await fireAtFleet(fetchers, 'local');
      t.diagnostic(`${JSON.stringify(codes(answers))}; max arrivals in 1 s: ${maxInWindow(arrivals)}; emulator: ${JSON.stringify(l.requests.byCode)}`);
      assert.ok(answers.every((a) => a.quota === 'local'));
      assert.ok(maxInWindow(arrivals) > 20, `only ${maxInWindow(arrivals)} arrived within one second`);
      assert.ok((l.requests.byCode.RequestLimitExceeded ?? 0) > 0, 'the emulator throttled some');
    } finally {
      await mf.dispose();
    }
  });
});

test('an object that cannot serve: the Worker falls back to its own limiter and says so', { timeout: 60_000 }, async () => {
  const output = [];
  const { mf, fetchers } = await startFleet(worker.scriptPath, bindings(), { isolates: 1, quota: 'broken', output });
  try {
    await resetEmulator(emu);
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      postTo(fetchers[0], { BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'], FileNamePrefixList: [`fb-${i}`] }, { token })));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
    assert.deepEqual(answers.map((a) => a.quota), Array(5).fill('local-fallback'));
    await new Promise((ok) => setTimeout(ok, 100)); // let workerd flush its log
    assert.match(output.join(''), /quota object (unreachable|answered)[^\n]*using this isolate's limiter for ExportImages/);
  } finally {
    await mf.dispose();
  }
});

const exportsAt = (fetcher, count, tag) => Promise.all(Array.from({ length: count }, (_, i) =>
  postTo(fetcher, { BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'], FileNamePrefixList: [`${tag}-${i}`] }, { token })));

describe('under load', { timeout: 90_000 }, () => {
  test('a slow object (reachable, no grant in time) is obeyed: 429 + Retry-After, nothing sent, no fallback', async () => {
    const output = [];
    const { mf, fetchers } = await startFleet(worker.scriptPath, bindings({ QUOTA_MAX_QUEUE_MS: '1500' }), { isolates: 1, quota: 'slow', output });
    try {
      await resetEmulator(emu);
      arrivals.length = 0;
      const answers = await exportsAt(fetchers[0], 3, 'slow');
      for (const a of answers) {
        assert.equal(a.status, 429, JSON.stringify(a.body));
        assert.equal(a.body.error.code, 'Client.RateLimiterError');
        assert.equal(a.retryAfter, '2', 'Retry-After: the bound the object did not meet (1.5 s), rounded up');
        assert.equal(a.quota, 'global', 'not a fallback');
      }
      assert.equal(arrivals.length, 0, 'nothing reached CVM');
      assert.doesNotMatch(output.join(''), /using this isolate's limiter/);
    } finally {
      await mf.dispose();
    }
  });

  test('a saturated object refuses past its queue bound (the guard counted), with its own Retry-After; the rest keep the limit', async () => {
    // 2 per (1 s + 200 ms guard), queue bound 3 s: 2 go now, at most 2·floor(3000/1200) = 4 wait.
    const { mf, fetchers } = await startFleet(worker.scriptPath, bindings({ QUOTA_PER_SECOND: '2', QUOTA_GUARD_MS: '200', QUOTA_MAX_QUEUE_MS: '3000' }), { isolates: 2, quota: 'object' });
    try {
      await resetEmulator(emu);
      arrivals.length = 0;
      const answers = (await Promise.all(fetchers.map((f, w) => exportsAt(f, 6, `sat${w}`)))).flat();
      const ok = answers.filter((a) => a.status === 200);
      const refused = answers.filter((a) => a.status === 429);
      assert.equal(ok.length + refused.length, answers.length, JSON.stringify(codes(answers)));
      assert.ok(ok.length >= 2 && ok.length <= 6, `admitted ${ok.length}: at most 2 now + 4 queued`);
      for (const r of refused) {
        assert.equal(r.body.error.code, 'Client.RateLimiterError');
        assert.ok(Number(r.retryAfter) >= 1, `Retry-After ${r.retryAfter}`);
      }
      assert.ok(answers.every((a) => a.quota === 'global'), 'no caller went around the object');
      assert.equal(arrivals.length, ok.length, 'only the admitted were sent');
      assert.ok(maxInWindow(arrivals) <= 2, `${maxInWindow(arrivals)} arrived within one second`);
    } finally {
      await mf.dispose();
    }
  });

  test("the object's limit is the Worker's configuration, not what the first request to it said", async () => {
    // Another script (an old deployment, say) reaches the object first and asks for 1000/s, no guard.
    const rogue = {
      name: 'rogue',
      routes: ['rogue.test/*'],
      modules: [{
        type: 'ESModule',
        path: 'rogue.mjs',
        contents: `export default { async fetch(request, env) {
          const key = new URL(request.url).searchParams.get('key');
          const r = await env.Q.get(env.Q.idFromName(key)).fetch('https://quota/acquire?limit=1000&guard=0', { method: 'POST' });
          return new Response(String(r.status));
        } };`,
      }],
      compatibilityDate: '2026-04-20',
      durableObjects: { Q: { className: 'ExportQuota', scriptName: 'w0', useSQLite: true } },
    };
    const { mf, fetchers } = await startFleet(worker.scriptPath, bindings({ QUOTA_PER_SECOND: '2' }), { isolates: 1, quota: 'object', extraWorkers: [rogue] });
    try {
      const key = `${CREDENTIALS.permanent.secretId}:ExportImages:ap-guangzhou`;
      const first = await mf.dispatchFetch(`http://rogue.test/?key=${encodeURIComponent(key)}`);
      assert.equal(await first.text(), '204');
      await resetEmulator(emu);
      arrivals.length = 0;
      const answers = await exportsAt(fetchers[0], 8, 'cfg');
      assert.deepEqual(codes(answers), { 200: 8 });
      assert.ok(maxInWindow(arrivals) <= 2, `${maxInWindow(arrivals)} arrived within one second: the object took the first request's limit`);
    } finally {
      await mf.dispose();
    }
  });

  test('the local fallback refuses before reserving: refused callers do not push later ones back', async () => {
    // Fallback window: 1 per (1 s + 200 ms), queue bound 2.5 s: at most 1·floor(2500/1200) = 2 wait.
    const output = [];
    const { mf, fetchers } = await startFleet(worker.scriptPath, bindings({ QUOTA_PER_SECOND: '1', QUOTA_MAX_QUEUE_MS: '2500' }), { isolates: 1, quota: 'broken', output });
    try {
      await resetEmulator(emu);
      const burst = await exportsAt(fetchers[0], 8, 'fbq');
      const ok = burst.filter((a) => a.status === 200);
      const refused = burst.filter((a) => a.status === 429);
      assert.ok(ok.length >= 1 && ok.length <= 3, `admitted ${ok.length}: ${JSON.stringify(codes(burst))}`);
      assert.equal(ok.length + refused.length, 8);
      assert.ok(ok.every((a) => a.quota === 'local-fallback'));
      assert.ok(refused.every((a) => a.body.error.code === 'Client.RateLimiterError' && Number(a.retryAfter) >= 1));
      // Once the admitted ones are through, a new caller is admitted: the refused reserved nothing.
      await new Promise((done) => setTimeout(done, 2500));
      const later = await exportsAt(fetchers[0], 1, 'fbq-later');
      assert.equal(later[0].status, 200, JSON.stringify(later[0].body));
      assert.equal(later[0].quota, 'local-fallback');
    } finally {
      await mf.dispose();
    }
  });
});
