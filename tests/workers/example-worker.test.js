// The example Worker (examples/worker) in the real Workers runtime (workerd via Miniflare),
// built as wrangler would build it from the packed tc3-edge, calling the CVM emulator on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { accessBindings, buildExampleWorker, EXAMPLE_DURABLE_OBJECTS, ledger, ORIGIN, post, request, startWorker, WORKER_URL } from './support/worker.js';

const OTHER_ORIGIN = 'https://ops.example.com';
const EVIL_ORIGIN = 'https://evil.example.net';
const CALLER_LIMIT = 6;
const GOOD = { BucketName: 'backup-1250000000', ImageIds: ['img-72n9mi0y'] };
const perm = CREDENTIALS.permanent;
const temp = CREDENTIALS.temporary;

let emu;
let worker;
let mf; // permanent key
let mfTemp; // temporary key + token
const output = []; // workerd's stdout/stderr: the Worker's console
const bodies = []; // every response text, checked for secrets at the end
let ipCounter = 0;
const freshIp = () => `198.51.100.${++ipCounter}`;
let token; // the emulator's test user (Access stand-in)

function bindings(cred, extra = {}) {
  return {
    TC_SECRET_ID: cred.secretId,
    TC_SECRET_KEY: cred.secretKey,
    ...(cred.token ? { TC_TOKEN: cred.token } : {}),
    TC_REGION: 'ap-guangzhou',
    TC_ENDPOINT: emu.url,
    TC_LANGUAGE: 'en-US',
    ALLOWED_ORIGINS: `${ORIGIN}, ${OTHER_ORIGIN}`,
    CALLER_LIMIT_PER_MINUTE: String(CALLER_LIMIT),
    ...accessBindings(emu),
    ...extra,
  };
}

// Each test its own caller (identity), so the per-caller limits never mix.
let callerCounter = 0;
const callerTokens = new Map();
async function call(target, params, opts = {}) {
  const r = await post(target, params, { ip: freshIp(), token: opts.token ?? (await tokenFor(`caller${++callerCounter}@example.com`)), ...opts });
  bodies.push(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  return r;
}

before(async () => {
  emu = await startEmulator({ port: 0 });
  worker = await buildExampleWorker();
  const options = { durableObjects: EXAMPLE_DURABLE_OBJECTS };
  mf = await startWorker(worker.scriptPath, bindings(perm), { output, options });
  mfTemp = await startWorker(worker.scriptPath, bindings(temp), { output, options });
  token = await emu.access.sign();
});

async function tokenFor(email) {
  if (!callerTokens.has(email)) callerTokens.set(email, await emu.access.sign({ email }));
  return callerTokens.get(email);
}

after(async () => {
  await mf?.dispose();
  await mfTemp?.dispose();
  await emu?.close();
  await worker?.cleanup();
});

describe('ExportImages through the Worker', () => {
  test('a valid request creates exactly one task and returns TaskId, CosPaths, RequestId', async () => {
    const before = await ledger(emu);
    const r = await call(mf, { ...GOOD, ExportFormat: 'QCOW2', FileNamePrefixList: ['ok1'] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body).sort(), ['CosPaths', 'RequestId', 'TaskId']);
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const now = await ledger(emu);
    assert.equal(now.taskCount, before.taskCount + 1);
    const task = now.tasks.find((t) => t.TaskId === r.body.TaskId);
    assert.ok(task, 'the TaskId is in the ledger');
    assert.equal(task.RequestId, r.body.RequestId);
    assert.deepEqual(task.CosPaths, r.body.CosPaths);
    assert.equal(task.SecretId, perm.secretId);
    assert.equal(task.Region, 'ap-guangzhou');
    assert.deepEqual(task.FileNamePrefixList, ['ok1']);
    assert.equal(task.ExportFormat, 'QCOW2');
    const rec = now.recent.at(-1);
    assert.equal(rec.code, 'Success');
    assert.equal(rec.token, false, 'a permanent key sends no X-TC-Token');
  });

  test('a validation error is answered 400 with code and field, and never reaches CVM', async () => {
    const cases = [
      [{ BucketName: 'backup-1250000000', ImageIds: ['img-BAD'] }, 'InvalidImageId.Malformed', 'ImageIds.0'],
      [{ ImageIds: ['img-72n9mi0y'] }, 'MissingParameter', 'BucketName'],
      [{ ...GOOD, ImageID: 'img-72n9mi0y' }, 'UnknownParameter', 'ImageID'],
      [{ ...GOOD, BucketName: 'test-bucket-AppId' }, 'InvalidParameterValue.InvalidAppIdFormat', 'BucketName'],
      [{ ...GOOD, ExportFormat: 'ISO' }, 'InvalidParameterValue', 'ExportFormat'],
    ];
    const before = await ledger(emu);
    for (const [params, code, field] of cases) {
      const r = await call(mf, params);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, code);
      assert.equal(r.body.error.field, field);
      assert.equal(typeof r.body.error.message, 'string');
      assert.equal(r.body.error.requestId, undefined);
      assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN, 'errors carry CORS headers too');
    }
    const now = await ledger(emu);
    assert.equal(now.requests.total, before.requests.total, 'no request reached the emulator');
    assert.equal(now.taskCount, before.taskCount);
  });

  test('an API error is passed through with its code, message and RequestId', async () => {
    const r = await call(mf, { BucketName: 'backup-1250000000', ImageIds: ['img-win2019a'] });
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'UnsupportedOperation.WindowsImageExportUnsupported');
    assert.match(r.body.error.message, /Windows/);
    const rec = (await ledger(emu)).recent.at(-1);
    assert.equal(rec.code, 'UnsupportedOperation.WindowsImageExportUnsupported');
    assert.equal(r.body.error.requestId, rec.requestId);

    const full = await call(mf, { BucketName: 'queue-full-1250000000', ImageIds: ['img-72n9mi0y'] });
    assert.equal(full.status, 429, 'a quota error says "later"');
    assert.equal(full.body.error.code, 'LimitExceeded.ExportImageTaskLimitExceeded');
    assert.equal(full.headers.get('retry-after'), '60');
    assert.ok(full.body.error.requestId);
  });

  test('DryRun on a valid request answers 200 { DryRun: true, RequestId } and creates nothing', async () => {
    const before = await ledger(emu);
    const r = await call(mf, { ...GOOD, DryRun: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.DryRun, true);
    assert.equal(typeof r.body.RequestId, 'string');
    assert.equal((await ledger(emu)).taskCount, before.taskCount);
  });

  test('temporary credentials: the token is sent as X-TC-Token and the export succeeds', async () => {
    const r = await call(mfTemp, GOOD);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const l = await ledger(emu);
    const task = l.tasks.find((t) => t.TaskId === r.body.TaskId);
    assert.equal(task.SecretId, temp.secretId);
    const rec = l.recent.findLast((x) => x.requestId === r.body.RequestId);
    assert.equal(rec.token, true, 'X-TC-Token was sent (and matched: the emulator refuses a wrong one)');
    assert.equal(rec.code, 'Success');
    assert.equal(rec.secretId, temp.secretId);
  });

  test('an upstream failure is 502 with the client code, logged without secrets', async () => {
    await fetch(new URL('/__admin/faults', emu.url), { method: 'POST', body: JSON.stringify({ internalError: true, count: 1 }) });
    const r = await call(mf, GOOD);
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'InternalError');
    assert.ok(r.body.error.requestId);
    await fetch(new URL('/__admin/faults', emu.url), { method: 'POST', body: JSON.stringify({ status: 503, count: 1 }) });
    const s = await call(mf, GOOD);
    assert.equal(s.status, 502);
    assert.equal(s.body.error.code, 'Client.HttpStatus');
    // The client cannot tell a 5xx before execution from one after: it must say "maybe".
    assert.equal(s.body.error.mayHaveExecuted, true);

    // The connection drops after CVM created the task: one task, no resend, and the caller is told.
    const before = await ledger(emu);
    await fetch(new URL('/__admin/faults', emu.url), { method: 'POST', body: JSON.stringify({ reset: true, after: true, count: 1 }) });
    const dropped = await call(mf, GOOD);
    assert.equal(dropped.status, 502, JSON.stringify(dropped.body));
    assert.equal(dropped.body.error.code, 'Client.NetworkError');
    assert.equal(dropped.body.error.mayHaveExecuted, true);
    const now = await ledger(emu);
    assert.equal(now.taskCount, before.taskCount + 1, 'the task exists');
    assert.equal(now.requests.total, before.requests.total + 1, 'ExportImages was not resent');
    await new Promise((ok) => setTimeout(ok, 200)); // let workerd's stdio reach us
    assert.match(output.join(''), /ExportImages failed: InternalError requestId=/);
  });
});

describe('CORS', () => {
  test('a preflight from an allowed origin gets 204 with the CORS headers', async () => {
    for (const origin of [ORIGIN, OTHER_ORIGIN]) {
      const res = await mf.dispatchFetch(WORKER_URL, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, cf-access-jwt-assertion' },
      });
      await res.arrayBuffer();
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.match(res.headers.get('access-control-allow-methods'), /POST/);
      assert.match(res.headers.get('access-control-allow-headers').toLowerCase(), /content-type/);
      // The page sends the Access token itself where no Access edge adds it (local runs).
      assert.match(res.headers.get('access-control-allow-headers').toLowerCase(), /cf-access-jwt-assertion/);
      assert.match(res.headers.get('vary'), /Origin/);
    }
  });

  test('a disallowed origin gets 403, without CORS headers and without reaching CVM, token or not', async () => {
    const before = await ledger(emu);
    const pre = await mf.dispatchFetch(WORKER_URL, {
      method: 'OPTIONS', headers: { Origin: EVIL_ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    await pre.arrayBuffer();
    assert.equal(pre.status, 403);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const evil = await call(mf, GOOD, { origin: EVIL_ORIGIN });
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error.code, 'Worker.OriginNotAllowed');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const evilWithoutToken = await post(mf, GOOD, { origin: EVIL_ORIGIN });
    assert.equal(evilWithoutToken.status, 403);
    const now = await ledger(emu);
    assert.equal(now.requests.total, before.requests.total);
  });

  test('no Origin (a script, not a browser): judged by its token alone, answered without CORS headers', async () => {
    const before = await ledger(emu);
    const none = await post(mf, GOOD, { origin: null });
    assert.equal(none.status, 401, 'no Origin is no pass: the token is still required');
    assert.equal((await ledger(emu)).requests.total, before.requests.total);
    const script = await call(mf, GOOD, { origin: null });
    assert.equal(script.status, 200, JSON.stringify(script.body));
    assert.equal(script.headers.get('access-control-allow-origin'), null);
  });
});

describe('request checks', () => {
  test('wrong route, method, media type, JSON and size', async () => {
    const notFound = await request(mf, 'POST', '/other', { token });
    assert.equal(notFound.status, 404);
    const removed = await request(mf, 'POST', '/export-files', { token, raw: '{}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(removed.status, 404, 'POST /export-files is gone: no route takes a bucket and keys from the caller');
    const get = await request(mf, 'GET', '/export-images', { token });
    assert.equal(get.status, 405);
    assert.match(get.headers.get('allow'), /POST/);
    const form = await call(mf, null, { raw: 'BucketName=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415);
    const bad = await call(mf, null, { raw: '{"BucketName":' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'Worker.InvalidJson');
    const arr = await call(mf, null, { raw: '[1,2]' });
    assert.equal(arr.status, 400);
    const big = await call(mf, null, { raw: JSON.stringify({ ...GOOD, RoleName: 'x'.repeat(20_000) }) });
    assert.equal(big.status, 413);
  });
});

describe('per-caller limit', () => {
  test(`the ${CALLER_LIMIT + 1}th request of one caller (identity) within a minute is 429, whatever its IP; others are unaffected`, async () => {
    const me = await tokenFor('limited@example.com');
    const invalid = { BucketName: 'backup-1250000000', ImageIds: ['img-BAD'] }; // counted, never sent
    for (let i = 0; i < CALLER_LIMIT; i++) {
      // A new address each time (an IPv6 /64 has 2^64 of them): the identity is what is counted.
      const r = await call(mf, invalid, { ip: `2001:db8::${i + 1}`, token: me });
      assert.equal(r.status, 400, `request ${i + 1} is within the limit`);
    }
    const limited = await call(mf, invalid, { ip: '2001:db8::ffff', token: me });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'Worker.TooManyRequests');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(limited.headers.get('access-control-allow-origin'), ORIGIN, 'a page can read the 429');
    assert.match(limited.headers.get('access-control-expose-headers'), /Retry-After/);
    const other = await call(mf, invalid, { ip: '2001:db8::ffff', token: await tokenFor('other@example.com') });
    assert.equal(other.status, 400, 'another caller is not limited, from the same address');
  });
});

describe('secrets', () => {
  test('no response and no log line contains the SecretKey or the token', async () => {
    await new Promise((ok) => setTimeout(ok, 100));
    const everything = bodies.join('\n') + output.join('');
    assert.ok(bodies.length > 20);
    for (const secret of [perm.secretKey, temp.secretKey, temp.token]) {
      assert.equal(everything.includes(secret), false, 'a secret leaked');
    }
  });
});
