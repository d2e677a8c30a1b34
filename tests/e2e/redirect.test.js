// Issue #17, item 4, in a real browser (Debian chromium via playwright-core): a redirect from
// the API endpoint or from COS is never followed. With `redirect: "manual"` Chromium hands the
// page an opaque redirect (type "opaqueredirect", status 0 — the real code is hidden from
// scripts), which tc3-edge reports as Client.HttpStatus without httpCode, not retried; the
// Location's server receives nothing (neither the signature nor the session token).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startEmulator } from '../../emulator/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-quic'];

let emu;
let browser;
let target;
let redirector;

/** A server on loopback that records requests; CORS open (the page is on another origin). */
async function server(handle) {
  const hits = [];
  const s = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD, POST', 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*' }).end();
      return;
    }
    hits.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    handle(req, res);
  });
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${s.address().port}/`, hits, close: () => new Promise((ok) => { s.close(() => ok()); s.closeAllConnections(); }) };
}

before(async () => {
  emu = await startEmulator({ port: 0 });
  target = await server((req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"Response":{"RequestId":"stolen"}}'));
  redirector = await server((req, res) => res.writeHead(307, { Location: `${target.url}steal${req.url}` }).end());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
});

after(async () => {
  await browser?.close();
  await redirector?.close();
  await target?.close();
  await emu?.close();
});

test('Chromium: a redirect from the API or COS is Client.HttpStatus (opaque: no httpCode), not followed, not retried', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${emu.url}pkg/package.json`); // any page of the emulator's origin
    const results = await page.evaluate(async ({ pkg, endpoint }) => {
      const { CvmClient } = await import(pkg);
      const c = new CvmClient({
        credential: { secretId: 'AKIDredirect0000000000000000000000', secretKey: 'redirect-secret-key-000000000000', token: 'session-token-SECRET-0123456789' },
        region: 'ap-guangzhou',
        profile: { httpProfile: { endpoint }, cosEndpoint: `${endpoint}cos/{Bucket}` },
      });
      const seen = (e) => ({ code: e.code, httpCode: e.httpCode ?? null, message: e.message });
      return [
        await c.request('DescribeImages', {}).then(() => null, seen),
        await c.ExportImages({ BucketName: 'backup-1250000000', ImageIds: ['img-72n9mi0y'] }).then(() => null, seen),
        await c.checkExportFiles({ BucketName: 'backup-1250000000', CosPaths: ['/a.qcow2'] }).then(() => null, seen),
      ];
    }, { pkg: `${emu.url}pkg/browser.js`, endpoint: redirector.url });
    for (const r of results) {
      assert.ok(r, 'rejected');
      assert.equal(r.code, 'Client.HttpStatus', r.message);
      assert.equal(r.httpCode, null, 'an opaque redirect hides its status');
      assert.match(r.message, /redirects are not followed/);
    }
    assert.equal(redirector.hits.length, 3, 'one request each: not retried');
    assert.equal(target.hits.length, 0, 'the Location received nothing');
  } finally {
    await page.close();
  }
});
