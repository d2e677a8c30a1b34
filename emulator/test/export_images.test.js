// ExportImages: every error code of the reference is produced by a seeded input, and success,
// DryRun and the CosPaths naming behave as the real API does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { APP_ID, CREDENTIALS } from '../account.js';
import { EXPORT_ERROR_CASES } from '../error_inputs.js';
import { startEmulator } from '../server.js';
import { call } from '../signed_client.js';

// The documented codes, copied into the repository (its header says from where).
const DOCUMENTED = JSON.parse(readFileSync(new URL('../../tests/fixtures/export-images-errors.json', import.meta.url), 'utf8')).codes;
const BUCKET = `test-bucket-${APP_ID}`;
let emu;
const exportImages = (body, opts = {}) => call(emu.url, { action: 'ExportImages', body, ...opts });
const ledger = async () => (await fetch(`${emu.url}__admin/ledger`)).json();

before(async () => { emu = await startEmulator(); });
after(() => emu.close());
beforeEach(() => emu.state.reset());

describe('every documented error code', () => {
  test('the reference lists 22 codes and error_inputs.js covers each', () => {
    const codes = DOCUMENTED.map((c) => c.code);
    assert.equal(codes.length, 22);
    assert.equal(new Set(codes).size, 22, 'no code listed twice');
    for (const c of DOCUMENTED) {
      assert.match(c.code, /^[A-Z][A-Za-z]+(\.[A-Z][A-Za-z0-9]+)*$/);
      assert.ok(c.description, `${c.code} has a description`);
    }
    const covered = new Set(EXPORT_ERROR_CASES.map((c) => c.code));
    assert.deepEqual(codes.filter((c) => !covered.has(c)), []);
  });

  for (const { code, body, region, key } of EXPORT_ERROR_CASES) {
    test(`${code} from ${JSON.stringify(body).slice(0, 90)}${key ? ` (${key} key)` : ''}`, async () => {
      const r = await exportImages(body, { region, key: key && CREDENTIALS[key] });
      assert.equal(r.status, DOCUMENTED.find((c) => c.code === code)?.http ?? 200);
      assert.equal(r.response.Error?.Code, code, JSON.stringify(r.response));
      assert.match(r.response.RequestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal((await ledger()).taskCount, 0, 'a refused request creates no task');
    });
  }

  test('DryRun on a refused input answers the refusal, not DryRunOperation', async () => {
    const r = await exportImages({ ImageIds: ['img-win2019a'], BucketName: BUCKET, DryRun: true });
    assert.equal(r.response.Error.Code, 'UnsupportedOperation.WindowsImageExportUnsupported');
  });
});

describe('success', () => {
  test('creates one task with increasing TaskIds and the real naming', async () => {
    const a = await exportImages({ ImageIds: ['img-pq5pau1w'], BucketName: BUCKET });
    assert.deepEqual(a.response.CosPaths, ['/img-pq5pau1w_system_snap-fiux4bof.raw']);
    assert.equal(a.response.TaskId, 105591590);
    const b = await exportImages({ ImageIds: ['img-72n9mi0y'], BucketName: BUCKET });
    assert.equal(b.response.TaskId, 105591591);
    assert.deepEqual(b.response.CosPaths, ['/img-72n9mi0y_system_snap-72n9sys0.raw', '/img-72n9mi0y_data_snap-72n9dat1.raw']);
    const l = await ledger();
    assert.equal(l.taskCount, 2);
    assert.deepEqual(l.tasks.map((t) => [t.TaskId, t.ImageIds, t.BucketName, t.SecretId, t.Status]), [
      [105591590, ['img-pq5pau1w'], BUCKET, CREDENTIALS.permanent.secretId, 'RUNNING'],
      [105591591, ['img-72n9mi0y'], BUCKET, CREDENTIALS.permanent.secretId, 'RUNNING'],
    ]);
    assert.equal(l.tasks[0].RequestId, a.response.RequestId);
  });

  test('prefixes, format (lowercased extension) and data disks', async () => {
    const r = await exportImages({
      ImageIds: ['img-abcd1234', 'img-0000ffff'], BucketName: `backup-${APP_ID}`, ExportFormat: 'QCOW2', FileNamePrefixList: ['镜像备份', 'nightly'],
    });
    assert.deepEqual(r.response.CosPaths, [
      '/镜像备份_img-abcd1234_system_snap-abcdsys0.qcow2',
      '/镜像备份_img-abcd1234_data_snap-abcddat1.qcow2',
      '/镜像备份_img-abcd1234_data_snap-abcddat2.qcow2',
      '/nightly_img-0000ffff_system_snap-0000fsys.qcow2',
    ]);
    assert.equal((await ledger()).tasks[0].ExportFormat, 'QCOW2');
  });

  test('the value rules tc3-edge checks before sending give the same codes here', async () => {
    const base = { ImageIds: ['img-abcd1234'], BucketName: `backup-${APP_ID}` };
    const cases = [
      [{ ...base, ExportFormat: 'qcow2' }, 'InvalidParameterValue'],
      [{ ...base, FileNamePrefixList: [''] }, 'InvalidParameterValue'],
      [{ ...base, ImageIds: ['img-abcd1234', 'img-abcd1234'] }, 'InvalidParameterValue'],
      [{ ...base, RoleName: '' }, 'InvalidParameterValue'],
    ];
    for (const [params, code] of cases) {
      const r = await exportImages(params);
      assert.equal(r.response.Error?.Code, code, JSON.stringify(params));
    }
    assert.equal((await ledger()).taskCount, 0);
  });

  test('OnlyExportRootDisk exports the system disk only', async () => {
    const r = await exportImages({ ImageIds: ['img-abcd1234'], BucketName: BUCKET, ExportFormat: 'VMDK', OnlyExportRootDisk: true });
    assert.deepEqual(r.response.CosPaths, ['/img-abcd1234_system_snap-abcdsys0.vmdk']);
  });

  test('SnapshotIds (a preview account only) export a file per snapshot; other accounts get UnknownParameter', async () => {
    const body = { SnapshotIds: ['snap-data0001', 'snap-72n9dat1'], BucketName: BUCKET, FileNamePrefixList: ['a', 'b'], ExportFormat: 'VHD' };
    const r = await exportImages(body, { key: CREDENTIALS.snapshotPreview });
    assert.deepEqual(r.response.CosPaths, ['/a_snap-data0001.vhd', '/b_snap-72n9dat1.vhd']);
    for (const key of [CREDENTIALS.permanent, CREDENTIALS.temporary]) {
      const refused = await exportImages(body, { key });
      assert.equal(refused.response.Error?.Code, 'UnknownParameter', JSON.stringify(refused.response));
    }
    assert.equal((await ledger()).taskCount, 1);
  });

  test('an OS limited to one region exports there', async () => {
    const r = await exportImages({ ImageIds: ['img-kylin010'], BucketName: BUCKET }, { region: 'ap-beijing' });
    assert.equal(r.response.TaskId, 105591590);
  });

  test('RoleName may name another role allowed to write COS', async () => {
    const r = await exportImages({ ImageIds: ['img-pq5pau1w'], BucketName: BUCKET, RoleName: 'COS_ExportRole' });
    assert.equal(typeof r.response.TaskId, 'number');
    assert.equal((await ledger()).tasks[0].RoleName, 'COS_ExportRole');
  });

  test('DryRun answers DryRunOperation and creates nothing', async () => {
    const r = await exportImages({ ImageIds: ['img-pq5pau1w'], BucketName: BUCKET, DryRun: true });
    assert.deepEqual(r.response.Error, { Code: 'DryRunOperation', Message: 'Request would have succeeded, but DryRun flag is set.' });
    const l = await ledger();
    assert.equal(l.taskCount, 0);
    assert.equal(l.requests.byCode.DryRunOperation, 1);
  });

  test('the GET form converts query strings to the parameter types', async () => {
    const r = await call(emu.url, { method: 'GET', query: `BucketName=${BUCKET}&ImageIds.0=img-abcd1234&OnlyExportRootDisk=true&ExportFormat=RAW` });
    assert.deepEqual(r.response.CosPaths, ['/img-abcd1234_system_snap-abcdsys0.raw']);
    const bad = await call(emu.url, { method: 'GET', query: `BucketName=${BUCKET}&ImageIds.0=img-abcd1234&DryRun=maybe` });
    assert.equal(bad.response.Error.Code, 'InvalidParameter');
  });
});

test('per-account cap of running tasks → LimitExceeded.ExportImageTaskLimitExceeded until they finish', async () => {
  let now = Date.now();
  const small = await startEmulator({ maxRunningExportTasks: 2, exportTaskMs: 60_000, clock: () => now });
  try {
    const go = () => call(small.url, { body: { ImageIds: ['img-pq5pau1w'], BucketName: BUCKET }, timestamp: Math.floor(now / 1000) });
    assert.equal(typeof (await go()).response.TaskId, 'number');
    assert.equal(typeof (await go()).response.TaskId, 'number');
    assert.equal((await go()).response.Error.Code, 'LimitExceeded.ExportImageTaskLimitExceeded');
    now += 60_000; // both tasks finish
    assert.equal((await go()).response.TaskId, 105591592);
    const statuses = (await (await fetch(`${small.url}__admin/ledger`)).json()).tasks.map((t) => t.Status);
    assert.deepEqual(statuses, ['SUCCESS', 'SUCCESS', 'RUNNING']);
  } finally {
    await small.close();
  }
});
