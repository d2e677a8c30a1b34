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
