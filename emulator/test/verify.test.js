// The emulator's verifier against the reference vectors: the generic canonical-request builder
// reproduces every vector stage, the official signer agrees, and each ExportImages vector's exact
// request is accepted over HTTP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { startEmulator } from '../server.js';
import { send } from '../signed_client.js';
import { canonicalRequest, parseAuthorization, sha256Hex, signature, stringToSign, verifySignature } from '../verify.js';

const VECTORS = JSON.parse(readFileSync(new URL('../../tests/fixtures/tc3-vectors.json', import.meta.url), 'utf8')).cases;
const Sign = createRequire(import.meta.url)('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js').default;

/** The request a vector describes, as the verifier sees it (lowercased header names). */
function vectorRequest({ input }) {
  return {
    method: input.method, rawQuery: input.query, body: Buffer.from(input.payload),
    headers: { 'content-type': input.contentType, host: input.host, 'x-tc-action': input.action },
  };
}

test('doc-v3-current: the generic builder reproduces the canonical request, string to sign and signature', () => {
  const v = VECTORS.find((c) => c.name === 'doc-v3-current');
  const req = vectorRequest(v);
  const canonical = canonicalRequest({
    method: req.method, query: req.rawQuery, headers: req.headers,
    signedHeaders: v.input.signedHeaders.split(';'), hashedPayload: sha256Hex(req.body),
  });
  assert.equal(canonical, v.expected.canonicalRequest);
  assert.equal(stringToSign({ timestamp: v.input.timestamp, service: 'cvm', canonical }), v.expected.stringToSign);
  assert.equal(signature({ secretKey: v.input.secretKey, timestamp: v.input.timestamp, service: 'cvm', canonical }), v.expected.signature);
  const auth = parseAuthorization(v.expected.authorization);
  assert.deepEqual(auth.signedHeaders, ['content-type', 'host', 'x-tc-action']);
  assert.equal(verifySignature({ auth, secretKey: v.input.secretKey, timestamp: v.input.timestamp, req, hosts: ['cvm.tencentcloudapi.com'] }), 'cvm.tencentcloudapi.com');
  assert.equal(verifySignature({ auth, secretKey: 'wrong', timestamp: v.input.timestamp, req, hosts: ['cvm.tencentcloudapi.com'] }), null);
});

for (const v of VECTORS) {
  test(`vector ${v.name}: generic builder, official signer and verifier agree`, () => {
    const req = vectorRequest(v);
    const { timestamp, secretKey } = v.input;
    const canonical = canonicalRequest({
      method: req.method, query: req.rawQuery, headers: req.headers,
      signedHeaders: v.input.signedHeaders.split(';'), hashedPayload: sha256Hex(req.body),
    });
    assert.equal(canonical, v.expected.canonicalRequest);
    assert.equal(signature({ secretKey, timestamp, service: 'cvm', canonical }), v.expected.signature);
    if (v.input.signedHeaders === 'content-type;host') {
      const official = Sign.sign3({
        method: v.input.method, url: `https://${v.input.host}/${v.input.query ? `?${v.input.query}` : ''}`, payload: req.body,
        timestamp, service: 'cvm', secretId: v.input.secretId, secretKey, headers: { 'Content-Type': v.input.contentType },
      });
      assert.equal(official, v.expected.authorization);
    }
    const auth = parseAuthorization(v.expected.authorization);
    assert.equal(verifySignature({ auth, secretKey, timestamp, req, hosts: ['127.0.0.1', v.input.host] }), v.input.host);
  });
}

test('the generic builder lowercases x-tc-action only, or every value when asked', () => {
  const base = { method: 'POST', headers: { 'content-type': ' Application/JSON ', host: 'H', 'x-tc-action': 'ExportImages' }, signedHeaders: ['x-tc-action', 'host', 'content-type'], hashedPayload: 'p' };
  assert.equal(canonicalRequest(base), 'POST\n/\n\ncontent-type:Application/JSON\nhost:H\nx-tc-action:exportimages\n\ncontent-type;host;x-tc-action\np');
  assert.equal(canonicalRequest({ ...base, lowerValues: true }).split('\n')[3], 'content-type:application/json');
});

test('parseAuthorization refuses other forms', () => {
  for (const bad of ['', 'TC3-HMAC-SHA256', 'HMAC-SHA1 Credential=a/2024-01-01/cvm/tc3_request, SignedHeaders=host, Signature=' + 'a'.repeat(64),
    'TC3-HMAC-SHA256 Credential=a/2024-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature=xyz']) {
    assert.equal(parseAuthorization(bad), null, bad);
  }
});

test('each ExportImages vector, sent exactly, is accepted by the emulator at the vector time', async () => {
  let now = 0;
  const emu = await startEmulator({ clock: () => now });
  const expected = {
    'export-images-seed-example': (r) => assert.equal(r.TaskId, 105591590),
    'export-images-unicode-prefix': (r) => assert.deepEqual(r.CosPaths, ['/镜像备份_img-abcd1234_system_snap-abcdsys0.qcow2', '/night/ly_img-0000ffff_system_snap-0000fsys.qcow2']),
    'utc-date-boundary': (r) => assert.deepEqual(r.CosPaths, ['/img-72n9mi0y_system_snap-72n9sys0.raw', '/img-72n9mi0y_data_snap-72n9dat1.raw']),
    'after-2038': (r) => assert.equal(r.Error.Code, 'DryRunOperation'),
    'intl-endpoint': (r) => assert.deepEqual(r.CosPaths, ['/img-72n9mi0y_system_snap-72n9sys0.vmdk', '/img-72n9mi0y_data_snap-72n9dat1.vmdk']),
    'get-form': (r) => assert.equal(typeof r.TaskId, 'number'),
  };
  try {
    for (const [name, check] of Object.entries(expected)) {
      const { input, expected: out } = VECTORS.find((c) => c.name === name);
      now = input.timestamp * 1000;
      emu.state.reset();
      const headers = {
        Authorization: out.authorization, 'Content-Type': input.contentType, 'X-TC-Action': input.action,
        'X-TC-Version': input.version, 'X-TC-Timestamp': String(input.timestamp), 'X-TC-Region': input.region,
        ...(input.token ? { 'X-TC-Token': input.token } : {}),
      };
      const r = await send(emu.url, { method: input.method, path: `/${input.query ? `?${input.query}` : ''}`, headers, body: Buffer.from(input.payload) });
      check(r.json.Response);
      assert.equal(new Date(r.headers.date).getTime(), now, 'Date is the server clock');
    }
  } finally {
    await emu.close();
  }
});
