// The example Worker's POST /export-files (issue #11) in the real Workers runtime (workerd via
// Miniflare), built as wrangler would build it from the packed tc3-edge, against the emulator's
// CVM API and COS: a console polls it for the state of an export's files and gets presigned
// links for the ready ones, without a key in the page.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CREDENTIALS } from '../../emulator/account.js';
import { objectBody } from '../../emulator/cos.js';
import { startEmulator } from '../../emulator/server.js';
import { buildExampleWorker, ledger, ORIGIN, post, resetEmulator, startWorker } from './support/worker.js';

const FILES_URL = 'http://worker.test/export-files';
const BUCKET = 'backup-1250000000';
const perm = CREDENTIALS.permanent;
const temp = CREDENTIALS.temporary;

let emu;
let worker;
let mf; // permanent key
let mfTemp; // temporary key + token
const output = [];
const bodies = [];
let ipCounter = 0;
const freshIp = () => `198.51.100.${++ipCounter}`;

function bindings(cred) {
  return {
    TC_SECRET_ID: cred.secretId,
    TC_SECRET_KEY: cred.secretKey,
    ...(cred.token ? { TC_TOKEN: cred.token } : {}),
    TC_REGION: 'ap-guangzhou',
    TC_ENDPOINT: emu.url,
    TC_COS_ENDPOINT: `${emu.url}cos/{Bucket}`,
    ALLOWED_ORIGINS: ORIGIN,
    CALLER_LIMIT_PER_MINUTE: '1000',
  };
}

/** POSTs to /export-files as the console would. */
async function files(target, body, { origin = ORIGIN, method = 'POST', headers = {} } = {}) {
  const h = { 'Content-Type': 'application/json', 'CF-Connecting-IP': freshIp(), ...headers };
  if (origin) h.Origin = origin;
  const res = await target.dispatchFetch(FILES_URL, { method, headers: h, body: method === 'POST' ? JSON.stringify(body) : undefined });
  const text = await res.text();
  bodies.push(text);
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return { status: res.status, headers: res.headers, body: parsed };
}

async function exportTask(target) {
  const r = await post(target, { BucketName: BUCKET, ImageIds: ['img-pq5pau1w', 'img-72n9mi0y'], ExportFormat: 'VMDK' }, { ip: freshIp() });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const setExportMs = (ms) => fetch(new URL('/__admin/config', emu.url), { method: 'POST', body: JSON.stringify({ exportTaskMs: ms }) });

before(async () => {
  emu = await startEmulator({ port: 0, exportTaskMs: 1500 });
  worker = await buildExampleWorker();
  mf = await startWorker(worker.scriptPath, bindings(perm), { output });
  mfTemp = await startWorker(worker.scriptPath, bindings(temp), { output });
});

beforeEach(() => resetEmulator(emu));

after(async () => {
  await mf?.dispose();
  await mfTemp?.dispose();
  await emu?.close();
  await worker?.cleanup();
});

describe('POST /export-files', () => {
  test('polled while an export runs: files go pending -> ready, ready ones get links that download them', async () => {
    const task = await exportTask(mf);
    const seen = [];
    const deadline = Date.now() + 15_000;
    let last;
    do {
      last = await files(mf, { BucketName: BUCKET, CosPaths: task.CosPaths });
      assert.equal(last.status, 200, JSON.stringify(last.body));
      assert.equal(last.headers.get('access-control-allow-origin'), ORIGIN);
      assert.equal(last.body.total, task.CosPaths.length);
      assert.deepEqual(last.body.files.map((f) => f.key), task.CosPaths);
      assert.equal(last.body.ready, last.body.files.filter((f) => f.state === 'ready').length);
      for (const f of last.body.files) {
        if (f.state === 'pending') assert.deepEqual(Object.keys(f).sort(), ['key', 'state']);
        else assert.ok(f.url && f.size > 0 && f.etag && f.lastModified, JSON.stringify(f));
      }
      seen.push(last.body.ready);
      if (last.body.ready < last.body.total) await new Promise((ok) => setTimeout(ok, 150));
    } while (last.body.ready < last.body.total && Date.now() < deadline);
    assert.equal(last.body.ready, task.CosPaths.length, `all ready in the end: ${seen}`);
    assert.ok(seen[0] < task.CosPaths.length, 'it was polled while files were missing');
    assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]), `ready never decreases: ${seen}`);
    assert.ok(new Set(seen).size >= 2, `intermediate states seen: ${seen}`);

    for (const f of last.body.files) {
      assert.ok(f.url.startsWith(`${emu.url}cos/${BUCKET}/`), f.url);
      assert.ok(!f.url.includes(perm.secretKey));
      const res = await fetch(f.url);
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(objectBody(BUCKET, f.key)));
    }
    // The Worker's COS requests were HEADs signed for the real host with its key.
    const cos = (await ledger(emu)).cos.recent.filter((r) => r.auth !== 'query');
    assert.ok(cos.length >= task.CosPaths.length);
    for (const r of cos) {
      assert.equal(r.secretId, perm.secretId);
      assert.equal(r.signedHost, `${BUCKET}.cos.ap-guangzhou.myqcloud.com`);
      assert.ok(['HEAD', 'GET'].includes(r.method));
    }
  });

  test('a bucket that does not exist is 404 NoSuchBucket with COS\'s requestId', async () => {
    const r = await files(mf, { BucketName: 'no-such-bucket-1250000000', CosPaths: ['/img-pq5pau1w_system_snap-fiux4bof.vmdk'] });
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'NoSuchBucket');
    const rec = (await ledger(emu)).cos.recent.at(-1);
    assert.equal(r.body.error.requestId, rec.requestId);
  });

  test('malformed input is 400 Client.InvalidOption with the field, and nothing reaches COS', async () => {
    for (const [body, field] of [
      [{ CosPaths: ['/a'] }, 'BucketName'],
      [{ BucketName: 'Bad_Bucket', CosPaths: ['/a'] }, 'BucketName'],
      [{ BucketName: BUCKET, CosPaths: [] }, 'CosPaths'],
      [{ BucketName: BUCKET, CosPaths: ['/a', 5] }, 'CosPaths.1'],
    ]) {
      const r = await files(mf, body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'Client.InvalidOption');
      assert.equal(r.body.error.field, field);
    }
    const bad = await mf.dispatchFetch(FILES_URL, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN }, body: '[1' });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'Worker.InvalidJson');
    assert.equal((await ledger(emu)).cos.total, 0);
  });

  test('CORS: the preflight is answered for an allowed origin only', async () => {
    const ok = await mf.dispatchFetch(FILES_URL, { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(ok.headers.get('access-control-allow-methods'), /POST/);
    const evil = await files(mf, { BucketName: BUCKET, CosPaths: ['/a'] }, { origin: 'https://evil.example.net' });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const get = await files(mf, null, { method: 'GET' });
    assert.equal(get.status, 405);
  });

  test('COS failing (5xx) is 502 with the HTTP status; the next poll works again', async () => {
    await setExportMs(0);
    const task = await exportTask(mf);
    await fetch(new URL('/__admin/faults', emu.url), { method: 'POST', body: JSON.stringify({ cosStatus: 503, cosCount: 1 }) });
    const failed = await files(mf, { BucketName: BUCKET, CosPaths: task.CosPaths });
    assert.equal(failed.status, 502, JSON.stringify(failed.body));
    assert.equal(failed.body.error.code, 'Client.HttpStatus');
    const again = await files(mf, { BucketName: BUCKET, CosPaths: task.CosPaths });
    assert.equal(again.status, 200);
    assert.equal(again.body.ready, task.CosPaths.length);
  });

  test('with temporary credentials the token travels to COS and in the links, never the SecretKey', async () => {
    await setExportMs(0);
    const task = await exportTask(mfTemp);
    const r = await files(mfTemp, { BucketName: BUCKET, CosPaths: task.CosPaths });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.ready, task.CosPaths.length);
    for (const f of r.body.files) {
      assert.match(f.url, /x-cos-security-token=/);
      assert.equal((await fetch(f.url)).status, 200);
    }
    const cos = (await ledger(emu)).cos.recent.filter((x) => x.auth !== 'query');
    assert.ok(cos.length > 0 && cos.every((x) => x.token === true && x.secretId === temp.secretId));
  });

  test('no SecretKey in any answer or log line', () => {
    const all = bodies.join('\n') + output.join('');
    for (const secret of [perm.secretKey, temp.secretKey]) assert.ok(!all.includes(secret));
  });
});
