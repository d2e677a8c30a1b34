// RequestLimitExceeded: at most 20 ExportImages per SecretId in any sliding second.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { APP_ID, CREDENTIALS } from '../account.js';
import { startEmulator } from '../server.js';
import { call } from '../signed_client.js';

const DRY = { ImageIds: ['img-pq5pau1w'], BucketName: `test-bucket-${APP_ID}`, DryRun: true };
const codes = (rs) => rs.map((r) => r.response.Error?.Code ?? 'Success');
const count = (list, c) => list.filter((x) => x === c).length;

test('25 quick DryRuns: some are RequestLimitExceeded, and one second later it accepts again', async () => {
  const emu = await startEmulator();
  try {
    const started = Date.now();
    const burst = codes(await Promise.all(Array.from({ length: 25 }, () => call(emu.url, { body: DRY }))));
    const elapsed = Date.now() - started;
    assert.ok(count(burst, 'RequestLimitExceeded') >= 1, `${elapsed} ms: ${burst}`);
    if (elapsed < 1000) assert.equal(count(burst, 'RequestLimitExceeded'), 5, burst.join());
    assert.equal(count(burst, 'DryRunOperation') + count(burst, 'RequestLimitExceeded'), 25);
    await sleep(1050);
    assert.deepEqual(codes([await call(emu.url, { body: DRY })]), ['DryRunOperation']);
    assert.equal((await (await fetch(`${emu.url}__admin/ledger`)).json()).taskCount, 0);
  } finally {
    await emu.close();
  }
});

test('exactly 20 per sliding window (frozen clock), per SecretId, ExportImages only', async () => {
  let now = Date.now();
  const emu = await startEmulator({ clock: () => now });
  const go = (opts = {}) => call(emu.url, { body: { ...DRY, DryRun: false }, timestamp: Math.floor(now / 1000), ...opts });
  try {
    const first = codes(await Promise.all(Array.from({ length: 25 }, () => go())));
    assert.equal(count(first, 'Success'), 20);
    assert.equal(count(first, 'RequestLimitExceeded'), 5);
    assert.equal(emu.state.tasks.length, 20, 'refused requests create nothing');
    // Another key has its own window; DescribeImages is not limited.
    assert.deepEqual(codes([await go({ key: CREDENTIALS.temporary })]), ['Success']);
    assert.deepEqual(codes([await go({ action: 'DescribeImages', body: {} })]), ['Success']);
    now += 999; // still inside the window that holds the 20
    assert.deepEqual(codes([await go()]), ['RequestLimitExceeded']);
    now += 2; // the 20 have left the window; refusals never counted
    assert.deepEqual(codes(await Promise.all(Array.from({ length: 20 }, () => go()))), Array(20).fill('Success'));
  } finally {
    await emu.close();
  }
});

test('the window is over arrival times: a request handled late is judged by when it arrived', async () => {
  const { createState } = await import('../state.js');
  const state = createState({ maxRunningExportTasks: 50, exportTaskMs: 1000, rateLimit: { max: 20, windowMs: 1000 } });
  for (let i = 0; i < 10; i++) assert.ok(state.admit('AKID', i));
  for (let i = 0; i < 10; i++) assert.ok(state.admit('AKID', 1500 + i));
  // Arrived at 700, handled after the ones at 1500: every 1 s window holding it has 11 at most.
  assert.ok(state.admit('AKID', 700));
  // Nine more fit between 0 and 999; the tenth would make 21 in [0, 1000).
  for (let i = 0; i < 9; i++) assert.ok(state.admit('AKID', 100 + i), `#${i}`);
  assert.equal(state.admit('AKID', 200), false);
  // Arrived at 1400: the windows holding it ([700, 1700), [1400, 2400), …) hold 11 at most.
  assert.ok(state.admit('AKID', 1400));
});
