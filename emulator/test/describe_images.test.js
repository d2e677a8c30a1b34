// DescribeImages lists the seeded images (what a demo page shows before exporting).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IMAGES } from '../account.js';
import { startEmulator } from '../server.js';
import { call } from '../signed_client.js';

let emu;
before(async () => { emu = await startEmulator(); });
after(() => emu.close());
const describeImages = async (body, opts) => (await call(emu.url, { action: 'DescribeImages', body, ...opts })).response;

test('no parameters: the first 20 seeded images, with the API\'s fields', async () => {
  const r = await describeImages({});
  assert.equal(r.TotalCount, IMAGES.length);
  assert.equal(r.ImageSet.length, Math.min(20, IMAGES.length));
  const img = r.ImageSet.find((i) => i.ImageId === 'img-72n9mi0y');
  for (const field of ['ImageId', 'ImageName', 'ImageType', 'ImageSize', 'OsName', 'Platform', 'ImageState', 'Architecture', 'CreatedTime']) {
    assert.ok(field in img, field);
  }
  assert.deepEqual(img.SnapshotSet.map((s) => [s.SnapshotId, s.DiskUsage]), [['snap-72n9sys0', 'SYSTEM_DISK'], ['snap-72n9dat1', 'DATA_DISK']]);
  assert.ok(!('rule' in img), 'no emulator-only fields');
});

test('image-type filter, ImageIds, Offset and Limit', async () => {
  const byType = async (t) => (await describeImages({ Filters: [{ Name: 'image-type', Values: [t] }], Limit: 100 })).ImageSet.map((i) => i.ImageId);
  assert.deepEqual(await byType('PUBLIC_IMAGE'), ['img-pub0ubnt']);
  assert.deepEqual(await byType('SHARED_IMAGE'), ['img-shared01']);
  assert.deepEqual(await byType('MARKET_IMAGE'), ['img-market01']);
  assert.ok((await byType('PRIVATE_IMAGE')).includes('img-pq5pau1w'));
  const ids = await describeImages({ ImageIds: ['img-abcd1234', 'img-zzzzzzzz'] });
  assert.deepEqual([ids.TotalCount, ids.ImageSet[0].ImageId], [1, 'img-abcd1234']);
  const page = await describeImages({ Offset: 2, Limit: 3 });
  assert.deepEqual(page.ImageSet.map((i) => i.ImageId), IMAGES.slice(2, 5).map((i) => i.ImageId));
});

test('the GET form and its errors', async () => {
  const r = await describeImages(undefined, { method: 'GET', query: 'Filters.0.Name=image-type&Filters.0.Values.0=SHARED_IMAGE&Limit=5' });
  assert.deepEqual(r.ImageSet.map((i) => i.ImageId), ['img-shared01']);
  assert.equal((await describeImages({ Filters: [{ Name: 'color', Values: ['red'] }] })).Error.Code, 'InvalidFilter');
  assert.equal((await describeImages({ ImageIds: ['img-1'] })).Error.Code, 'InvalidImageId.Malformed');
  assert.equal((await describeImages({ Limit: 'ten' })).Error.Code, 'InvalidParameter');
  assert.equal((await describeImages({ Limit: 101 })).Error.Code, 'InvalidParameterValue');
  assert.equal((await describeImages({ Foo: 1 })).Error.Code, 'UnknownParameter');
});
