// The demo's Files panel (issue #11) in Chromium, against the emulator (CVM API + COS): after an
// export, waitForExport polls the files in the page; each goes pending -> ready, the progress
// bar fills, and the Download button fetches the emulator's bytes through a presigned link that
// never enters the DOM. Cancel aborts the wait: no request leaves the page after it.
// Run from the repository root: node --test tests/e2e/export-files.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { startEmulator } from '../../emulator/server.js';
import { CREDENTIALS } from '../../emulator/account.js';
import { objectBody } from '../../emulator/cos.js';
import { emulatorAdmin } from './support/page.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic',
];
const TEST_TIMEOUT = 60_000;
const BUCKET = 'backup-1250000000';
const TEMPORARY = CREDENTIALS.temporary;
const POLL = { polling: 100 };
const tid = (id) => `[data-testid="${id}"]`;

let emu;
let browser;
let pkgSnapshot;

/** A copy of pkg/ whose glue and wasm belong together (pkg/gen may be rebuilt meanwhile). */
async function snapshotPkg() {
  const deadline = Date.now() + 90_000;
  const check = `
    const { CvmClient } = await import(${JSON.stringify('./node.js')});
    const c = new CvmClient({ credential: { secretId: 'AKIDcheck', secretKey: 'check' }, region: 'ap-guangzhou' });
    if (typeof c.waitForExport !== 'function') throw new Error('no waitForExport');
    c.signExportImages({ BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'] }, 1700000000);`;
  for (;;) {
    const dir = await mkdtemp(join(tmpdir(), 'tc3-edge-e2e-files-pkg-'));
    await cp(join(ROOT, 'pkg'), dir, { recursive: true });
    await writeFile(join(dir, 'check.mjs'), check);
    const problem = await promisify(execFile)(process.execPath, [join(dir, 'check.mjs')], { timeout: 20_000 })
      .then(() => null, (e) => String(e.stderr || e.message));
    await rm(join(dir, 'check.mjs'), { force: true });
    if (!problem) return dir;
    await rm(dir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`pkg/ does not load (being rebuilt? run scripts/build.sh): ${problem}`);
    await sleep(3000);
  }
}

before(async () => {
  pkgSnapshot = await snapshotPkg();
  emu = await startEmulator({ port: 0, staticRoots: { '/': join(ROOT, 'www'), '/pkg/': pkgSnapshot } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 });
}, { timeout: 120_000 });

after(async () => {
  await Promise.allSettled([browser?.close(), emu?.close(), pkgSnapshot && rm(pkgSnapshot, { recursive: true, force: true })]);
});

const { admin, ledger, setExportMs } = emulatorAdmin(() => emu.url);

/** Opens the page (fresh context, reset emulator) and runs `fn(page, requests)`. */
async function withPage(exportMs, fn) {
  await admin('/__admin/reset', { method: 'POST' });
  await setExportMs(exportMs);
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
  const requests = [];
  const pageErrors = [];
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => pageErrors.push(String(e?.stack ?? e)));
    page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), at: Date.now() }));
    await page.goto(emu.url, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector(`${tid('app-status')}[data-state="ready"]`);
    await page.waitForSelector(`${tid('images-status')}[data-state="loaded"]`);
    await fn(page, requests);
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  } finally {
    await context.close().catch(() => {});
  }
}

/** Ticks two images (system disks only: one file each) and clicks Export. */
async function exportTwo(page) {
  for (const id of ['img-pq5pau1w', 'img-0000ffff']) await page.locator(`${tid('image-checkbox')}[data-image-id="${id}"]`).check();
  await page.locator(tid('only-root-disk')).check();
  await page.waitForSelector(`${tid('validity')}[data-valid="true"]`);
  await page.click(tid('export-button'));
  await page.waitForSelector(`${tid('result')}[data-state="success"]`);
  return page.locator(tid('result-cos-path')).allTextContents();
}

const cosRequests = (requests) => requests.filter((r) => new URL(r.url).pathname.startsWith('/cos/'));

test('export two images: both files go pending -> ready with progress, and Download returns the bytes', { timeout: TEST_TIMEOUT }, async () => {
  // 12 s: file 0 appears at 6 s, file 1 at 12 s; the demo polls at least every 5 s, so 1 of 2 is seen.
  await withPage(12_000, async (page, requests) => {
    // Temporary credentials: the session token must reach COS, yet never the page's DOM.
    await page.fill(tid('secret-id'), TEMPORARY.secretId);
    await page.fill(tid('secret-key'), TEMPORARY.secretKey);
    await page.fill(tid('token'), TEMPORARY.token);
    const paths = await exportTwo(page);
    assert.equal(paths.length, 2);

    // The entry appears with both files pending, then each turns ready.
    const entry = tid('export-entry');
    await page.waitForSelector(`${entry}[data-state="exporting"]`);
    const rows = page.locator(`${entry} ${tid('file-row')}`);
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.key)), paths);
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.state)), ['pending', 'pending']);
    assert.equal(await page.locator(`${entry} ${tid('entry-count')}`).textContent(), '0 of 2 files ready');
    // Sample the entry until it is done: ready counts never go down, and 1 of 2 is seen.
    const seen = [];
    while ((await page.getAttribute(entry, 'data-state')) === 'exporting') {
      seen.push(Number(await page.getAttribute(entry, 'data-ready') ?? 0));
      await sleep(100);
    }
    assert.equal(await page.getAttribute(entry, 'data-state'), 'ready', await page.locator(`${entry} ${tid('entry-status')}`).textContent());
    assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]), `ready never decreases: ${seen}`);
    assert.ok(seen.includes(1), `1 of 2 was shown on the way: ${seen}`);
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.state)), ['ready', 'ready']);
    assert.equal(await page.locator(`${entry} ${tid('entry-count')}`).textContent(), '2 of 2 files ready');
    assert.equal(await page.locator(`${entry} ${tid('entry-status')}`).textContent(), `All 2 files are in ${BUCKET}.`);
    assert.equal(await page.locator(`${entry} ${tid('entry-progress')}`).evaluate((p) => [p.value, p.max].join('/')), '2/2');
    assert.match(await page.locator(`${entry} ${tid('entry-elapsed')}`).textContent(), /^\d+ s$/);
    assert.equal(await page.locator(`${entry} ${tid('entry-cancel')}`).count(), 0, 'nothing to cancel once ready');

    // The polls were signed COS requests that carried the token (listings: the page asks the
    // waiter for probe: "list", so a pending file is not a 404 in the console).
    const cos = (await ledger()).cos.recent;
    assert.ok(cos.some((r) => r.method === 'GET' && r.key === '/'));
    assert.ok(cos.every((r) => r.token === true && r.secretId === TEMPORARY.secretId), JSON.stringify(cos[0]));

    // Download: the browser fetches the presigned link and saves the emulator's bytes.
    for (const [i, key] of paths.entries()) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`${tid('file-download')}[data-key="${key}"]`).click(),
      ]);
      assert.match(download.url(), new RegExp(`/cos/${BUCKET}/.*q-signature=`));
      assert.equal(download.suggestedFilename(), key.split('/').pop());
      const bytes = await readFile(await download.path());
      assert.deepEqual(bytes, Buffer.from(objectBody(BUCKET, key)), `file ${i} downloaded`);
    }
    const downloads = (await ledger()).cos.recent.filter((r) => r.auth === 'query');
    assert.equal(downloads.length, 2, 'two presigned GETs');
    assert.ok(downloads.every((r) => r.code === 'Success' && r.method === 'GET'));

    // The links (and the token in them) are not in the page: no href, no text.
    const html = await page.content();
    assert.ok(!html.includes('q-signature'), 'no presigned link in the DOM');
    assert.ok(!html.includes(TEMPORARY.token), 'no session token in the DOM');
    assert.ok(!html.includes(TEMPORARY.secretKey));
    assert.ok(cosRequests(requests).length >= 3, 'the page itself polled COS');
  });
});

test('Cancel stops the polling: no request leaves the page after it', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(600_000, async (page, requests) => {
    const paths = await exportTwo(page);
    await page.waitForSelector(`${tid('export-entry')}[data-state="exporting"]`);
    // Let it poll a couple of rounds (the demo polls every 1 s at first).
    const polled = Date.now() + 8000;
    while (cosRequests(requests).length < 4 && Date.now() < polled) await sleep(100);
    assert.ok(cosRequests(requests).length >= 4, `polling: ${cosRequests(requests).length} COS requests`);

    await page.click(tid('entry-cancel'));
    await page.waitForSelector(`${tid('export-entry')}[data-state="cancelled"]`);
    assert.match(await page.locator(tid('entry-status')).textContent(), /^Not watching this export any more; it runs on\. Resume/);
    assert.equal(await page.locator(tid('entry-resume')).count(), 1, 'Resume is offered');
    assert.deepEqual(await page.locator(tid('file-row')).evaluateAll((els) => els.map((e) => e.dataset.state)), paths.map(() => 'pending'));
    const atCancel = requests.length;
    const cosAtCancel = (await ledger()).cos.total;
    // Longer than the demo's maxInterval (5 s): a live wait would have polled again by now.
    await sleep(6000);
    assert.deepEqual(requests.slice(atCancel).map((r) => `${r.method} ${r.url}`), [], 'no request after Cancel');
    assert.equal((await ledger()).cos.total, cosAtCancel, 'the emulator saw no COS request after Cancel');
    assert.match(await page.locator(tid('activity')).textContent(), /waitForExport\s*Client\.Aborted/);
  });
});
