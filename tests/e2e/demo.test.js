// End-to-end tests of the demo page (www/) in Chromium, against the local CVM API emulator.
// Run from the repository root: node --test tests/e2e/
//
// One emulator and one browser per file; every test gets a fresh browser context (empty
// storage) and a reset emulator. Everything is torn down in after(), also on failure.
//
// The emulator serves www/ as is, and a snapshot of pkg/ taken (and checked) at start: pkg/gen
// is rewritten file by file when someone rebuilds (scripts/build.sh), and a page loaded in
// between gets new JS glue with the old wasm and never initialises.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { startEmulator } from '../../emulator/server.js';
import { CREDENTIALS } from '../../emulator/account.js';
import { emulatorAdmin, submitExport } from './support/page.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUTPUT_DIR = join(ROOT, 'test-output');
const SCREENSHOT = join(OUTPUT_DIR, 'demo.png');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic',
];
const TEST_TIMEOUT = 30_000;
const EXPORTABLE = ['img-pq5pau1w', 'img-72n9mi0y', 'img-abcd1234', 'img-0000ffff', 'img-arm64001'];
const PERMANENT = CREDENTIALS.permanent;
const TEMPORARY = CREDENTIALS.temporary;
const SECRETS = [PERMANENT.secretKey, TEMPORARY.secretKey, TEMPORARY.token];

const POLL = { polling: 100 }; // interval polling, independent of frame production on a loaded machine
const tid = (id) => `[data-testid="${id}"]`;

let emu;
let browser;
let pkgSnapshot;
let currentTestName = 'test';
beforeEach((t) => { currentTestName = t.name; });

before(async () => {
  pkgSnapshot = await snapshotPkg();
  emu = await startEmulator({ port: 0, staticRoots: { '/': join(ROOT, 'www'), '/pkg/': pkgSnapshot } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 });
}, { timeout: 120_000 });

after(async () => {
  // All of them, even if one fails or was never started.
  await Promise.allSettled([
    browser?.close(),
    emu?.close(),
    pkgSnapshot && rm(pkgSnapshot, { recursive: true, force: true }),
  ]);
});

/**
 * Copies pkg/ to a temporary directory and checks, in a separate Node process, that the copy's
 * JS glue and wasm belong together (they load, build a client and sign). A copy taken while
 * pkg/ is being rebuilt (or while pkg/gen is deleted) fails that check; then it waits and
 * copies again, for up to 90 s.
 */
async function snapshotPkg() {
  const deadline = Date.now() + 90_000;
  const check = `
    const { CvmClient, TencentCloudError } = await import(${JSON.stringify('./node.js')});
    const c = new CvmClient({ credential: { secretId: 'AKIDcheck', secretKey: 'check' }, region: 'ap-guangzhou' });
    const s = c.signExportImages({ BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'] }, 1700000000);
    if (!/^[0-9a-f]{64}$/.test(s.signature)) throw new Error('no signature');
    try { c.validateExportImages({ BucketName: 'x', ImageIds: [] }); throw new Error('no validation'); }
    catch (e) { if (!(e instanceof TencentCloudError)) throw e; }`;
  for (;;) {
    const dir = await mkdtemp(join(tmpdir(), 'tc3-edge-e2e-pkg-'));
    await cp(join(ROOT, 'pkg'), dir, { recursive: true });
    await writeFile(join(dir, 'check.mjs'), check);
    const problem = await promisify(execFile)(process.execPath, [join(dir, 'check.mjs')], { timeout: 20_000 })
      .then(() => null, (e) => String(e.stderr || e.message).split('\n').find((l) => /Error/.test(l)) ?? String(e.message));
    await rm(join(dir, 'check.mjs'), { force: true });
    if (!problem) return dir;
    await rm(dir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`pkg/ does not load (being rebuilt? run scripts/build.sh): ${problem}`);
    await sleep(3000);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

const { admin, ledger } = emulatorAdmin(() => emu.url);
const lastApiCall = (l, action) => [...l.recent].reverse().find((r) => r.action === action);

/**
 * Resets the emulator, opens the page in a fresh context and waits until the package is loaded
 * and the image list came back. `use(page, session)` runs the test; the context always closes.
 */
async function withPage(fn) {
  const name = currentTestName;
  await admin('/__admin/reset', { method: 'POST' });
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const session = { console: [], pageErrors: [], requests: [], byRequest: new Map() };
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => session.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => session.pageErrors.push(String(e?.stack ?? e)));
    page.on('request', (r) => {
      const entry = { url: r.url(), method: r.method(), headers: r.headers(), body: r.postData() ?? '', t0: Date.now(), outcome: 'pending' };
      session.requests.push(entry);
      session.byRequest.set(r, entry);
    });
    page.on('requestfinished', (r) => { const e = session.byRequest.get(r); if (e) e.outcome = `done ${Date.now() - e.t0}ms`; });
    page.on('requestfailed', (r) => { const e = session.byRequest.get(r); if (e) e.outcome = `failed ${r.failure()?.errorText}`; });
    try {
      await page.goto(emu.url, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector(`${tid('app-status')}:is([data-state="ready"], [data-state="error"])`);
      assert.equal(await page.getAttribute(tid('app-status'), 'data-state'), 'ready',
        `the page could not load the package: ${await text(page, tid('app-status'))} ${session.console.join(' | ')}`);
      await page.waitForSelector(`${tid('images-status')}[data-state="loaded"]`);
      await fn(page, session, context);
    } catch (err) {
      await saveFailure(page, name, session).catch((e) => console.error(`# saving failure details failed: ${e}`));
      throw err;
    }
    assert.deepEqual(session.pageErrors, [], 'uncaught errors in the page');
  } finally {
    await context.close().catch(() => {});
  }
}

/** On failure: a screenshot and the page's visible state in test-output/, to see what happened. */
async function saveFailure(page, name, session) {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const base = join(OUTPUT_DIR, `failure-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
  await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5000 }).catch(() => {});
  const within = (promise, ms) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);
  const state = await within(page.evaluate(() => ({
    result: document.querySelector('[data-testid="result"]')?.dataset,
    resultText: document.querySelector('[data-testid="result"]')?.innerText,
    validity: document.querySelector('[data-testid="validity"]')?.innerText,
    errors: [...document.querySelectorAll('.field-error:not([hidden])')].map((e) => e.innerText),
    activity: document.querySelector('[data-testid="activity"]')?.innerText,
    appStatus: document.querySelector('[data-testid="app-status"]')?.innerText,
    readyState: document.readyState,
  })), 5000).catch((e) => `page state unavailable: ${e.message}`);
  const redactAll = (t) => SECRETS.reduce((acc, s) => acc.split(s).join('***'), t);
  await writeFile(`${base}.json`, redactAll(JSON.stringify({ state, console: session.console, requests: session.requests.map((r) => `${r.method} ${r.url} ${r.headers['x-tc-action'] ?? ''} → ${r.outcome}`), ledger: await ledger().catch(String) }, null, 2)));
  console.error(`# failure details: ${base}.png / .json`);
}

const apiRequests = (session) => session.requests.filter((r) => r.method === 'POST' && r.headers['x-tc-action']);
const text = async (page, sel) => ((await page.locator(sel).textContent()) ?? '').trim();
const pick = (page, id) => page.locator(`${tid('image-checkbox')}[data-image-id="${id}"]`).check();
const waitValid = (page, valid = true) => page.waitForSelector(`${tid('validity')}[data-valid="${valid}"]`);

/**
 * Clicks Export and waits for the outcome of this click (not an earlier one) to be `state`.
 * `again`: the same export ran before, so the page asks first; answer "Export again".
 */
async function clickExport(page, state, { again = false } = {}) {
  await waitValid(page);
  assert.equal(await submitExport(page, { again }), state, `result: ${await text(page, tid('result-body'))}`);
}

/** The shown error box: visible, its code and field. */
async function fieldError(page, box) {
  const loc = page.locator(tid(box));
  await loc.waitFor({ state: 'visible' });
  return {
    code: await loc.getAttribute('data-code'),
    field: await loc.getAttribute('data-field'),
    codeText: await page.locator(`${tid(box)} ${tid('error-code')}`).textContent({ timeout: 1000 }).catch(() => ''),
    message: await text(page, `${tid(box)} ${tid('error-message')}`),
    all: await text(page, tid(box)),
  };
}

/** The box shows exactly the words, then the code (plain words first, codes second): no stray text. */
function assertExactBox(err) {
  assert.equal(err.all.replace(/\s+/g, ' '), `${err.message}${err.codeText}`.replace(/\s+/g, ' '));
  assert.ok(!/^[A-Z][A-Za-z]+\.[A-Z]/.test(err.message), `the message leads with words, not a code: ${err.message}`);
}

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key, s) => createHmac('sha256', key).update(s, 'utf8').digest();

// ---------------------------------------------------------------------------------------------

test('images are listed from DescribeImages, and "Load images" reloads them keeping the selection', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page) => {
    const rows = page.locator(tid('image-row'));
    const ids = await page.locator(`${tid('image-row')} ${tid('image-id')}`).allTextContents();
    const l = await ledger();
    const describe = lastApiCall(l, 'DescribeImages');
    assert.ok(describe, 'the page called DescribeImages on start');
    assert.equal(describe.code, 'Success');
    assert.equal(l.requests.byAction.DescribeImages, 1);
    for (const id of EXPORTABLE) assert.ok(ids.includes(id), `${id} listed`);
    assert.equal(ids.length, 16, 'all seeded images (TotalCount 16)');
    assert.match(await text(page, tid('images-status')), /16 of 16 images/);

    const row = page.locator(`${tid('image-row')}[data-image-id="img-pq5pau1w"]`);
    assert.equal(await text(page, `${tid('image-row')}[data-image-id="img-pq5pau1w"] ${tid('image-name')}`), 'web-server-golden');
    assert.match(await row.textContent(), /CentOS 7\.9 64bit/);
    assert.match(await row.textContent(), /Private/);
    assert.match(await row.textContent(), /50 GB/);
    assert.match(await text(page, `${tid('image-row')}[data-image-id="img-arm64001"]`), /arm64/);
    assert.match(await text(page, `${tid('image-row')}[data-image-id="img-pub0ubnt"]`), /Public/);

    // Clicking the row (not only the box) selects it; it shows as selected and gets a prefix input.
    await page.click(`${tid('image-row')}[data-image-id="img-72n9mi0y"] ${tid('image-name')}`);
    assert.equal(await page.locator(`${tid('image-checkbox')}[data-image-id="img-72n9mi0y"]`).isChecked(), true);
    assert.deepEqual(await page.locator(tid('selected-chip')).allTextContents(), ['img-72n9mi0y']);
    assert.equal(await page.locator(tid('prefix-input')).count(), 1);

    await page.click(tid('load-images'));
    await page.waitForFunction(() => document.querySelector('[data-testid="activity"]').children.length >= 2, undefined, POLL);
    await page.waitForSelector(`${tid('images-status')}[data-state="loaded"]`);
    assert.equal(await rows.count(), 16);
    assert.equal((await ledger()).requests.byAction.DescribeImages, 2, 'one more DescribeImages');
    assert.equal(await page.locator(`${tid('image-checkbox')}[data-image-id="img-72n9mi0y"]`).isChecked(), true, 'selection kept');
  });
});

test('a successful export shows TaskId, CosPaths and RequestId, matching the one task created', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page, session) => {
    await pick(page, 'img-pq5pau1w');
    const before = await ledger();
    await clickExport(page, 'success');

    const taskId = await text(page, tid('result-task-id'));
    const cosPaths = await page.locator(tid('result-cos-path')).allTextContents();
    const requestId = await text(page, tid('result-request-id'));
    const l = await ledger();
    assert.equal(l.taskCount, before.taskCount + 1, 'exactly one task created');
    assert.equal(l.requests.byAction.ExportImages ?? 0, (before.requests.byAction.ExportImages ?? 0) + 1, 'one ExportImages call');
    const task = l.tasks.at(-1);
    assert.equal(String(task.TaskId), taskId, 'the shown TaskId is the ledger task');
    assert.equal(task.RequestId, requestId);
    assert.deepEqual(task.ImageIds, ['img-pq5pau1w']);
    assert.equal(task.BucketName, 'backup-1250000000');
    assert.deepEqual(cosPaths, task.CosPaths);
    assert.deepEqual(cosPaths, ['/img-pq5pau1w_system_snap-fiux4bof.raw']);
    const call = lastApiCall(l, 'ExportImages');
    assert.equal(call.code, 'Success');
    assert.equal(call.requestId, requestId);
    assert.equal(call.secretId, PERMANENT.secretId);
    assert.equal(call.region, 'ap-guangzhou');
    assert.equal(call.signedHost, '127.0.0.1', 'signed for the endpoint host by default');
    assert.equal(apiRequests(session).filter((r) => r.headers['x-tc-action'] === 'ExportImages').length, 1);
    assert.match(await text(page, tid('result-notice')), /^Export started\. 1 file will be written/);
    assert.match(await text(page, tid('activity')), new RegExp(`ExportImages\\s*TaskId ${taskId}`));

    await mkdir(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
  });
});

test('validation errors are shown next to their field and nothing is sent', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page, session) => {
    const before = await ledger();
    const apiBefore = apiRequests(session).length;

    // A malformed image ID typed by hand → the images area.
    await page.fill(tid('image-ids-input'), 'IMG-1');
    const malformed = await fieldError(page, 'images-error');
    assert.equal(malformed.code, 'InvalidImageId.Malformed');
    assert.equal(malformed.codeText, 'InvalidImageId.Malformed');
    assert.equal(malformed.field, 'ImageIds.0');
    // 1-based, in words: the first image is "image 1".
    assert.equal(malformed.message, 'Image 1 (IMG-1) is not an image ID: they look like img-xxxxxxxx.');
    assertExactBox(malformed);
    assert.equal(await page.getAttribute(tid('image-ids-input'), 'aria-invalid'), 'true');
    assert.equal(await page.isDisabled(tid('export-button')), true, 'Export disabled while invalid');
    assert.equal(await page.locator(tid('bucket-error')).isVisible(), false);
    // Enter in a field, a forced click and a programmatic submit: none sends anything.
    await page.press(tid('image-ids-input'), 'Enter');
    await page.click(tid('export-button'), { force: true });
    await page.evaluate(() => document.getElementById('export-form').requestSubmit());
    await page.waitForSelector(`${tid('result')}[data-state="invalid"]`);
    assert.match(await text(page, tid('result-notice')), /^Not sent\. Image 1 \(IMG-1\) is not an image ID/);

    // A valid list of images plus a bad bucket → the BucketName field.
    await page.fill(tid('image-ids-input'), '');
    await pick(page, 'img-pq5pau1w');
    await waitValid(page);
    await page.fill(tid('bucket-name'), 'test-bucket-AppId');
    const bucket = await fieldError(page, 'bucket-error');
    assert.equal(bucket.code, 'InvalidParameterValue.InvalidAppIdFormat');
    assert.equal(bucket.codeText, 'InvalidParameterValue.InvalidAppIdFormat');
    assert.equal(bucket.field, 'BucketName');
    assert.match(bucket.message, /^End the bucket name with -<APPID>/);
    assertExactBox(bucket);
    assert.equal(await page.getAttribute(tid('bucket-name'), 'aria-invalid'), 'true');
    assert.equal(await page.locator(tid('images-error')).isVisible(), false, 'the images error is gone');
    assert.equal(await page.isDisabled(tid('export-button')), true);
    await page.press(tid('bucket-name'), 'Enter');
    await page.evaluate(() => document.getElementById('export-form').requestSubmit());
    await page.waitForFunction(() => /End the bucket name/.test(document.querySelector('[data-testid="result"]').textContent), undefined, POLL);

    // Empty bucket → MissingParameter on the same field.
    await page.fill(tid('bucket-name'), '');
    await page.waitForSelector(`${tid('bucket-error')}[data-code="MissingParameter"]`);

    // Nothing reached the emulator...
    const l = await ledger();
    assert.equal(l.requests.total, before.requests.total, 'no API request reached the emulator');
    assert.equal(l.taskCount, before.taskCount);
    // ...and nothing left the page: a DescribeImages "fence" call afterwards is the only new API call.
    await page.click(tid('load-images'));
    await page.waitForFunction(() => document.querySelector('[data-testid="activity"]').children.length >= 2, undefined, POLL);
    const fenced = await ledger();
    assert.equal(fenced.requests.byAction.ExportImages ?? 0, before.requests.byAction.ExportImages ?? 0);
    assert.equal(fenced.requests.total, before.requests.total + 1);
    assert.deepEqual(apiRequests(session).slice(apiBefore).map((r) => r.headers['x-tc-action']), ['DescribeImages']);

    // Fixing the field re-enables Export.
    await page.fill(tid('bucket-name'), 'backup-1250000000');
    await waitValid(page);
    assert.equal(await page.isDisabled(tid('export-button')), false);
    assert.equal(await page.locator(tid('bucket-error')).isVisible(), false);
  });
});

test('an API error is shown in words first, then its code, message and RequestId (no "HTTP status 200")', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page) => {
    await pick(page, 'img-pq5pau1w');
    await page.fill(tid('bucket-name'), 'readonly-1250000000');
    const before = await ledger();
    await clickExport(page, 'error');

    const code = await text(page, tid('result-code'));
    const requestId = await text(page, tid('result-request-id'));
    assert.equal(code, 'InvalidParameterValue.InvalidBucketPermissionForExport');
    assert.match(await text(page, tid('result-message')), /readonly-1250000000/);
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    assert.equal(await page.locator(tid('result-http-code')).count(), 0, 'an API error arrives with HTTP 200: no status row');
    assert.equal(await text(page, tid('result-notice')),
      'The export did not start. The export role may not write to this bucket: grant it write access, or choose another bucket.');

    const l = await ledger();
    assert.equal(l.taskCount, before.taskCount, 'no task');
    const call = lastApiCall(l, 'ExportImages');
    assert.equal(call.code, 'InvalidParameterValue.InvalidBucketPermissionForExport');
    assert.equal(call.requestId, requestId, 'the shown RequestId is the one the emulator answered');
    assert.match(await text(page, tid('activity')), /ExportImages\s*InvalidParameterValue\.InvalidBucketPermissionForExport/);
  });
});

test('a transport failure shows the client error code and HTTP status', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page) => {
    await pick(page, 'img-pq5pau1w');
    await admin('/__admin/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 503, count: 1 }) });
    await clickExport(page, 'error');
    assert.equal(await text(page, tid('result-code')), 'Client.HttpStatus');
    assert.equal(await text(page, tid('result-http-code')), '503');
    assert.match(await text(page, tid('result-notice')), /^The export did not start\. The server answered with HTTP status 503/);
    assert.equal((await ledger()).taskCount, 0, 'the fault fired before the request ran');
  });
});

test('connection settings: bad options are flagged on their field, a wrong key is refused by the API', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page) => {
    await pick(page, 'img-pq5pau1w');
    await waitValid(page);
    const before = await ledger();

    await page.fill(tid('endpoint'), 'ftp://example.com');
    const endpoint = await fieldError(page, 'connection-error');
    assert.equal(endpoint.code, 'Client.InvalidOption');
    assert.equal(endpoint.message, 'Enter the endpoint as a host or an http(s) URL.');
    assertExactBox(endpoint);
    assert.equal(await page.getAttribute(tid('endpoint'), 'aria-invalid'), 'true');
    assert.equal(await page.isDisabled(tid('export-button')), true);
    await page.fill(tid('endpoint'), emu.url);

    await page.fill(tid('sign-host'), 'cvm.tencentcloudapi.com:443');
    await page.waitForSelector(`${tid('connection-error')}[data-code="Client.InvalidOption"]`);
    assert.equal(await page.getAttribute(tid('sign-host'), 'aria-invalid'), 'true');
    await page.fill(tid('sign-host'), '');

    await page.fill(tid('secret-id'), '');
    const secretId = await fieldError(page, 'credentials-error');
    assert.equal(secretId.code, 'Client.InvalidCredential');
    assertExactBox(secretId);
    assert.equal(await page.getAttribute(tid('secret-id'), 'aria-invalid'), 'true');
    assert.equal(await page.isDisabled(tid('export-button')), true);
    assert.equal((await ledger()).requests.total, before.requests.total, 'nothing sent while the options are bad');

    // Well-formed but wrong: the API refuses the signature.
    await page.fill(tid('secret-id'), PERMANENT.secretId);
    await page.fill(tid('secret-key'), 'not-the-right-secret-key');
    await clickExport(page, 'error');
    assert.equal(await text(page, tid('result-code')), 'AuthFailure.SignatureFailure');
    const call = lastApiCall(await ledger(), 'ExportImages');
    assert.equal(call.code, 'AuthFailure.SignatureFailure');
    assert.equal(await text(page, tid('result-request-id')), call.requestId);
    assert.equal((await ledger()).taskCount, before.taskCount);
    assert.ok(!(await page.content()).includes('not-the-right-secret-key'));
  });
});

test('DryRun on a good image shows the dry-run notice and creates no task', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page) => {
    await pick(page, 'img-pq5pau1w');
    await page.check(tid('dry-run'));
    await page.waitForFunction(() => /dry run/.test(document.querySelector('[data-testid="validity"]').textContent), undefined, POLL);
    const before = await ledger();
    await clickExport(page, 'dry-run');

    assert.match(await text(page, tid('result-notice')), /Dry run passed: the export would succeed/);
    assert.equal(await text(page, tid('result-code')), 'DryRunOperation');
    const requestId = await text(page, tid('result-request-id'));
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    assert.equal(await page.locator(tid('result-task-id')).count(), 0, 'no TaskId shown');

    const l = await ledger();
    assert.equal(l.taskCount, before.taskCount, 'no task created');
    assert.equal(l.requests.byAction.ExportImages, (before.requests.byAction.ExportImages ?? 0) + 1, 'the dry run was sent');
    const call = lastApiCall(l, 'ExportImages');
    assert.equal(call.code, 'DryRunOperation');
    assert.equal(call.requestId, requestId);
  });
});

test('format, prefixes, root-disk and role options reach the API; a missing prefix is flagged first', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page) => {
    await pick(page, 'img-72n9mi0y');
    await page.fill(tid('image-ids-input'), 'img-abcd1234');
    await page.selectOption(tid('export-format'), 'QCOW2');
    await page.check(tid('only-root-disk'));
    await page.fill(tid('role-name'), 'COS_ExportRole');
    const prefixes = page.locator(tid('prefix-input'));
    assert.equal(await prefixes.count(), 2, 'one prefix input per selected image');
    assert.equal(await prefixes.nth(1).getAttribute('data-image-id'), 'img-abcd1234');

    // One prefix filled: every image then needs one; the empty one is flagged.
    await prefixes.nth(0).fill('nightly');
    const err = await fieldError(page, 'prefixes-error');
    assert.equal(err.field, 'FileNamePrefixList.1');
    assert.equal(err.message, 'Enter a file-name prefix for image 2 (img-abcd1234), or clear all prefixes.', '1-based, in words');
    assert.equal(await prefixes.nth(1).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.isDisabled(tid('export-button')), true);

    await prefixes.nth(1).fill('base');
    const before = await ledger();
    await clickExport(page, 'success');
    assert.deepEqual(await page.locator(tid('result-cos-path')).allTextContents(), [
      '/nightly_img-72n9mi0y_system_snap-72n9sys0.qcow2',
      '/base_img-abcd1234_system_snap-abcdsys0.qcow2',
    ]);
    const l = await ledger();
    assert.equal(l.taskCount, before.taskCount + 1);
    const task = l.tasks.at(-1);
    assert.equal(String(task.TaskId), await text(page, tid('result-task-id')));
    assert.deepEqual(task.ImageIds, ['img-72n9mi0y', 'img-abcd1234']);
    assert.deepEqual(task.FileNamePrefixList, ['nightly', 'base']);
    assert.equal(task.ExportFormat, 'QCOW2');
    assert.equal(task.OnlyExportRootDisk, true);
    assert.equal(task.RoleName, 'COS_ExportRole');
  });
});

test('the Explain view shows the signing stages and a working curl; secrets never leak', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page, session, context) => {
    await pick(page, 'img-pq5pau1w');
    await waitValid(page);
    await page.click(tid('explain-button'));
    await page.waitForSelector(`${tid('explain-panel')}:not([hidden])`);
    await page.waitForFunction(() => document.querySelector('[data-testid="explain-signature"]').textContent.length === 64, undefined, POLL);

    const canonical = await page.locator(tid('explain-canonical')).textContent();
    const stringToSign = await page.locator(tid('explain-string-to-sign')).textContent();
    const signature = await page.locator(tid('explain-signature')).textContent();
    const headers = await page.locator(tid('explain-headers')).textContent();
    const body = await page.locator(tid('explain-body')).textContent();
    const curl = await page.locator(tid('explain-curl')).textContent();

    assert.equal(body, '{"BucketName":"backup-1250000000","ImageIds":["img-pq5pau1w"]}');
    assert.equal(canonical, `POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1\n\ncontent-type;host\n${sha256(body)}`);
    const [algorithm, timestamp, scope, hashedCanonical] = stringToSign.split('\n');
    assert.equal(algorithm, 'TC3-HMAC-SHA256');
    assert.match(timestamp, /^\d{10}$/);
    const date = new Date(Number(timestamp) * 1000).toISOString().slice(0, 10);
    assert.equal(scope, `${date}/cvm/tc3_request`);
    assert.equal(hashedCanonical, sha256(canonical));
    // The signature shown is the real one: recompute it from the SecretKey.
    const kSigning = hmac(hmac(hmac(`TC3${PERMANENT.secretKey}`, date), 'cvm'), 'tc3_request');
    assert.equal(signature, createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex'));
    assert.match(headers, new RegExp(`^Authorization: TC3-HMAC-SHA256 Credential=${PERMANENT.secretId}/${date}/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${signature}$`, 'm'));
    assert.match(headers, /^X-TC-Action: ExportImages$/m);
    assert.match(headers, /^X-TC-Region: ap-guangzhou$/m);
    assert.match(headers, new RegExp(`^X-TC-Timestamp: ${timestamp}$`, 'm'));
    assert.match(curl, /^curl -sS -X POST 'http:\/\/127\.0\.0\.1:\d+\/'/);
    assert.ok(curl.includes(`Signature=${signature}`), 'curl carries the signature');
    assert.ok(curl.includes(`--data-raw '${body}'`));
    assert.match(await text(page, tid('explain-meta')), /signed for host 127\.0\.0\.1/);

    // The curl command is equivalent: run it, and the emulator creates the task.
    const before = await ledger();
    const { stdout } = await promisify(execFile)('sh', ['-c', curl], { timeout: 10_000 });
    const response = JSON.parse(stdout).Response;
    assert.ok(response.TaskId, `curl got ${stdout}`);
    assert.equal((await ledger()).taskCount, before.taskCount + 1);

    // Temporary credentials: the token is redacted in the headers and in curl.
    await page.fill(tid('secret-id'), TEMPORARY.secretId);
    await page.fill(tid('secret-key'), TEMPORARY.secretKey);
    await page.fill(tid('token'), TEMPORARY.token);
    await page.waitForFunction((id) => document.querySelector('[data-testid="explain-headers"]').textContent.includes(id), TEMPORARY.secretId, POLL);
    assert.match(await page.locator(tid('explain-headers')).textContent(), /^X-TC-Token: \*\*\*$/m);
    assert.ok((await page.locator(tid('explain-curl')).textContent()).includes(`-H 'X-TC-Token: ***'`));
    // ...and really used: the export with the temporary key succeeds.
    await clickExport(page, 'success');
    const call = lastApiCall(await ledger(), 'ExportImages');
    assert.equal(call.secretId, TEMPORARY.secretId);
    assert.equal(call.token, true);

    // Bring back the permanent key (the prefilled one) to check the default key too.
    await page.fill(tid('secret-id'), PERMANENT.secretId);
    await page.fill(tid('secret-key'), PERMANENT.secretKey);
    await page.fill(tid('token'), '');
    await page.click(tid('explain-refresh'));
    await clickExport(page, 'success', { again: true });

    // No secret anywhere: the HTML (the password inputs' values are properties, not markup),
    // console, storage, cookies, IndexedDB, URLs, or anything the page sent.
    const html = await page.content();
    const consoleText = session.console.join('\n');
    const storage = await page.evaluate(async () => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
      idb: indexedDB.databases ? JSON.stringify(await indexedDB.databases()) : '[]',
      url: location.href,
    }));
    const cookies = JSON.stringify(await context.cookies());
    const sent = JSON.stringify(session.requests);
    for (const secret of SECRETS) {
      assert.ok(!html.includes(secret), 'secret in page HTML');
      assert.ok(!consoleText.includes(secret), 'secret in a console message');
      for (const [where, value] of Object.entries(storage)) assert.ok(!value.includes(secret), `secret in ${where}`);
      assert.ok(!cookies.includes(secret), 'secret in cookies');
    }
    // The token has to travel (X-TC-Token); a SecretKey never does.
    for (const key of [PERMANENT.secretKey, TEMPORARY.secretKey]) assert.ok(!sent.includes(key), 'SecretKey in a request the page sent');
    // localStorage holds the exports list only, with only its five fields per export.
    const stored = JSON.parse(storage.local);
    assert.deepEqual(Object.keys(stored), ['tc3-edge-demo:exports']);
    const exportsKept = JSON.parse(stored['tc3-edge-demo:exports']);
    assert.equal(exportsKept.length, 2);
    for (const e of exportsKept) assert.deepEqual(Object.keys(e).sort(), ['BucketName', 'CosPaths', 'TaskId', 'startedAt', 'state']);
    assert.equal(storage.session, '{}');
    assert.equal(storage.cookie, '');
    assert.equal(storage.idb, '[]');
    assert.equal(cookies, '[]');
    assert.ok(html.includes('X-TC-Token') || html.includes('Authorization'), 'sanity: the HTML includes the explain panel');
    // The password input still holds the key (the only place it may live).
    assert.equal(await page.inputValue(tid('secret-key')), PERMANENT.secretKey);
    assert.equal(await page.getAttribute(tid('secret-key'), 'type'), 'password');
  });
});
