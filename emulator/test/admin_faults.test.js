// Admin routes (ledger, reset) and fault injection, each fault observed from a raw HTTP client,
// with whether the request was executed (a task exists) checked in the ledger.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { APP_ID } from '../account.js';
import { startEmulator } from '../server.js';
import { call, send, signedRequest } from '../signed_client.js';

const BODY = { ImageIds: ['img-pq5pau1w'], BucketName: `test-bucket-${APP_ID}` };
let emu;
const admin = async (method, route, body) => {
  const r = await fetch(`${emu.url}__admin/${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
};
const ledger = async () => (await admin('GET', 'ledger')).json;
const exportOnce = () => send(emu.url, signedRequest({ body: BODY }));

before(async () => { emu = await startEmulator(); });
after(() => emu.close());
beforeEach(() => emu.state.reset());

describe('ledger and reset', () => {
  test('the ledger records tasks and counts requests by action and code', async () => {
    const ok = await call(emu.url, { body: BODY });
    await call(emu.url, { body: { ...BODY, ImageIds: ['img-win2019a'] } });
    await call(emu.url, { action: 'DescribeImages', body: {} });
    const l = await ledger();
    assert.equal(l.taskCount, 1);
    const [task] = l.tasks;
    assert.equal(task.TaskId, ok.response.TaskId);
    assert.deepEqual(task.CosPaths, ok.response.CosPaths);
    assert.deepEqual([task.ImageIds, task.BucketName, task.Region, task.ExportFormat], [['img-pq5pau1w'], BODY.BucketName, 'ap-guangzhou', 'RAW']);
    assert.equal(l.requests.total, 3);
    assert.deepEqual(l.requests.byAction, { ExportImages: 2, DescribeImages: 1 });
    assert.deepEqual(l.requests.byCode, { Success: 2, 'UnsupportedOperation.WindowsImageExportUnsupported': 1 });
    assert.deepEqual(l.recent.map((e) => e.signedHost), Array(3).fill('cvm.tencentcloudapi.com'));
  });

  test('reset clears tasks, counters, the rate limiter and faults; TaskIds start again', async () => {
    let now = Date.now();
    const frozen = await startEmulator({ clock: () => now });
    const go = (body = BODY) => call(frozen.url, { body, timestamp: Math.floor(now / 1000) });
    try {
      await Promise.all(Array.from({ length: 20 }, () => go()));
      assert.equal((await go()).response.Error.Code, 'RequestLimitExceeded');
      await fetch(`${frozen.url}__admin/faults`, { method: 'POST', body: JSON.stringify({ latencyMs: 5 }) });
      assert.deepEqual(await (await fetch(`${frozen.url}__admin/reset`, { method: 'POST' })).json(), { ok: true });
      const l = await (await fetch(`${frozen.url}__admin/ledger`)).json();
      assert.deepEqual([l.taskCount, l.requests.total, l.faults], [0, 0, {}]);
      assert.equal((await go()).response.TaskId, 105591590);
    } finally {
      await frozen.close();
    }
  });

  test('unknown admin routes are 404; admin needs no signature', async () => {
    assert.equal((await admin('GET', 'nothing')).status, 404);
    assert.equal((await admin('GET', 'ledger')).status, 200);
  });
});

describe('faults', () => {
  test('status: that HTTP status with an HTML body; before → not executed, after → executed', async () => {
    await admin('POST', 'faults', { status: 502 });
    const r = await exportOnce();
    assert.equal(r.status, 502);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.match(r.text, /^<html>/);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal((await ledger()).taskCount, 0);
    await admin('POST', 'faults', { status: 503, after: true });
    assert.equal((await exportOnce()).status, 503);
    const l = await ledger();
    assert.equal(l.taskCount, 1);
    assert.deepEqual(l.requests.byFault, { status: 2 });
  });

  test('reset: the socket closes without an answer', async () => {
    await admin('POST', 'faults', { reset: true });
    await assert.rejects(exportOnce(), (e) => ['ECONNRESET', 'ECONNREFUSED'].includes(e.code) || /socket hang up/.test(e.message));
    assert.equal((await ledger()).taskCount, 0);
    await admin('POST', 'faults', { reset: true, after: true });
    await assert.rejects(exportOnce());
    assert.equal((await ledger()).taskCount, 1, 'executed, though the client never heard');
  });

  test('truncate: a complete 200 whose JSON stops half way', async () => {
    await admin('POST', 'faults', { truncate: true, after: true });
    const r = await exportOnce();
    assert.equal(r.status, 200);
    assert.equal(r.json, undefined, 'not parseable');
    assert.ok(r.text.startsWith('{"Response":{"TaskId":105591590'), r.text);
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.text));
    assert.equal((await ledger()).taskCount, 1);
    await admin('POST', 'faults', { truncate: true });
    assert.equal((await exportOnce()).json, undefined);
    assert.equal((await ledger()).taskCount, 1);
  });

  test('nonJson: 200 with an HTML page', async () => {
    await admin('POST', 'faults', { nonJson: true });
    const r = await exportOnce();
    assert.equal(r.status, 200);
    assert.match(r.text, /^<html>/);
    assert.equal((await ledger()).taskCount, 0);
  });

  test('internalError: an API InternalError; after → the task exists anyway', async () => {
    await admin('POST', 'faults', { internalError: true });
    const r = await exportOnce();
    assert.equal(r.json.Response.Error.Code, 'InternalError');
    assert.match(r.json.Response.RequestId, /^[0-9a-f-]{36}$/);
    assert.equal((await ledger()).taskCount, 0);
    await admin('POST', 'faults', { internalError: true, after: true });
    assert.equal((await exportOnce()).json.Response.Error.Code, 'InternalError');
    assert.equal((await ledger()).taskCount, 1);
  });

  test('count: only the next n API requests; without it, until cleared', async () => {
    await admin('POST', 'faults', { status: 502, count: 2 });
    assert.deepEqual([(await exportOnce()).status, (await exportOnce()).status, (await exportOnce()).status], [502, 502, 200]);
    assert.deepEqual((await admin('GET', 'faults')).json, {});
    await admin('POST', 'faults', { nonJson: true });
    for (let i = 0; i < 3; i++) assert.equal((await exportOnce()).json, undefined);
    assert.deepEqual((await admin('DELETE', 'faults')).json, {});
    assert.equal((await exportOnce()).json.Response.TaskId, 105591591); // the third request above made the first
  });

  test('latencyMs delays the answer; admin and static routes are never faulted', async () => {
    await admin('POST', 'faults', { latencyMs: 300, reset: true });
    assert.equal((await admin('GET', 'ledger')).status, 200);
    assert.equal((await fetch(`${emu.url}no-such-file.txt`)).status, 404);
    await admin('POST', 'faults', { latencyMs: 300 });
    const t = Date.now();
    assert.equal(typeof (await exportOnce()).json.Response.TaskId, 'number');
    assert.ok(Date.now() - t >= 290);
  });

  test('a faults body that is not understood → 400 and nothing changes', async () => {
    for (const body of [{ stauts: 502 }, { status: 200 }, { count: 0, reset: true }, [1]]) {
      const r = await admin('POST', 'faults', body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    assert.deepEqual((await admin('GET', 'faults')).json, {});
  });
});
