// HTTP surface: CORS (a page on another origin calls the API), Date, routing, static files with
// the right MIME types and no way out of their roots, and the CLI's start and clean stop.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../server.js';
import { call, send } from '../signed_client.js';

const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
let emu;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tc3-emu-'));
  mkdirSync(join(dir, 'www/sub'), { recursive: true });
  mkdirSync(join(dir, 'pkg'));
  writeFileSync(join(dir, 'www/index.html'), '<!doctype html><title>demo</title>');
  writeFileSync(join(dir, 'www/app.js'), 'export {};');
  writeFileSync(join(dir, 'www/sub/index.html'), 'sub');
  writeFileSync(join(dir, 'pkg/tc3_edge_bg.wasm'), WASM);
  writeFileSync(join(dir, 'pkg/tc3_edge.mjs'), 'export {};');
  writeFileSync(join(dir, 'pkg/tc3_edge.d.ts'), 'export {};');
  writeFileSync(join(dir, 'secret.txt'), 'SECRET');
  emu = await startEmulator({ staticRoots: { '/': join(dir, 'www'), '/pkg/': join(dir, 'pkg') } });
});
after(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

test('OPTIONS preflight → 204 with the CORS headers a signed browser call needs', async () => {
  const r = await fetch(emu.url, {
    method: 'OPTIONS',
    headers: { Origin: 'https://console.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-tc-action,x-tc-token' },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
  const allowed = r.headers.get('access-control-allow-headers').toLowerCase().split(', ');
  for (const h of ['authorization', 'content-type', 'x-tc-action', 'x-tc-version', 'x-tc-timestamp', 'x-tc-region', 'x-tc-token', 'x-tc-language', 'x-tc-requestclient', 'x-tc-content-sha256']) {
    assert.ok(allowed.includes(h), h);
  }
  assert.equal(r.headers.get('access-control-expose-headers'), 'Date');
});

test('every response carries CORS and Date: API, static, admin, 404', async () => {
  const responses = [
    await call(emu.url, { action: 'DescribeImages', body: {} }),
    await send(emu.url, { method: 'GET', path: '/' }),
    await send(emu.url, { method: 'GET', path: '/__admin/ledger' }),
    await send(emu.url, { method: 'GET', path: '/missing.js' }),
  ];
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 404]);
  for (const r of responses) {
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.ok(Math.abs(Date.parse(r.headers.date) - Date.now()) < 5000);
  }
  assert.match(responses[0].headers['content-type'], /^application\/json/);
});

test('routing: GET / is the page unless X-TC-Action is present; POST elsewhere is 404', async () => {
  assert.match((await send(emu.url, { method: 'GET', path: '/' })).text, /<title>demo/);
  const api = await send(emu.url, { method: 'GET', path: '/', headers: { 'X-TC-Action': 'DescribeImages' } });
  assert.equal(api.json.Response.Error.Code, 'AuthFailure.InvalidAuthorization');
  assert.equal((await send(emu.url, { method: 'POST', path: '/' })).json.Response.Error.Code, 'AuthFailure.InvalidAuthorization');
  assert.equal((await send(emu.url, { method: 'POST', path: '/api' })).status, 404);
  assert.equal((await send(emu.url, { method: 'PUT', path: '/' })).status, 404);
});

test('static files get their MIME types (application/wasm, text/javascript)', async () => {
  const cases = [
    ['/', 'text/html'], ['/app.js', 'text/javascript'], ['/sub/', 'text/html'],
    ['/pkg/tc3_edge.mjs', 'text/javascript'], ['/pkg/tc3_edge_bg.wasm', 'application/wasm'], ['/pkg/tc3_edge.d.ts', 'text/plain'],
  ];
  for (const [path, mime] of cases) {
    const r = await fetch(emu.url + path.slice(1));
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get('content-type').split(';')[0], mime, path);
  }
  const wasm = await fetch(`${emu.url}pkg/tc3_edge_bg.wasm`);
  assert.deepEqual(Buffer.from(await wasm.arrayBuffer()), WASM);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm'); // exactly: instantiateStreaming checks it
  const head = await fetch(`${emu.url}app.js`, { method: 'HEAD' });
  assert.equal(head.headers.get('content-length'), '10');
});

test('no directory traversal out of the roots, however encoded', async () => {
  for (const path of ['/../secret.txt', '/pkg/../../secret.txt', '/pkg/..%2f..%2fsecret.txt', '/pkg/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt', '/pkg/%2e%2e%2fsecret.txt', '/pkg/..\\secret.txt', '/%2Fetc%2Fpasswd', '/pkg/%00', '/%E0%A4%A']) {
    const r = await send(emu.url, { method: 'GET', path });
    assert.equal(r.status, 404, path);
    assert.ok(!r.text.includes('SECRET'), path);
  }
});

test('cli: prints its URL, serves, and exits 0 on SIGTERM', async () => {
  const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli, '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = await once(child.stdout, 'data');
    const m = /^tc3-edge emulator listening on (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(line.toString());
    assert.ok(m, line.toString());
    assert.equal((await fetch(`${m[1]}__admin/ledger`)).status, 200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
