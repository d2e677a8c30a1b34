// The Cloudflare Access stand-in (access.js): its certs are a JWKS that verifies the tokens it
// hands out (checked with jose, as the example Worker checks them); the dev-token route answers
// loopback callers only and cannot be read cross-origin; /__demo/config says where the Worker runs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ACCESS_AUD, isLoopback, TEST_USER } from '../access.js';
import { startEmulator } from '../server.js';

let emu;
before(async () => { emu = await startEmulator({ workerUrl: 'http://127.0.0.1:8788' }); });
after(() => emu.close());

test('the dev token verifies against the certs: RS256, iss = the emulator origin, aud = ACCESS_AUD, the test user', async () => {
  const certs = await (await fetch(new URL('/cdn-cgi/access/certs', emu.url))).json();
  assert.equal(certs.keys.length, 1);
  assert.equal(certs.keys[0].d, undefined, 'no private part');
  const res = await fetch(new URL('/__access/token', emu.url));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), null, 'not readable by another origin');
  const t = await res.json();
  assert.equal(t.header, 'Cf-Access-Jwt-Assertion');
  const { payload, protectedHeader } = await jwtVerify(t.token, createLocalJWKSet(certs), {
    algorithms: ['RS256'], issuer: emu.url.slice(0, -1), audience: ACCESS_AUD,
  });
  assert.equal(protectedHeader.kid, certs.keys[0].kid);
  assert.equal(payload.email, TEST_USER);
  assert.ok(payload.exp > payload.iat);
  const other = await (await fetch(new URL('/__access/token?email=ops@example.com', emu.url))).json();
  assert.equal(other.email, 'ops@example.com');
  assert.equal((await fetch(new URL('/__access/token?email=not-an-email', emu.url))).status, 400);
});

test('the dev-token route is for loopback callers only', () => {
  for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.2']) assert.equal(isLoopback(a), true, a);
  for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', '2001:db8::1', undefined]) assert.equal(isLoopback(a), false, String(a));
});

test('/__demo/config names the Worker beside the emulator', async () => {
  const c = await (await fetch(new URL('/__demo/config', emu.url))).json();
  assert.deepEqual(c, { workerUrl: 'http://127.0.0.1:8788', accessTokenUrl: '/__access/token', accessHeader: 'Cf-Access-Jwt-Assertion' });
});
