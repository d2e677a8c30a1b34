// 200 exports fired at the example Worker at once, in workerd: the Worker's one module-level
// CvmClient serves them all. Every request settles exactly once, the emulator's ledger holds
// exactly the successful ones (no duplicate task), and no RequestLimitExceeded reaches the
// caller — CVM allows 20 ExportImages per second per SecretId, so this needs the client's
// rate limiter (default 20/s per action), shared by all calls of the one client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { accessBindings, buildExampleWorker, EXAMPLE_DURABLE_OBJECTS, ledger, post, startWorker } from './support/worker.js';

const N = 200;

let emu;
let worker;
let mf;
let token; // one Access caller (the per-caller limit is set high enough for all 200)
const output = []; // workerd's stdout/stderr

before(async () => {
  // Room for all 200 tasks (the default account cap is 50 running tasks).
  emu = await startEmulator({ port: 0, maxRunningExportTasks: 10_000 });
  worker = await buildExampleWorker();
  mf = await startWorker(worker.scriptPath, {
    TC_SECRET_ID: CREDENTIALS.permanent.secretId,
    TC_SECRET_KEY: CREDENTIALS.permanent.secretKey,
    TC_REGION: 'ap-guangzhou',
    TC_ENDPOINT: emu.url,
    ALLOWED_ORIGINS: 'https://console.example.com',
    TC_COS_ENDPOINT: `${emu.url}cos/{Bucket}`,
    CALLER_LIMIT_PER_MINUTE: '100000',
    ...accessBindings(emu),
  // EXPORT_TASKS only: no EXPORT_QUOTA, so the one client's own limiter is what is tested.
  }, { output, options: { durableObjects: { EXPORT_TASKS: EXAMPLE_DURABLE_OBJECTS.EXPORT_TASKS } } });
  token = await emu.access.sign();
});

after(async () => {
  await mf?.dispose();
  await emu?.close();
  await worker?.cleanup();
});

test(`${N} concurrent exports: each settles once, ledger = successes, no RequestLimitExceeded`,
  { timeout: 50_000 },
  async (t) => {
    const settled = new Array(N).fill(0);
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: N }, (_, i) =>
      post(mf, { BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'], FileNamePrefixList: [`c${i}`] },
        { ip: `10.1.${i >> 8}.${i & 255}`, token })
        .finally(() => { settled[i] += 1; })));
    const elapsed = Date.now() - started;

    assert.equal(results.length, N);
    assert.deepEqual(settled, new Array(N).fill(1), 'every request settled exactly once');
    const rejected = results.filter((r) => r.status === 'rejected');
    assert.equal(rejected.length, 0, `transport failures: ${rejected.map((r) => r.reason).slice(0, 3).join('; ')}`);

    const responses = results.map((r) => r.value);
    const byStatus = {};
    for (const r of responses) {
      const key = r.status === 200 ? '200' : `${r.status} ${r.body?.error?.code}`;
      byStatus[key] = (byStatus[key] ?? 0) + 1;
    }
    t.diagnostic(`${N} concurrent exports in ${elapsed} ms: ${JSON.stringify(byStatus)}`);

    const ok = responses.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 200);
    const l = await ledger(emu);
    t.diagnostic(`emulator saw ${l.requests.total} ExportImages: ${JSON.stringify(l.requests.byCode)}`);
    // Exactly the successful ones, no duplicates: one task per success, each for its own request.
    assert.equal(l.taskCount, ok.length, 'the ledger holds exactly the successful exports');
    const ledgerIds = new Set(l.tasks.map((t) => t.TaskId));
    assert.equal(ledgerIds.size, l.tasks.length, 'no duplicate TaskId');
    const prefixes = l.tasks.map((t) => t.FileNamePrefixList[0]);
    assert.equal(new Set(prefixes).size, prefixes.length, 'no request created two tasks');
    for (const { r, i } of ok) {
      const task = l.tasks.find((t) => t.TaskId === r.body.TaskId);
      assert.ok(task, `TaskId ${r.body.TaskId} is in the ledger`);
      assert.equal(task.FileNamePrefixList[0], `c${i}`, 'the answer belongs to its own request');
      assert.equal(task.RequestId, r.body.RequestId);
    }

    const throttled = responses.filter((r) => String(r.body?.error?.code ?? '').startsWith('RequestLimitExceeded'));
    assert.equal(throttled.length, 0, 'no RequestLimitExceeded reaches the caller');
    assert.equal(ok.length, N, `all ${N} succeed: ${JSON.stringify(byStatus)}`);
    // The shared client's timers and promises cross request contexts: workerd says so when that breaks.
    await new Promise((done) => setTimeout(done, 100));
    assert.doesNotMatch(output.join(''), /different request|Cannot perform I\/O|will never generate a response/i);
  });
