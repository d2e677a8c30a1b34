// The request checks before any action runs, in the real API's order: authorization, timestamp,
// SecretId, signature (each host form and header list), token, action/version/region, body.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { APP_ID, CREDENTIALS } from '../account.js';
import { startEmulator } from '../server.js';
import { call, send, signedRequest } from '../signed_client.js';
import { canonicalRequest, sha256Hex, signature, utcDate } from '../verify.js';

const BODY = { ImageIds: ['img-pq5pau1w'], BucketName: `test-bucket-${APP_ID}` };
const { permanent, temporary } = CREDENTIALS;
let emu;
const code = (r) => r.response.Error?.Code ?? 'Success';
const ledger = async () => (await fetch(`${emu.url}__admin/ledger`)).json();
const nowS = () => Math.floor(Date.now() / 1000);

/** Signs `headers` with any SignedHeaders list through the generic builder (tested against the doc vector). */
function signGeneric({ key = permanent, headers, list, body = Buffer.from(JSON.stringify(BODY)), timestamp = nowS(), unsigned = false }) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonical = canonicalRequest({ method: 'POST', headers: lower, signedHeaders: list, hashedPayload: sha256Hex(unsigned ? 'UNSIGNED-PAYLOAD' : body) });
  const sig = signature({ secretKey: key.secretKey, timestamp, service: 'cvm', canonical });
  return `TC3-HMAC-SHA256 Credential=${key.secretId}/${utcDate(timestamp)}/cvm/tc3_request, SignedHeaders=${list.join(';')}, Signature=${sig}`;
}

before(async () => { emu = await startEmulator(); });
after(() => emu.close());
beforeEach(() => emu.state.reset());

describe('authorization and timestamp', () => {
  test('missing or unparsable Authorization → AuthFailure.InvalidAuthorization', async () => {
    for (const Authorization of [undefined, 'Bearer abc', 'TC3-HMAC-SHA256 Credential=x']) {
      const r = await call(emu.url, { body: BODY, overrides: { Authorization } });
      assert.equal(code(r), 'AuthFailure.InvalidAuthorization', String(Authorization));
    }
  });

  test('SignedHeaders without host → AuthFailure.InvalidAuthorization', async () => {
    const req = signedRequest({ body: BODY });
    req.headers.Authorization = req.headers.Authorization.replace('SignedHeaders=content-type;host', 'SignedHeaders=content-type');
    assert.equal(code({ response: (await send(emu.url, req)).json.Response }), 'AuthFailure.InvalidAuthorization');
  });

  test('missing X-TC-Timestamp → MissingParameter', async () => {
    assert.equal(code(await call(emu.url, { body: BODY, overrides: { 'X-TC-Timestamp': undefined } })), 'MissingParameter');
  });

  test('a timestamp more than 300 s off → AuthFailure.SignatureExpire, with the server time in Date', async () => {
    for (const skew of [-301, 301]) {
      const r = await call(emu.url, { body: BODY, timestamp: nowS() + skew });
      assert.equal(code(r), 'AuthFailure.SignatureExpire');
      assert.ok(Math.abs(Date.parse(r.headers.date) / 1000 - nowS()) <= 2);
    }
    assert.equal(code(await call(emu.url, { body: BODY, timestamp: nowS() - 290 })), 'Success');
    assert.equal((await ledger()).taskCount, 1);
  });

  test('a forced clock offset shows in Date; a client re-signing with it succeeds', async () => {
    await fetch(`${emu.url}__admin/faults`, { method: 'POST', body: JSON.stringify({ clockOffsetSeconds: 3600 }) });
    const r = await call(emu.url, { body: BODY });
    assert.equal(code(r), 'AuthFailure.SignatureExpire');
    const serverS = Date.parse(r.headers.date) / 1000;
    assert.ok(Math.abs(serverS - nowS() - 3600) <= 2);
    assert.equal(code(await call(emu.url, { body: BODY, timestamp: serverS })), 'Success');
  });

  test('unknown SecretId → AuthFailure.SecretIdNotFound (but an expired timestamp is reported first)', async () => {
    const key = { secretId: 'AKIDnobody', secretKey: 'x' };
    assert.equal(code(await call(emu.url, { body: BODY, key })), 'AuthFailure.SecretIdNotFound');
    assert.equal(code(await call(emu.url, { body: BODY, key, timestamp: nowS() - 1000 })), 'AuthFailure.SignatureExpire');
  });
});

describe('signature', () => {
  test('tampered body → AuthFailure.SignatureFailure and no task', async () => {
    const req = signedRequest({ body: BODY });
    req.body = Buffer.from(JSON.stringify({ ...BODY, ImageIds: ['img-72n9mi0y'] }));
    assert.equal((await send(emu.url, req)).json.Response.Error.Code, 'AuthFailure.SignatureFailure');
    // Even whitespace counts: the signature covers the exact bytes.
    const spaced = signedRequest({ body: BODY });
    spaced.body = Buffer.from(JSON.stringify(BODY, null, 1));
    assert.equal((await send(emu.url, spaced)).json.Response.Error.Code, 'AuthFailure.SignatureFailure');
    assert.equal((await ledger()).taskCount, 0);
  });

  test('wrong SecretKey → AuthFailure.SignatureFailure', async () => {
    const r = await call(emu.url, { body: BODY, key: { secretId: permanent.secretId, secretKey: 'not-the-key' } });
    assert.equal(code(r), 'AuthFailure.SignatureFailure');
  });

  test('Content-Type sent differs from the one signed → AuthFailure.SignatureFailure', async () => {
    const r = await call(emu.url, { body: BODY, contentType: 'application/json', overrides: { 'Content-Type': 'application/json; charset=utf-8' } });
    assert.equal(code(r), 'AuthFailure.SignatureFailure');
    assert.equal(code(await call(emu.url, { body: BODY, contentType: 'application/json; charset=utf-8' })), 'Success');
  });

  test('credential scope with another date or service → AuthFailure.SignatureFailure', async () => {
    for (const [from, to] of [[utcDate(nowS()), '2001-01-01'], ['/cvm/', '/cbs/']]) {
      const req = signedRequest({ body: BODY });
      req.headers.Authorization = req.headers.Authorization.replace(from, to);
      assert.equal((await send(emu.url, req)).json.Response.Error.Code, 'AuthFailure.SignatureFailure');
    }
  });

  test('host forms: the Host hostname, the API hosts and the region host verify; others do not', async () => {
    const cases = [
      ['127.0.0.1', 'Success'], ['cvm.tencentcloudapi.com', 'Success'], ['cvm.intl.tencentcloudapi.com', 'Success'],
      ['cvm.ap-guangzhou.tencentcloudapi.com', 'Success'], ['cvm.ap-shanghai.tencentcloudapi.com', 'AuthFailure.SignatureFailure'],
      ['evil.example.com', 'AuthFailure.SignatureFailure'],
    ];
    for (const [signHost, expected] of cases) {
      assert.equal(code(await call(emu.url, { body: BODY, signHost, region: 'ap-guangzhou' })), expected, signHost);
    }
    const recent = (await ledger()).recent;
    assert.deepEqual(recent.slice(0, 4).map((e) => e.signedHost), cases.slice(0, 4).map(([h]) => h));
  });

  test('the Host header with its port verifies through the generic builder', async () => {
    const host = new URL(emu.url).host; // 127.0.0.1:<port>
    const headers = { 'Content-Type': 'application/json', Host: host };
    const req = signedRequest({ body: BODY, overrides: { Authorization: signGeneric({ headers, list: ['content-type', 'host'] }) } });
    assert.equal((await send(emu.url, req)).json.Response.TaskId, 105591590);
    assert.equal((await ledger()).recent[0].signedHost, host);
  });

  test('content-type;host;x-tc-action verifies; a changed action then fails', async () => {
    const headers = { 'Content-Type': 'application/json', Host: 'cvm.tencentcloudapi.com', 'X-TC-Action': 'ExportImages' };
    const Authorization = signGeneric({ headers, list: ['content-type', 'host', 'x-tc-action'] });
    const ok = await send(emu.url, signedRequest({ body: BODY, overrides: { Authorization } }));
    assert.equal(typeof ok.json.Response.TaskId, 'number');
    const swapped = await send(emu.url, signedRequest({ action: 'DescribeImages', body: BODY, overrides: { Authorization } }));
    assert.equal(swapped.json.Response.Error.Code, 'AuthFailure.SignatureFailure');
  });

  test('a longer list (region, timestamp, token) verifies with the request\'s own values', async () => {
    const ts = nowS();
    const headers = {
      'Content-Type': 'application/json', Host: 'cvm.tencentcloudapi.com', 'X-TC-Action': 'ExportImages',
      'X-TC-Region': 'ap-guangzhou', 'X-TC-Timestamp': String(ts), 'X-TC-Token': temporary.token,
    };
    const Authorization = signGeneric({ key: temporary, headers, timestamp: ts, list: ['x-tc-token', 'content-type', 'host', 'x-tc-timestamp', 'x-tc-region', 'x-tc-action'].sort() });
    const ok = await send(emu.url, signedRequest({ key: temporary, body: BODY, timestamp: ts, overrides: { Authorization } }));
    assert.equal(typeof ok.json.Response.TaskId, 'number');
  });

  test('X-TC-Content-SHA256: UNSIGNED-PAYLOAD hashes the words, not the body', async () => {
    const headers = { 'Content-Type': 'application/json', Host: 'cvm.tencentcloudapi.com' };
    const Authorization = signGeneric({ headers, list: ['content-type', 'host'], unsigned: true });
    const unsigned = (extra) => send(emu.url, signedRequest({ body: BODY, overrides: { Authorization, ...extra } }));
    assert.equal(typeof (await unsigned({ 'X-TC-Content-SHA256': 'UNSIGNED-PAYLOAD' })).json.Response.TaskId, 'number');
    assert.equal((await unsigned({})).json.Response.Error.Code, 'AuthFailure.SignatureFailure');
  });
});

describe('temporary credentials', () => {
  test('a temporary key requires its own X-TC-Token', async () => {
    assert.equal(code(await call(emu.url, { body: BODY, key: temporary })), 'Success');
    assert.equal(code(await call(emu.url, { body: BODY, key: temporary, token: null })), 'AuthFailure.TokenFailure');
    assert.equal(code(await call(emu.url, { body: BODY, key: temporary, token: 'stolen' })), 'AuthFailure.TokenFailure');
  });

  test('a permanent key with an unknown token → AuthFailure.TokenFailure; with a known one it passes', async () => {
    assert.equal(code(await call(emu.url, { body: BODY, token: 'made-up' })), 'AuthFailure.TokenFailure');
    assert.equal(code(await call(emu.url, { body: BODY, token: temporary.token })), 'Success');
  });

  test('a bad signature is reported before a missing token', async () => {
    const r = await call(emu.url, { body: BODY, key: { ...temporary, secretKey: 'wrong' }, token: null });
    assert.equal(code(r), 'AuthFailure.SignatureFailure');
  });
});

describe('action, version, region, body', () => {
  const cases = [
    ['no X-TC-Action', { overrides: { 'X-TC-Action': undefined } }, 'MissingParameter'],
    ['unknown action', { action: 'RunInstances' }, 'InvalidAction'],
    ['no X-TC-Version', { overrides: { 'X-TC-Version': undefined } }, 'MissingParameter'],
    ['other version', { version: '2022-03-01' }, 'NoSuchVersion'],
    ['no X-TC-Region', { region: null, overrides: { 'X-TC-Region': undefined } }, 'MissingParameter'],
    ['unknown region', { region: 'mars-north-1' }, 'UnsupportedRegion'],
    ['body not JSON', { body: '{"ImageIds":' }, 'InvalidParameter'],
    ['body a JSON array', { body: '[1,2]' }, 'InvalidParameter'],
    ['empty body', { body: '' }, 'InvalidParameter'],
  ];
  for (const [name, opts, expected] of cases) {
    test(`${name} → ${expected}`, async () => {
      assert.equal(code(await call(emu.url, { body: BODY, ...opts })), expected);
    });
  }

  test('every financial and overseas seeded region is accepted', async () => {
    for (const region of ['ap-shanghai-fsi', 'ap-singapore', 'na-siliconvalley']) {
      assert.equal(code(await call(emu.url, { body: { ...BODY, DryRun: true }, region })), 'DryRunOperation', region);
    }
  });
});
