// The demo as the reference console page (issue #19), in Chromium against the emulator and the
// example Worker (run as `make demo` runs it): a calm first load, unexportable images marked,
// the Exports list that survives reloads, Cancel and Resume, nothing stale after a re-export,
// the duplicate prompt, a quiet console, both modes, and screenshots at 1280 and 420 px.
// Run from the repository root: node --test tests/e2e/console.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { startEmulator } from '../../emulator/server.js';
import { CREDENTIALS } from '../../emulator/account.js';
import { objectBody } from '../../emulator/cos.js';
import { CHROMIUM, LAUNCH_ARGS, OUTPUT_DIR, POLL, ROOT, emulatorAdmin, freePort, snapshotPkg, startWorkerLocal, submitExport, tid } from './support/page.js';

const TEST_TIMEOUT = 90_000;
const BUCKET = 'backup-1250000000';
const IMAGE = 'img-pq5pau1w';
const STORE_KEY = 'tc3-edge-demo:exports';
const entry = (taskId) => (taskId === undefined ? tid('export-entry') : `${tid('export-entry')}[data-task-id="${taskId}"]`);

let emu;
let browser;
let pkg;
let worker;

before(async () => {
  pkg = await snapshotPkg();
  const workerPort = await freePort();
  emu = await startEmulator({ port: 0, workerUrl: `http://127.0.0.1:${workerPort}`, staticRoots: { '/': join(ROOT, 'www'), '/pkg/': pkg.dir } });
  [worker, browser] = await Promise.all([
    startWorkerLocal(emu.url, workerPort),
    chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 }),
  ]);
}, { timeout: 150_000 });

after(async () => {
  await Promise.allSettled([browser?.close(), worker?.stop(), emu?.close(), pkg && rm(pkg.dir, { recursive: true, force: true })]);
});

const { admin, ledger, setExportMs } = emulatorAdmin(() => emu.url);

/**
 * Resets the emulator, opens the page (fresh context: empty storage) at `width`, in `mode`, and
 * runs fn(page, session). session.console: every console message; session.requests: every request.
 */
async function withPage({ width = 1360, height = 1000, mode = 'browser', exportMs = 5000 } = {}, fn) {
  await admin('/__admin/reset', { method: 'POST' });
  await setExportMs(exportMs);
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const session = { console: [], pageErrors: [], requests: [] };
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => session.console.push({ type: m.type(), text: m.text(), url: m.location()?.url ?? '', at: Date.now() }));
    page.on('pageerror', (e) => session.pageErrors.push(String(e?.stack ?? e)));
    page.on('request', (r) => session.requests.push({ url: r.url(), method: r.method(), headers: r.headers(), at: Date.now() }));
    session.open = async () => {
      await page.goto(`${emu.url}${mode === 'worker' ? '?mode=worker' : ''}`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector(`${tid('app-status')}[data-state="ready"]`);
      await page.waitForSelector(`${tid('images-status')}[data-state="loaded"]`);
    };
    await session.open();
    await fn(page, session, context);
    assert.deepEqual(session.pageErrors, [], 'uncaught errors in the page');
  } finally {
    await context.close().catch(() => {});
  }
}

const errorsIn = (session) => session.console.filter((m) => m.type === 'error');
const stored = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? '[]'), STORE_KEY);

/** Ticks `ids` and clicks Export; `again`: answer the duplicate prompt with "Export again". Returns the new TaskId. */
async function exportImages(page, ids = [IMAGE], { again = false } = {}) {
  for (const id of ids) await page.locator(`${tid('image-checkbox')}[data-image-id="${id}"]`).check();
  await page.waitForSelector(`${tid('validity')}[data-valid="true"]`);
  assert.equal(await submitExport(page, { again }), 'success', await page.locator(tid('result-body')).innerText());
  return Number(await page.locator(tid('result-task-id')).textContent());
}

async function downloadBytes(page, taskId, key) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`${entry(taskId)} ${tid('file-download')}[data-key="${key}"]`).click(),
  ]);
  return readFile(await download.path());
}

// ---------------------------------------------------------------------------------------------

test('first load: no error shown, the Send card says in words what is missing, the console is clean', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({}, async (page, session) => {
    assert.equal(await page.locator('.field-error:not([hidden])').count(), 0, 'no error box is shown');
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 0, 'no field is marked invalid');
    assert.equal(await page.locator('tr.invalid').count(), 0);
    assert.equal(await page.textContent(tid('validity')), 'Select at least one image.');
    assert.equal(await page.getAttribute(tid('validity'), 'data-shown'), 'false', 'said calmly, not as an error');
    assert.equal(await page.isDisabled(tid('export-button')), true);
    assert.deepEqual(errorsIn(session), [], 'no console error on first load');
    // Touching the field shows its error; pressing Export with nothing selected too.
    await page.fill(tid('bucket-name'), '');
    await page.waitForSelector(`${tid('bucket-error')}:not([hidden])`);
    assert.equal(await page.textContent(`${tid('bucket-error')} ${tid('error-message')}`), 'Enter the bucket to export to.');
    assert.equal(await page.locator(`${tid('images-error')}:not([hidden])`).count(), 0, 'the untouched images field stays calm');
  });
});

test('unexportable images are marked with the reason, cannot be ticked and are out of the tab order', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({}, async (page) => {
    const reasons = {
      'img-pub0ubnt': /^Public and marketplace images cannot be exported/,
      'img-market01': /^Public and marketplace images cannot be exported/,
      'img-shared01': /^Shared images cannot be exported/,
      'img-mkt00001': /marketplace image/,
      'img-win2019a': /^Windows images cannot be exported/,
      'img-rhel0008': /^Red Hat \(RHEL\) images cannot be exported/,
      'img-busy0001': /^Still syncing \(40 %\)/,
      'img-huge2tb0': /larger than 500 GB/,
    };
    for (const [id, reason] of Object.entries(reasons)) {
      const row = `${tid('image-row')}[data-image-id="${id}"]`;
      assert.equal(await page.getAttribute(row, 'data-exportable'), 'false', id);
      assert.match(await page.textContent(`${row} ${tid('image-reason')}`), reason, id);
      const box = page.locator(`${row} ${tid('image-checkbox')}`);
      assert.equal(await box.isDisabled(), true, `${id} cannot be ticked`);
      assert.equal(await box.evaluate((b) => b.tabIndex), -1, `${id} is out of the tab order`);
      await page.click(`${row} ${tid('image-name')}`); // a click on the row does nothing either
      assert.equal(await box.isChecked(), false, id);
    }
    assert.equal(await page.locator(`${tid('image-row')}[data-exportable="false"]`).count(), Object.keys(reasons).length);
    assert.equal(await page.textContent(tid('selected-images')), 'No image selected.');
    // Tabbing through the table visits only the exportable rows' boxes.
    await page.focus(tid('load-images'));
    const visited = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement?.dataset?.imageId ?? null);
      if (id) visited.push(id); else if (visited.length) break;
    }
    assert.deepEqual(visited, ['img-pq5pau1w', 'img-72n9mi0y', 'img-abcd1234', 'img-0000ffff', 'img-arm64001', 'img-encrypt1', 'img-noexp001', 'img-kylin010']);
    // Typed by hand, it is refused in words before anything is sent.
    await page.fill(tid('image-ids-input'), 'img-win2019a');
    await page.waitForSelector(`${tid('images-error')}:not([hidden])`);
    assert.equal(await page.textContent(`${tid('images-error')} ${tid('error-message')}`), 'Image 1 (img-win2019a) cannot be exported: Windows images cannot be exported.');
    assert.equal(await page.isDisabled(tid('export-button')), true);
    assert.equal((await ledger()).requests.byAction.ExportImages ?? 0, 0);
  });
});

test('re-export of a finished image stays pending until the new file is written (notBefore)', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({ exportMs: 500 }, async (page, session) => {
    const first = await exportImages(page);
    await page.waitForSelector(`${entry(first)}[data-state="ready"]`);
    // The first export's file was written ten minutes ago (same key as the next one's).
    const task = emu.state.tasks.find((t) => t.TaskId === first);
    task.CreatedAt -= 600_000;
    const key = task.CosPaths[0];

    await setExportMs(8000);
    const second = await exportImages(page, [], { again: true });
    const exported = Date.now();
    const secondTask = (await ledger()).tasks.find((t) => t.TaskId === second);
    const writtenAt = Date.parse(secondTask.Files[0].ReadyAt);
    await page.waitForSelector(`${entry(second)}[data-state="exporting"]`);
    // While the new file is not written, the old one is in the bucket, seen by the page's polls,
    // and the entry still says pending.
    while (Date.now() < writtenAt - 1500) {
      assert.equal(await page.getAttribute(entry(second), 'data-state'), 'exporting', 'not ready before the new file is written');
      assert.equal(await page.getAttribute(`${entry(second)} ${tid('file-row')}`, 'data-state'), 'pending');
      await sleep(250);
    }
    // Polled, and COS had a file there: a listing (the list probe) or a HEAD of the key.
    const cosSeen = (await ledger()).cos.recent.filter((r) => (r.key === key || (r.key === '/' && r.method === 'GET')) &&
      r.code === 'Success' && Date.parse(r.time) >= exported);
    assert.ok(cosSeen.length >= 1, 'the page polled and found the earlier export\'s file');
    await page.waitForSelector(`${entry(second)}[data-state="ready"]`);
    assert.ok(Date.now() >= writtenAt, 'ready only once the new file exists');
    assert.deepEqual(await downloadBytes(page, second, key), objectBody(BUCKET, key));
    // The first entry is untouched; both listed, newest first.
    assert.deepEqual(await page.locator(entry()).evaluateAll((els) => els.map((e) => Number(e.dataset.taskId))), [second, first]);
    assert.deepEqual(errorsIn(session), [], 'no console error');
  });
});

test('reload mid-wait: the entry comes back from localStorage, resumes its wait and then offers downloads', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({ exportMs: 9000 }, async (page, session, context) => {
    await page.fill(tid('secret-id'), CREDENTIALS.temporary.secretId);
    await page.fill(tid('secret-key'), CREDENTIALS.temporary.secretKey);
    await page.fill(tid('token'), CREDENTIALS.temporary.token);
    const taskId = await exportImages(page, ['img-pq5pau1w', 'img-0000ffff']);
    await page.waitForSelector(`${entry(taskId)}[data-state="exporting"]`);
    const kept = await stored(page);
    assert.equal(kept.length, 1);
    assert.deepEqual(Object.keys(kept[0]).sort(), ['BucketName', 'CosPaths', 'TaskId', 'startedAt', 'state']);
    assert.equal(kept[0].TaskId, taskId);
    assert.equal(kept[0].state, 'exporting');

    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector(`${tid('app-status')}[data-state="ready"]`);
    // The reloaded page has the prefilled permanent key again: the wait resumes with it.
    await page.waitForSelector(`${entry(taskId)}[data-state="exporting"]`);
    const paths = await page.locator(`${entry(taskId)} ${tid('file-row')}`).evaluateAll((els) => els.map((e) => e.dataset.key));
    assert.deepEqual(paths, kept[0].CosPaths);
    await page.waitForSelector(`${entry(taskId)}[data-state="ready"]`);
    assert.equal(await page.textContent(`${entry(taskId)} ${tid('entry-status')}`), `All 2 files are in ${BUCKET}.`);
    for (const key of paths) assert.deepEqual(await downloadBytes(page, taskId, key), objectBody(BUCKET, key));
    assert.equal((await stored(page))[0].state, 'ready');

    // No secret in storage or the DOM, before or after the reload.
    const html = await page.content();
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    for (const secret of [CREDENTIALS.temporary.secretKey, CREDENTIALS.temporary.token, CREDENTIALS.permanent.secretKey]) {
      assert.ok(!html.includes(secret), 'secret in the DOM');
      assert.ok(!storage.includes(secret), 'secret in storage');
    }
    assert.ok(!html.includes('q-signature'), 'no download link in the DOM');
    assert.equal(JSON.stringify(await context.cookies()), '[]');
  });
});

test('Cancel stops watching (kept across a reload) and Resume picks the wait up again', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({ exportMs: 10_000 }, async (page, session) => {
    const taskId = await exportImages(page);
    await page.waitForSelector(`${entry(taskId)}[data-state="exporting"]`);
    await page.click(`${entry(taskId)} ${tid('entry-cancel')}`);
    await page.waitForSelector(`${entry(taskId)}[data-state="cancelled"]`);
    assert.equal((await stored(page))[0].state, 'cancelled');
    const cosAtCancel = (await ledger()).cos.total;
    await sleep(2500);
    assert.equal((await ledger()).cos.total, cosAtCancel, 'no COS request after Cancel');

    // A reload does not resume a cancelled entry: it offers Resume.
    await session.open();
    await page.waitForSelector(`${entry(taskId)}[data-state="cancelled"]`);
    await sleep(1500);
    assert.equal((await ledger()).cos.total, cosAtCancel, 'still nothing polled after the reload');
    await page.click(`${entry(taskId)} ${tid('entry-resume')}`);
    await page.waitForSelector(`${entry(taskId)}[data-state="exporting"]`);
    assert.equal((await stored(page))[0].state, 'exporting');
    await page.waitForSelector(`${entry(taskId)}[data-state="ready"]`, { timeout: 20_000 });
    assert.ok((await ledger()).cos.total > cosAtCancel, 'Resume polled again');
    assert.equal(await page.locator(`${entry(taskId)} ${tid('file-download')}`).count(), 1);
  });
});

test('two tabs: each shows the other\'s new export, and neither erases the other\'s from storage', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({ exportMs: 6000 }, async (page, session, context) => {
    // Tab B opened before tab A's export: its list in memory does not have it.
    const other = await context.newPage();
    other.on('pageerror', (e) => session.pageErrors.push(String(e?.stack ?? e)));
    await other.goto(emu.url, { waitUntil: 'domcontentloaded' });
    await other.waitForSelector(`${tid('app-status')}[data-state="ready"]`);
    await other.waitForSelector(`${tid('images-status')}[data-state="loaded"]`);

    const first = await exportImages(page, [IMAGE]);
    await other.waitForSelector(entry(first)); // shown in tab B through the storage event
    const second = await exportImages(other, ['img-0000ffff']);
    assert.deepEqual((await stored(page)).map((e) => e.TaskId).sort(), [first, second].sort(), 'both kept');
    await page.waitForSelector(entry(second));
    // Each finishes in both tabs (both watch both), and storage ends with both ready.
    for (const p of [page, other]) for (const t of [first, second]) await p.waitForSelector(`${entry(t)}[data-state="ready"]`, { timeout: 20_000 });
    assert.deepEqual((await stored(page)).map((e) => e.state), ['ready', 'ready']);
  });
});

test('the same images to the same bucket ask first; several exports run at once, newest first', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({ exportMs: 6000 }, async (page) => {
    const first = await exportImages(page);
    // Again while it runs: asked, and "Don't export" sends nothing.
    await page.click(tid('export-button'));
    await page.waitForSelector(`${tid('duplicate-prompt')}:not([hidden])`);
    assert.match(await page.textContent(tid('duplicate-text')), new RegExp(`^Task ${first} is already exporting these images to ${BUCKET}`));
    await page.click(tid('duplicate-stop'));
    await page.waitForSelector(`${tid('duplicate-prompt')}[hidden]`, { state: 'attached' });
    assert.equal((await ledger()).taskCount, 1, 'no second task');
    // Asked again, then the form changes: the question (about the old parameters) is withdrawn.
    await page.click(tid('export-button'));
    await page.waitForSelector(`${tid('duplicate-prompt')}:not([hidden])`);
    await page.fill(tid('prefix-input'), 'nightly');
    await page.waitForSelector(`${tid('duplicate-prompt')}[hidden]`, { state: 'attached' });
    assert.equal((await ledger()).taskCount, 1, 'still no second task');
    // Another prefix is another export: no question.
    const other = await exportImages(page, []);
    assert.equal((await ledger()).taskCount, 2);
    // The first again, after it finished: still asked (within the hour), and "Export again" sends it.
    await page.fill(tid('prefix-input'), '');
    await page.waitForSelector(`${entry(first)}[data-state="ready"]`);
    const third = await exportImages(page, [], { again: true });
    assert.equal((await ledger()).taskCount, 3);
    assert.deepEqual(await page.locator(entry()).evaluateAll((els) => els.map((e) => Number(e.dataset.taskId))), [third, other, first]);
    // The two newer ones are watched at the same time and both finish.
    await page.waitForSelector(`${entry(other)}[data-state="ready"]`);
    await page.waitForSelector(`${entry(third)}[data-state="ready"]`);
  });
});

test("the activity log shows what the client did between send and answer (its onEvent): a clock correction and the retry it caused", { timeout: TEST_TIMEOUT }, async () => {
  await withPage({}, async (page) => {
    // The emulator's clock runs 15 min ahead: the first ExportImages is refused as
    // AuthFailure.SignatureExpire (nothing ran), the client takes the server's time and re-signs.
    await admin('/__admin/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clockOffsetSeconds: 900 }) });
    const before = (await ledger()).taskCount;
    const taskId = await exportImages(page);
    assert.ok(taskId > 0);
    assert.equal((await ledger()).taskCount, before + 1, 'one task: the refused attempt did not run');
    const lines = await page.locator(tid('activity-item')).allInnerTexts();
    const log = lines.join('\n');
    assert.match(log, /Clock\s+Corrected by (89\d|90\d) s to the server's time/);
    assert.match(log, /ExportImages\s+Retrying \(attempt 2\) because this computer's clock is off now · AuthFailure\.SignatureExpire/);
    assert.match(log, /ExportImages\s+Attempt 2 sent to /);
    // Newest first: the retry is logged before (below) the second attempt.
    const retryAt = lines.findIndex((l) => /Retrying \(attempt 2\)/.test(l));
    const attemptAt = lines.findIndex((l) => /Attempt 2 sent/.test(l));
    assert.ok(attemptAt < retryAt, lines.join(' | '));
    assert.ok(!log.includes(CREDENTIALS.permanent.secretKey), "no secret in the log");
  });
});

test('through the edge Worker: export, list after a reload, progress and downloads; no key sent, quiet console', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({ mode: 'worker', exportMs: 6000 }, async (page, session) => {
    assert.equal(await page.isChecked(tid('mode-worker')), true);
    assert.match(await page.textContent(tid('worker-note')), /Signed in as tester@example\.com/);
    const taskId = await exportImages(page);
    await page.waitForSelector(`${entry(taskId)}[data-state="exporting"]`);
    assert.equal(await page.textContent(tid('exports-source')), 'kept by the edge Worker');
    const l = await ledger();
    assert.equal(l.tasks.at(-1).TaskId, taskId);
    assert.equal(l.tasks.at(-1).SecretId, CREDENTIALS.permanent.secretId, 'signed by the Worker');
    // The page sent the export to the Worker with the Access token, and no TC3-signed API request.
    const toWorker = session.requests.filter((r) => r.url.startsWith(worker.url));
    const post = toWorker.find((r) => r.method === 'POST');
    assert.equal(new URL(post.url).pathname, '/export-images');
    assert.match(post.headers['cf-access-jwt-assertion'] ?? '', /^ey/);
    assert.ok(!post.headers.authorization, 'no TC3 Authorization from the page');
    assert.ok(!session.requests.some((r) => r.headers['x-tc-action'] === 'ExportImages'), 'no ExportImages from the page');

    // Reload: the list comes from GET /exports, and the wait goes on through GET /exports/{TaskId}.
    await session.open();
    await page.waitForSelector(entry(taskId));
    await page.waitForSelector(`${entry(taskId)}[data-state="ready"]`, { timeout: 30_000 });
    const key = await page.getAttribute(`${entry(taskId)} ${tid('file-row')}`, 'data-key');
    assert.deepEqual(await downloadBytes(page, taskId, key), objectBody(BUCKET, key));
    assert.ok(session.requests.some((r) => r.method === 'GET' && new URL(r.url).pathname === '/exports'));
    assert.ok(session.requests.some((r) => r.method === 'GET' && new URL(r.url).pathname === `/exports/${taskId}`));
    assert.equal(session.requests.filter((r) => new URL(r.url).pathname.startsWith('/cos/') && r.method === 'HEAD').length, 0, 'the page polled no COS object itself');
    // A quiet console: the Worker answers 200 while the files are pending.
    assert.deepEqual(errorsIn(session), [], 'no console error during the wait');
    // Nothing of the Access token or a key in the DOM or in storage.
    const token = await page.inputValue(tid('access-token'));
    assert.ok(token.length > 20);
    const html = await page.content();
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    for (const secret of [token, CREDENTIALS.permanent.secretKey]) {
      assert.ok(!html.includes(secret), 'secret in the DOM');
      assert.ok(!storage.includes(secret), 'secret in storage');
    }
    assert.equal(storage, '{}{}', 'Worker mode keeps nothing in the browser');
  });
});

test('a wait in this browser: the console holds no error (the page polls with COS listings, 200 while files are pending)', { timeout: TEST_TIMEOUT }, async () => {
  assert.equal(pkg.features.probeList, true, 'this build of the library has probe: "list"');
  await withPage({ exportMs: 6000 }, async (page, session) => {
    const taskId = await exportImages(page, ['img-pq5pau1w', 'img-0000ffff']);
    await page.waitForSelector(`${entry(taskId)}[data-state="ready"]`);
    const cos = (await ledger()).cos.recent;
    assert.ok(cos.filter((r) => r.key === '/' && r.method === 'GET' && r.code === 'Success').length >= 2, 'polled with listings');
    assert.equal(cos.filter((r) => r.code === 'NoSuchKey').length, 0, 'no 404 from COS');
    assert.deepEqual(errorsIn(session), [], 'no console error during the wait');
  });
});

test('screenshots at 1280 and 420 px; at 420 the Send bar stays in view and the table says it scrolls', { timeout: TEST_TIMEOUT }, async () => {
  await mkdir(OUTPUT_DIR, { recursive: true });
  await withPage({ width: 420, height: 860, exportMs: 4000 }, async (page) => {
    // The Send action is on screen at the top of the page and after scrolling to the images.
    const inView = async (sel) => page.locator(sel).evaluate((n) => { const r = n.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; });
    assert.ok(await inView(tid('export-button')), 'Export is on screen at first');
    await page.locator(tid('images-area')).scrollIntoViewIfNeeded();
    assert.ok(await inView(tid('export-button')), 'Export is on screen beside the table');
    assert.equal(await page.isVisible(tid('table-scroll-hint')), true, 'the table says it scrolls sideways');
    await page.screenshot({ path: join(OUTPUT_DIR, 'console-420-first.png') });
    const taskId = await exportImages(page, ['img-pq5pau1w', 'img-0000ffff']);
    await page.waitForFunction((sel) => { const r = document.querySelector(sel)?.getBoundingClientRect(); return r && r.top < innerHeight && r.bottom > 0; }, entry(taskId), POLL);
    await page.screenshot({ path: join(OUTPUT_DIR, 'console-420-progress.png') });
    await page.waitForSelector(`${entry(taskId)}[data-state="ready"]`);
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 420, 'no sideways scroll of the page itself');
  });
  await withPage({ width: 1280, height: 900, exportMs: 12_000 }, async (page) => {
    const ready = await exportImages(page, ['img-0000ffff']);
    await page.waitForSelector(`${entry(ready)}[data-state="ready"]`, { timeout: 20_000 });
    await page.locator(`${tid('image-checkbox')}[data-image-id="img-0000ffff"]`).uncheck();
    const running = await exportImages(page, ['img-pq5pau1w', 'img-72n9mi0y']);
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.ready) >= 1, entry(running), POLL);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUTPUT_DIR, 'console-1280.png') });
  });
});
