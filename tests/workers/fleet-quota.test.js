// One quota for a fleet (issue #12), in the real runtime: 4 isolates of the example Worker
// (4 named workers, one bundle) share the EXPORT_QUOTA Durable Object namespace; 60 concurrent
// POST /export-images hit each (240). The emulator enforces CVM's quota as a strict sliding
// window of 20 ExportImages per second per SecretId, and records every arrival.
// - with the object: all 240 succeed, at most 20 arrive in any 1-second window, the emulator
//   throttles none, and no RequestLimitExceeded reaches a caller;
// - without it (each isolate's own 20/s limiter): the emulator sees more than 20 in a second —
//   the failure the object prevents;
// - with an object that cannot serve: the Worker falls back to its own limiter, says so in
//   X-Quota and a log line, and still answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { maxInWindow, postTo, startFleet } from './support/fleet.js';
import { buildExampleWorker, ledger, resetEmulator } from './support/worker.js';

const ISOLATES = 4;
const PER_ISOLATE = 60;

let emu;
let worker;
const arrivals = []; // ms (performance.now) of every ExportImages reaching the emulator

before(async () => {
  emu = await startEmulator({ port: 0, maxRunningExportTasks: 100_000, rateLimit: { max: 20, windowMs: 1000 } });
  emu.server.prependListener('request', (req) => {
    if (req.headers['x-tc-action'] === 'ExportImages') arrivals.push(performance.now());
  });
  worker = await buildExampleWorker();
});
after(async () => {
  await emu?.close();
  await worker?.cleanup();
});

const bindings = () => ({
  TC_SECRET_ID: CREDENTIALS.permanent.secretId,
  TC_SECRET_KEY: CREDENTIALS.permanent.secretKey,
  TC_REGION: 'ap-guangzhou',
  TC_ENDPOINT: emu.url,
  ALLOWED_ORIGINS: 'https://console.example.com',
  CALLER_LIMIT_PER_MINUTE: '100000',
});

/** Fires PER_ISOLATE concurrent exports at each isolate; returns the answers in order. */
async function fireAtFleet(fetchers, tag) {
  arrivals.length = 0;
  await resetEmulator(emu);
  const t0 = performance.now();
  const answers = await Promise.all(fetchers.flatMap((f, w) => Array.from({ length: PER_ISOLATE }, (_, i) =>
    postTo(f, { BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'], FileNamePrefixList: [`${tag}-${w}-${i}`] },
      { ip: `10.2.${w}.${i}` }))));
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
      postTo(fetchers[0], { BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'], FileNamePrefixList: [`fb-${i}`] })));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
    assert.deepEqual(answers.map((a) => a.quota), Array(5).fill('local-fallback'));
    await new Promise((ok) => setTimeout(ok, 100)); // let workerd flush its log
    assert.match(output.join(''), /quota object (unreachable|answered)[^\n]*using this isolate's limiter for ExportImages/);
  } finally {
    await mf.dispose();
  }
});
