// tc3-edge installed from its tarball, bundled by Vite (production build, `browser` condition:
// top-level await + `new URL("….wasm", import.meta.url)`), served statically and run in headless
// Chromium, where it makes ONE signed ExportImages request to the emulator (cross-origin, CORS).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { build, createServer } from 'vite';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { installPackedPackage } from './support/pack.js';
import { serveStatic } from './support/static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const MAIN = `
import { CvmClient, TencentCloudError } from "tc3-edge";

const q = new URLSearchParams(location.search);
const out = document.getElementById("out");
try {
  const client = new CvmClient({
    credential: { secretId: q.get("id"), secretKey: q.get("key") },
    region: "ap-guangzhou",
    profile: { httpProfile: { endpoint: q.get("endpoint") } },
  });
  let validation;
  try { client.validateExportImages({ BucketName: "backup-1250000000", ImageIds: ["nope"] }); }
  catch (e) { validation = { isTce: e instanceof TencentCloudError, code: e.code, field: e.field }; }
  const res = await client.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-abcd1234"], FileNamePrefixList: ["vite"] });
  window.__result = { ok: true, res, validation };
} catch (e) {
  window.__result = { ok: false, code: e.code, message: e.message };
}
out.textContent = JSON.stringify(window.__result);
`;

const HTML = `<!doctype html><html><head><meta charset="utf-8"><title>tc3-edge vite</title></head>
<body><pre id="out">loading…</pre><script type="module" src="./main.js"></script></body></html>`;

let emu;
let installed;
let site;
let browser;
let outDir;
let root;

before(async () => {
  emu = await startEmulator({ port: 0 });
  installed = await installPackedPackage('tc3-edge-vite-');
  root = join(installed.dir, 'web');
  await mkdir(root);
  await writeFile(join(root, 'index.html'), HTML);
  await writeFile(join(root, 'main.js'), MAIN);
  outDir = join(installed.dir, 'dist');
  await build({
    root,
    configFile: false,
    logLevel: 'silent',
    base: './',
    build: { outDir, emptyOutDir: true, target: 'es2022' }, // top-level await needs es2022
  });
  site = await serveStatic(outDir);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await emu?.close();
  await installed?.cleanup();
});

async function runPage(url) {
  const page = await browser.newPage();
  const wasmResponses = [];
  page.on('response', (r) => { if (r.url().endsWith('.wasm')) wasmResponses.push({ status: r.status(), type: r.headers()['content-type'] }); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const q = new URLSearchParams({ id: CREDENTIALS.permanent.secretId, key: CREDENTIALS.permanent.secretKey, endpoint: emu.url });
  try {
    await page.goto(`${url}?${q}`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 20_000 });
    return { result: await page.evaluate(() => window.__result), wasmResponses, errors };
  } finally {
    await page.close();
  }
}

async function assertOneExport(before, result) {
  const l = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  assert.equal(l.taskCount, before.taskCount + 1, 'exactly one task');
  assert.equal(l.requests.total, before.requests.total + 1, 'exactly one API request');
  const task = l.tasks.find((x) => x.TaskId === result.res.TaskId);
  assert.ok(task);
  assert.equal(task.RequestId, result.res.RequestId);
  assert.deepEqual(task.FileNamePrefixList, ['vite']);
  assert.equal(l.recent.at(-1).code, 'Success');
}

test('Vite build → Chromium: one signed ExportImages accepted by the emulator', { timeout: 45_000 }, async (t) => {
  const assets = readdirSync(join(outDir, 'assets'));
  const wasm = assets.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `Vite emitted the wasm as an asset: ${assets.join(', ')}`);

  const before = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  const { result, wasmResponses, errors } = await runPage(site.url);
  assert.deepEqual(errors, []);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(result.validation, { isTce: true, code: 'InvalidImageId.Malformed', field: 'ImageIds.0' });
  assert.deepEqual(wasmResponses, [{ status: 200, type: 'application/wasm' }]);
  await assertOneExport(before, result);
  t.diagnostic(`vite: TaskId ${result.res.TaskId}, assets ${assets.join(', ')}`);
  assert.ok(existsSync(join(outDir, 'index.html')));
});

test('Vite dev server (dependency pre-bundling) → Chromium: one signed ExportImages', { timeout: 45_000 }, async () => {
  const server = await createServer({ root, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0, hmr: false } });
  try {
    await server.listen();
    const before = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
    const { result, wasmResponses, errors } = await runPage(server.resolvedUrls.local[0]);
    assert.deepEqual(errors, []);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(wasmResponses, [{ status: 200, type: 'application/wasm' }]);
    await assertOneExport(before, result);
  } finally {
    await server.close();
  }
});
