// Who may call the example Worker (issue #16), in workerd via Miniflare: every route except the
// CORS preflight verifies Cloudflare Access's `Cf-Access-Jwt-Assertion` against the team's keys
// (here the emulator's Access stand-in, emulator/access.js). A token that is missing, signed by
// another key, unsigned (`alg: none`), expired, for another application (`aud`), from another
// team (`iss`) or naming a key the team does not have (`kid`) is 401 Worker.Unauthenticated,
// and nothing reaches the CVM or COS stand-ins. Without the Access settings the Worker refuses
// every route (fail closed).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { startEmulator } from '../../emulator/server.js';
import { buildExampleWorker, EXAMPLE_DURABLE_OBJECTS, exampleBindings, ledger, ORIGIN, post, request, startWorker } from './support/worker.js';

const GOOD = { BucketName: 'backup-1250000000', ImageIds: ['img-72n9mi0y'] };
let emu;
let worker;
let mf;
const output = [];
const started = []; // every Miniflare, disposed at the end

const bindings = (extra = {}) => exampleBindings(emu, extra);

async function start(b) {
  const m = await startWorker(worker.scriptPath, b, { output, options: { durableObjects: EXAMPLE_DURABLE_OBJECTS } });
  started.push(m);
  return m;
}

before(async () => {
  emu = await startEmulator({ port: 0 });
  worker = await buildExampleWorker();
  mf = await start(bindings());
});

after(async () => {
  for (const m of started) await m.dispose();
  await emu?.close();
  await worker?.cleanup();
});

const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Every route, with `token`: the answers. */
async function everyRoute(target, token) {
  return [
    await post(target, GOOD, { token }),
    await request(target, 'GET', '/exports', { token }),
    await request(target, 'GET', '/exports/105591590', { token }),
  ];
}

describe('a caller without a valid Access token', () => {
  test('is refused 401 Worker.Unauthenticated on every route, and nothing reaches CVM or COS', async () => {
    const otherKey = (await generateKeyPair('RS256')).privateKey;
    const cases = {
      'no token': null,
      'not a JWT': 'not-a-token',
      'signed by another key (same kid)': await emu.access.sign({}, { key: otherKey }),
      'alg: none': `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: emu.access.issuer, aud: [emu.access.aud], email: 'x@example.com', exp: now() + 600 })}.`,
      'HS256 with the public key as secret': await new SignJWT({ iss: emu.access.issuer, aud: [emu.access.aud], email: 'x@example.com', exp: now() + 600 })
        .setProtectedHeader({ alg: 'HS256', kid: emu.access.kid }).sign(new TextEncoder().encode(JSON.stringify(emu.access.jwks().keys[0]))),
      'expired (beyond the 60 s leeway)': await emu.access.sign({ exp: now() - 120, iat: now() - 3600, nbf: now() - 3600 }),
      'not valid yet (beyond the 60 s leeway)': await emu.access.sign({ nbf: now() + 600 }),
      'wrong aud': await emu.access.sign({ aud: ['another-application'] }),
      'wrong iss': await emu.access.sign({ iss: 'https://other-team.cloudflareaccess.com' }),
      'unknown kid': await emu.access.sign({}, { header: { kid: 'not-a-key-of-the-team' }, key: otherKey }),
      'no identity (neither email nor common_name)': await emu.access.sign({ email: undefined }),
      'no exp': await emu.access.sign({ exp: undefined }),
    };
    const before = await ledger(emu);
    for (const [name, token] of Object.entries(cases)) {
      for (const r of await everyRoute(mf, token)) {
        assert.equal(r.status, 401, `${name}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, 'Worker.Unauthenticated', name);
        assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN, 'the page can read why');
      }
    }
    const now_ = await ledger(emu);
    assert.equal(now_.requests.total, before.requests.total, 'no request reached the CVM stand-in');
    assert.equal(now_.cos.total, before.cos.total, 'no request reached the COS stand-in');
    assert.equal(now_.taskCount, before.taskCount);
  });

  test('the valid token of the same team is accepted, within the 60 s leeway too', async () => {
    const fresh = await post(mf, GOOD, { token: await emu.access.sign({ email: 'valid@example.com' }) });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    const late = await post(mf, GOOD, { token: await emu.access.sign({ email: 'valid@example.com', exp: now() - 20 }) });
    assert.equal(late.status, 200, 'expired 20 s ago: within the leeway for clock skew');
  });

  test('a service token (common_name, empty email) is a caller of its own', async () => {
    const svc = await emu.access.sign({ email: '', common_name: 'a1b2c3.access' });
    const r = await post(mf, GOOD, { token: svc, origin: null });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const list = await request(mf, 'GET', '/exports', { token: svc, origin: null });
    assert.deepEqual(list.body.exports.map((e) => e.TaskId), [r.body.TaskId]);
  });

  test("a service token named like a user's email is not that user", async () => {
    const user = await emu.access.sign({ email: 'owner@example.com' });
    const mine = await post(mf, GOOD, { token: user });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    const impostor = await emu.access.sign({ email: '', common_name: 'Owner@example.com' });
    const list = await request(mf, 'GET', '/exports', { token: impostor, origin: null });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.exports, [], "the user's exports are not the service token's");
    const one = await request(mf, 'GET', `/exports/${mine.body.TaskId}`, { token: impostor, origin: null });
    assert.equal(one.status, 404);
    const own = await request(mf, 'GET', '/exports', { token: user });
    assert.deepEqual(own.body.exports.map((e) => e.TaskId), [mine.body.TaskId]);
  });

  test('the preflight needs no token and allows the Cf-Access-Jwt-Assertion header', async () => {
    for (const path of ['/export-images', '/exports', '/exports/1']) {
      const r = await request(mf, 'OPTIONS', path, { headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'cf-access-jwt-assertion' } });
      assert.equal(r.status, 204, path);
      assert.match(r.headers.get('access-control-allow-headers'), /Cf-Access-Jwt-Assertion/i);
    }
  });

  test("the team's keys are fetched once and cached, not per request", async () => {
    const before = emu.access.certsFetches;
    const t = await emu.access.sign({ email: 'cache@example.com' });
    for (let i = 0; i < 5; i++) assert.equal((await request(mf, 'GET', '/exports', { token: t })).status, 200);
    assert.equal(emu.access.certsFetches, before, 'no fetch of the certs for known keys');
  });

  test('no Access token appears in a log line', async () => {
    await new Promise((ok) => setTimeout(ok, 100));
    const t = await emu.access.sign({ email: 'log@example.com', exp: now() - 3600 });
    await post(mf, GOOD, { token: t });
    await new Promise((ok) => setTimeout(ok, 200));
    const log = output.join('');
    assert.match(log, /unauthenticated request refused: ERR_JWT_EXPIRED/);
    assert.equal(log.includes(t), false);
    assert.equal(log.includes(t.split('.')[2]), false, 'not even the signature');
  });
});

describe('fail closed', () => {
  test('without ACCESS_TEAM_DOMAIN or ACCESS_AUD, or with http:// to a non-loopback host, every route is 500 Worker.NotConfigured', async () => {
    const token = await emu.access.sign();
    const broken = {
      'no team domain': bindings({ ACCESS_TEAM_DOMAIN: '' }),
      'no AUD': bindings({ ACCESS_AUD: '' }),
      'http:// to a public host': bindings({ ACCESS_TEAM_DOMAIN: 'http://team.cloudflareaccess.com' }),
      'not a URL': bindings({ ACCESS_TEAM_DOMAIN: 'team.cloudflareaccess.com' }),
    };
    const before = await ledger(emu);
    for (const [name, b] of Object.entries(broken)) {
      const m = await start(b);
      for (const r of await everyRoute(m, token)) {
        assert.equal(r.status, 500, `${name}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, 'Worker.NotConfigured', name);
      }
      const pre = await request(m, 'OPTIONS', '/exports', { headers: { 'Access-Control-Request-Method': 'GET' } });
      assert.equal(pre.status, 500, `${name}: the preflight too`);
    }
    // (COS is not compared here: the exports of the tests above are still being watched.)
    assert.equal((await ledger(emu)).requests.total, before.requests.total, 'no request reached the CVM stand-in');
  });
});

// Last: it rotates the emulator's key, which every Worker started earlier would have to refetch.
describe('key rotation', () => {
  test('a key rotation: a token naming a new kid makes the Worker fetch the certs again (after jose\'s 30 s cooldown)', { timeout: 60_000 }, async () => {
    const m = await start(bindings());
    const before = emu.access.certsFetches;
    assert.equal((await request(m, 'GET', '/exports', { token: await emu.access.sign({ email: 'rot@example.com' }) })).status, 200);
    assert.equal(emu.access.certsFetches, before + 1, 'fetched once, then cached');
    await emu.access.rotate();
    const rotated = await emu.access.sign({ email: 'rot@example.com' });
    // Within the cooldown a made-up kid cannot make the Worker fetch again (no amplification)...
    assert.equal((await request(m, 'GET', '/exports', { token: rotated })).status, 401);
    assert.equal(emu.access.certsFetches, before + 1);
    // ...after it, an unknown kid is looked up: the new key is found.
    await new Promise((ok) => setTimeout(ok, 31_000));
    assert.equal((await request(m, 'GET', '/exports', { token: rotated })).status, 200);
    assert.equal(emu.access.certsFetches, before + 2);
  });
});
