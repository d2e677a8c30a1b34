// COS in the emulator: files of an export appear over the task's time; requests are authorized
// with COS's signature (checked with the official COS SDK); COS's XML errors; CORS; faults.
// Requests here are signed with the official SDK's COS.getAuthorization, independently of
// tc3-edge; the last tests sign with the built package (pkg/node.js) instead.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, beforeEach, describe, test } from 'node:test';
import { APP_ID, CREDENTIALS } from '../account.js';
import { objectBody } from '../cos.js';
import { startEmulator } from '../server.js';
import { call } from '../signed_client.js';

const COS = createRequire(import.meta.url)('cos-nodejs-sdk-v5');
const BUCKET = `backup-${APP_ID}`;
const REGION = 'ap-guangzhou';
const REAL_HOST = `${BUCKET}.cos.${REGION}.myqcloud.com`;
const camSafe = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const urlPath = (key) => '/' + camSafe(key.replace(/^\//, '')).replace(/%2F/g, '/');

let emu;
let now;
before(async () => {
  emu = await startEmulator({ clock: () => now, exportTaskMs: 3000 });
});
after(() => emu.close());
beforeEach(() => {
  now = Date.UTC(2026, 0, 15, 8, 0, 0);
  emu.state.reset();
});

/**
 * A COS request signed by the official SDK. `auth`: 'header' (Authorization) or 'query' (a
 * presigned link). The signature names `signHost` (default: the real COS host).
 */
async function cos({
  method = 'HEAD', bucket = BUCKET, key, cred = CREDENTIALS.permanent, secretKey = cred.secretKey,
  start = Math.floor(now / 1000), expires = 900, headers = {}, query = {}, auth = 'header',
  signHost = `${bucket}.cos.${REGION}.myqcloud.com`, token = cred.token, signKey = key, sent, dropQuery = false,
}) {
  const authorization = COS.getAuthorization({
    SecretId: cred.secretId, SecretKey: secretKey, Method: method, Key: signKey, Query: query,
    Headers: { ...headers, Host: signHost }, KeyTime: `${start};${start + expires}`,
  });
  const params = dropQuery ? [] : Object.entries(query).map(([k, v]) => `${camSafe(k)}=${camSafe(v)}`);
  const sendHeaders = { ...(sent ?? headers) };
  if (auth === 'header') {
    sendHeaders.Authorization = authorization;
    if (token) sendHeaders['x-cos-security-token'] = token;
  } else {
    params.unshift(authorization.replace(/q-url-param-list=([^&]*)/, (_, l) => `q-url-param-list=${encodeURIComponent(l).toLowerCase()}`));
    if (token) params.push(`x-cos-security-token=${camSafe(token)}`);
  }
  const url = `${emu.url}cos/${bucket}${urlPath(key)}${params.length ? '?' + params.join('&') : ''}`;
  const r = await fetch(url, { method, headers: sendHeaders });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body, text: body.toString('utf8') };
}

const xmlField = (text, name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];

/** Asserts a COS XML error (GET) and its request id header. */
function assertCosError(r, status, code, message) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/xml');
  assert.equal(xmlField(r.text, 'Code'), code, r.text);
  if (message) assert.match(xmlField(r.text, 'Message'), message);
  const id = r.headers.get('x-cos-request-id');
  assert.ok(id && id.length >= 16, 'x-cos-request-id');
  assert.equal(xmlField(r.text, 'RequestId'), id);
}

/** Exports img-72n9mi0y (a system and a data disk: two files) to `bucket`; returns CosPaths. */
async function exportTwoFiles(bucket = BUCKET) {
  const { response } = await call(emu.url, { body: { ImageIds: ['img-72n9mi0y'], BucketName: bucket }, timestamp: Math.floor(now / 1000) });
  assert.equal(response.CosPaths.length, 2, JSON.stringify(response));
  return response.CosPaths;
}

describe('files appear as the export runs', () => {
  test('staggered per file: half the export time for the first of two, all of it for the second', async () => {
    const [system, data] = await exportTwoFiles();
    const created = now;
    const state = async () => [(await cos({ key: system })).status, (await cos({ key: data })).status];
    assert.deepEqual(await state(), [404, 404]);
    now = created + 1499;
    assert.deepEqual(await state(), [404, 404]);
    now = created + 1500;
    assert.deepEqual(await state(), [200, 404]);
    now = created + 2999;
    assert.deepEqual(await state(), [200, 404]);
    let ledger = await (await fetch(`${emu.url}__admin/ledger`)).json();
    assert.equal(ledger.tasks[0].Status, 'RUNNING');
    assert.deepEqual(ledger.tasks[0].Files.map((f) => f.Ready), [true, false]);
    now = created + 3000;
    assert.deepEqual(await state(), [200, 200]);
    ledger = await (await fetch(`${emu.url}__admin/ledger`)).json();
    assert.equal(ledger.tasks[0].Status, 'SUCCESS');
    assert.deepEqual(ledger.tasks[0].Files.map((f) => [f.CosPath, f.ReadyAt]), [
      [system, new Date(created + 1500).toISOString()], [data, new Date(created + 3000).toISOString()],
    ]);
  });

  test('a missing file is NoSuchKey with the XML body on GET, and status + request id on HEAD', async () => {
    const [system] = await exportTwoFiles();
    assertCosError(await cos({ method: 'GET', key: system }), 404, 'NoSuchKey');
    const head = await cos({ method: 'HEAD', key: system });
    assert.equal(head.status, 404);
    assert.equal(head.body.length, 0);
    assert.ok(head.headers.get('x-cos-request-id'));
  });

  test('GET returns the deterministic body; HEAD its length, ETag and Last-Modified', async () => {
    const [system] = await exportTwoFiles();
    const created = now;
    now += 3000;
    const get = await cos({ method: 'GET', key: system });
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, objectBody(BUCKET, system));
    assert.deepEqual((await cos({ method: 'GET', key: system })).body, get.body, 'the same bytes every time');
    assert.notDeepEqual(objectBody(BUCKET, system), objectBody(BUCKET, '/other.raw'), 'derived from the key');
    const head = await cos({ method: 'HEAD', key: system });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers.get('content-length'), String(get.body.length));
    assert.equal(head.headers.get('etag'), `"${createHash('md5').update(get.body).digest('hex')}"`);
    assert.equal(head.headers.get('last-modified'), new Date(created + 1500).toUTCString());
    const part = await cos({ method: 'GET', key: system, headers: { Range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.deepEqual(part.body, get.body.subarray(10, 20));
    assert.equal(part.headers.get('content-range'), `bytes 10-19/${get.body.length}`);
  });

  test('exportTaskMs is a start option, an admin setting for new tasks, and reset restores it', async () => {
    assert.deepEqual(await (await fetch(`${emu.url}__admin/config`)).json(), { exportTaskMs: 3000 });
    const post = (body) => fetch(`${emu.url}__admin/config`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal((await post({ exportTaskMs: 100 })).status, 200);
    for (const bad of [{ exportTaskMs: -1 }, { exportTaskMs: 1.5 }, { exportTaskMs: '100' }, { other: 1 }]) {
      assert.equal((await post(bad)).status, 400, JSON.stringify(bad));
    }
    const [system, data] = await exportTwoFiles();
    now += 100;
    assert.deepEqual([(await cos({ key: system })).status, (await cos({ key: data })).status], [200, 200]);
    emu.state.reset();
    assert.deepEqual(await (await fetch(`${emu.url}__admin/config`)).json(), { exportTaskMs: 3000 });
  });
});

describe('GET Bucket (the waiter\'s quiet probe)', () => {
  test('lists complete objects under a prefix, 200 whether or not one matches, signed like every route', async () => {
    const [system, data] = await exportTwoFiles();
    const list = (prefix, extra = {}) => cos({ method: 'GET', key: '/', query: { prefix, 'max-keys': '1' }, ...extra });
    let r = await list(system.slice(1));
    assert.equal(r.status, 200);
    assert.match(r.text, /<ListBucketResult>/);
    assert.equal(xmlField(r.text, 'Key'), undefined, 'nothing complete yet');
    now += 1500;
    r = await list(system.slice(1));
    assert.equal(xmlField(r.text, 'Key'), system.slice(1));
    assert.equal(xmlField(r.text, 'LastModified'), new Date(now).toISOString());
    assert.equal(Number(xmlField(r.text, 'Size')), objectBody(BUCKET, system).length);
    assert.equal(xmlField((await list(data.slice(1))).text, 'Key'), undefined, 'the second is not complete yet');
    assertCosError(await cos({ method: 'GET', key: '/', query: { prefix: 'x' }, secretKey: 'wrong' }), 403, 'SignatureDoesNotMatch');
    assertCosError(await cos({ method: 'GET', key: '/', query: { prefix: 'x' }, dropQuery: true }), 403, 'SignatureDoesNotMatch');
  });
});

describe('signature', () => {
  let key;
  beforeEach(async () => {
    [key] = await exportTwoFiles();
    now += 3000;
  });

  test('header and presigned forms are accepted, signed for the real host while sent to the emulator', async () => {
    assert.equal((await cos({ key, auth: 'header' })).status, 200);
    assert.equal((await cos({ key, auth: 'query', method: 'GET' })).status, 200);
    const ledger = await (await fetch(`${emu.url}__admin/ledger`)).json();
    assert.deepEqual(ledger.cos.recent.map((e) => [e.auth, e.signedHost, e.code]), [
      ['header', REAL_HOST, 'Success'], ['query', REAL_HOST, 'Success'],
    ]);
    // Signed for the emulator's own host (as sent, or without port): also accepted.
    const sent = new URL(emu.url).host;
    assert.equal((await cos({ key, signHost: sent })).status, 200);
    assert.equal((await cos({ key, signHost: sent.replace(/:\d+$/, '') })).status, 200);
  });

  test('signed query parameters and headers are verified', async () => {
    const query = { 'response-content-type': 'text/plain; a=b', versionId: 'v 1' };
    assert.equal((await cos({ key, method: 'GET', query, headers: { Range: 'bytes=0-3' } })).status, 206);
    assert.equal((await cos({ key, method: 'GET', auth: 'query', query, headers: { 'x-cos-traffic-limit': '819200' } })).status, 200);
  });

  test('a wrong key, method, path, host or signed header is SignatureDoesNotMatch', async () => {
    const cases = [
      { secretKey: 'not-the-secret-key' },
      { signKey: key + 'x' },
      { signHost: `${BUCKET}.cos.ap-nowhere.myqcloud.com` },
      { headers: { Range: 'bytes=0-3' }, sent: { Range: 'bytes=0-4' } },
      { headers: { 'x-cos-meta-a': '1' }, sent: {} },
      { query: { versionId: 'v1' }, signKey: key, auth: 'header', sent: undefined, method: 'GET', dropQuery: true },
    ];
    for (const c of cases) assertCosError(await cos({ key, method: 'GET', ...c }), 403, 'SignatureDoesNotMatch');
    // Signed as HEAD, sent as GET.
    const auth = COS.getAuthorization({ SecretId: CREDENTIALS.permanent.secretId, SecretKey: CREDENTIALS.permanent.secretKey, Method: 'HEAD', Key: key, Headers: { Host: REAL_HOST }, KeyTime: `${now / 1000};${now / 1000 + 60}` });
    const r = await fetch(`${emu.url}cos/${BUCKET}${urlPath(key)}`, { headers: { Authorization: auth } });
    assert.equal(xmlField(await r.text(), 'Code'), 'SignatureDoesNotMatch');
  });

  test('expired, not yet valid, anonymous, malformed, unknown SecretId', async () => {
    assertCosError(await cos({ key, method: 'GET', start: now / 1000 - 1000, expires: 999 }), 403, 'AccessDenied', /^Request has expired$/);
    assert.equal((await cos({ key, start: now / 1000 - 1000, expires: 1000 })).status, 200, 'the last second is valid');
    assertCosError(await cos({ key, method: 'GET', start: now / 1000 + 60 }), 403, 'RequestTimeTooSkewed', /too large/);
    const anonymous = await fetch(`${emu.url}cos/${BUCKET}${urlPath(key)}`);
    assert.equal(anonymous.status, 403);
    assert.equal(xmlField(await anonymous.text(), 'Code'), 'AccessDenied');
    const malformed = await fetch(`${emu.url}cos/${BUCKET}${urlPath(key)}`, { headers: { Authorization: 'q-sign-algorithm=md5&q-ak=x' } });
    assert.equal(xmlField(await malformed.text(), 'Code'), 'AccessDenied');
    assertCosError(await cos({ key, method: 'GET', cred: { secretId: 'AKIDunknown', secretKey: 'k' } }), 403, 'InvalidAccessKeyId');
  });

  test('temporary keys need their token (header or query); permanent keys may not bring a strange one', async () => {
    const temp = CREDENTIALS.temporary;
    assert.equal((await cos({ key, cred: temp })).status, 200);
    assert.equal((await cos({ key, cred: temp, auth: 'query' })).status, 200);
    assertCosError(await cos({ key, method: 'GET', cred: temp, token: null }), 403, 'AccessDenied', /token/);
    assertCosError(await cos({ key, method: 'GET', cred: temp, token: 'another-token' }), 403, 'AccessDenied', /token/);
    assertCosError(await cos({ key, method: 'GET', token: 'made-up-token' }), 403, 'AccessDenied', /token/);
  });
});

describe('buckets', () => {
  test('another account\'s bucket is AccessDenied; an unknown bucket of ours NoSuchBucket', async () => {
    assertCosError(await cos({ method: 'GET', bucket: 'backup-1250000001', key: '/a.raw' }), 403, 'AccessDenied', /another account/);
    assertCosError(await cos({ method: 'GET', bucket: `no-such-bucket-${APP_ID}`, key: '/a.raw' }), 404, 'NoSuchBucket');
    // NoSuchBucket comes first: even an unsigned request learns that much, as from COS.
    const r = await fetch(`${emu.url}cos/no-such-bucket-${APP_ID}/a.raw`);
    assert.equal(xmlField(await r.text(), 'Code'), 'NoSuchBucket');
  });

  test('files are in the bucket they were exported to only', async () => {
    const [key] = await exportTwoFiles(`images-${APP_ID}`);
    now += 3000;
    assert.equal((await cos({ key, bucket: `images-${APP_ID}` })).status, 200);
    assert.equal((await cos({ key, bucket: BUCKET })).status, 404);
  });
});

describe('CORS', () => {
  test('preflight allows GET/HEAD with Authorization, the token and Range', async () => {
    const r = await fetch(`${emu.url}cos/${BUCKET}/a.raw`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://console.example', 'Access-Control-Request-Method': 'HEAD', 'Access-Control-Request-Headers': 'authorization,x-cos-security-token,range' },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.headers.get('access-control-allow-methods'), 'GET, HEAD, OPTIONS');
    assert.deepEqual(r.headers.get('access-control-allow-headers').split(', '), ['authorization', 'x-cos-security-token', 'range']);
  });

  test('answers, errors included, expose ETag, Content-Length, Last-Modified and x-cos-request-id', async () => {
    const [key] = await exportTwoFiles();
    const missing = await cos({ key });
    now += 3000;
    for (const r of [missing, await cos({ key })]) {
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      const exposed = r.headers.get('access-control-expose-headers').toLowerCase().split(', ');
      for (const h of ['etag', 'content-length', 'last-modified', 'x-cos-request-id']) assert.ok(exposed.includes(h), h);
    }
  });
});

describe('faults', () => {
  test('cosStatus answers 5xx (COS XML) cosCount times, then is removed; the API is not touched', async () => {
    const [key] = await exportTwoFiles();
    now += 3000;
    const set = await fetch(`${emu.url}__admin/faults`, { method: 'POST', body: JSON.stringify({ cosStatus: 503, cosCount: 2 }) });
    assert.equal(set.status, 200);
    const { response } = await call(emu.url, { action: 'DescribeImages', body: {}, timestamp: Math.floor(now / 1000) });
    assert.ok(response.ImageSet, 'API requests are not faulted');
    assertCosError(await cos({ key, method: 'GET' }), 503, 'ServiceUnavailable');
    assert.equal((await cos({ key })).status, 503);
    assert.equal((await cos({ key })).status, 200);
    assert.deepEqual(await (await fetch(`${emu.url}__admin/faults`)).json(), {});
    const ledger = await (await fetch(`${emu.url}__admin/ledger`)).json();
    assert.deepEqual(ledger.cos.byCode, { ServiceUnavailable: 2, Success: 1 });
    await fetch(`${emu.url}__admin/faults`, { method: 'POST', body: JSON.stringify({ cosStatus: 500 }) });
    assertCosError(await cos({ key, method: 'GET' }), 500, 'InternalError');
    assert.equal((await cos({ key })).status, 500, 'without cosCount: until cleared');
    for (const bad of [{ cosStatus: 404 }, { cosStatus: 503, cosCount: 0 }, { cosLatencyMs: -1 }]) {
      const r = await fetch(`${emu.url}__admin/faults`, { method: 'POST', body: JSON.stringify(bad) });
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
  });
});

// "The emulator accepts what the library signs": links from the built package's presignCosUrl.
// Needs the built package (scripts/build.sh).
const PKG = new URL('../../pkg/node.js', import.meta.url);
describe('links presigned by tc3-edge (pkg/node.js)', () => {
  let CvmClient;
  before(async () => ({ CvmClient } = await import(PKG.href)));
  const client = (cred = CREDENTIALS.permanent) => new CvmClient({
    credential: cred, region: REGION,
    profile: { httpProfile: { endpoint: emu.url }, cosEndpoint: `${emu.url}cos/{Bucket}` },
  });

  test('GET and HEAD of every exported file, permanent and temporary keys', async () => {
    now = Date.now(); // the client signs with the real clock
    const { CosPaths } = await client().ExportImages({ BucketName: BUCKET, ImageIds: ['img-abcd1234'] });
    assert.equal(CosPaths.length, 3);
    const link = (c, key, method) => c.presignCosUrl({ BucketName: BUCKET, key, method, expires: 600 }).url;
    // Not there yet: the signature is accepted, the object is missing.
    assertCosError(await getUrl(link(client(), CosPaths[0], 'GET')), 404, 'NoSuchKey');
    now += 3000;
    for (const cred of [CREDENTIALS.permanent, CREDENTIALS.temporary]) {
      const c = client(cred);
      for (const key of CosPaths) {
        const got = await getUrl(link(c, key, 'GET'));
        assert.equal(got.status, 200, got.text);
        assert.deepEqual(got.body, objectBody(BUCKET, key));
        const head = await fetch(link(c, key, 'HEAD'), { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), String(got.body.length));
      }
    }
    const ledger = await (await fetch(`${emu.url}__admin/ledger`)).json();
    assert.ok(ledger.cos.recent.filter((e) => e.code === 'Success').every((e) => e.signedHost === REAL_HOST && e.auth === 'query'));
    assert.ok(ledger.cos.recent.some((e) => e.secretId === CREDENTIALS.temporary.secretId && e.token));
  });

  test('keys with unicode, spaces, + % ? # & = and slashes, query and headers: signature accepted (NoSuchKey)', async () => {
    now = Date.now();
    const c = client(CREDENTIALS.temporary);
    for (const key of ['/a b+c%d?e#f&g=h.raw', '镜像/导出 😀.qcow2', 'dir//sub/', "x!'()*~.vhd", '/night/ly_img.raw']) {
      const { url } = c.presignCosUrl({ BucketName: BUCKET, key, query: { 'response-content-disposition': 'attachment; filename="a b"' } });
      assertCosError(await getUrl(url), 404, 'NoSuchKey');
      const ranged = c.presignCosUrl({ BucketName: BUCKET, key, method: 'GET', headers: { Range: 'bytes=0-9' } });
      assertCosError(await getUrl(ranged.url, { Range: 'bytes=0-9' }), 404, 'NoSuchKey');
      // The signed Range must be sent as signed.
      assertCosError(await getUrl(ranged.url, { Range: 'bytes=0-8' }), 403, 'SignatureDoesNotMatch');
    }
    // Expired: a link whose validity ended.
    const old = c.presignCosUrl({ BucketName: BUCKET, key: 'k', timestamp: Math.floor(now / 1000) - 100, expires: 10 });
    assertCosError(await getUrl(old.url), 403, 'AccessDenied', /^Request has expired$/);
  });
});

async function getUrl(url, headers = {}) {
  const r = await fetch(url, { headers });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body, text: body.toString('utf8') };
}
