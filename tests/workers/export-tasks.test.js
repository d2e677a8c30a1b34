// Exports belong to whoever started them, and are watched at the edge (issue #16), in workerd
// via Miniflare against the emulator's CVM API, COS and Access stand-in:
//   - POST /export-images records the task in the caller's own ExportTasks object before it
//     answers; GET /exports and GET /exports/{TaskId} answer the caller's tasks only (another
//     caller's TaskId is the same 404 as an unknown one);
//   - the object's alarm watches COS with no console polling; a GET reads the stored state
//     (no COS request) plus fresh links; an older object under the same key (an earlier
//     export's file) does not count;
//   - the record survives a restart with persisted storage, and a caller that drops the
//     connection; a chunked body is cut at 16 KiB + 1; ALLOWED_BUCKETS is enforced first.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { objectBody } from '../../emulator/cos.js';
import { startEmulator } from '../../emulator/server.js';
import { buildExampleWorker, EXAMPLE_DURABLE_OBJECTS, exampleBindings, ledger, post, request, startWorker, WORKER_URL, ORIGIN } from './support/worker.js';

const BUCKET = 'backup-1250000000';
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
let emu;
let worker;
let mf;
const started = [];
const output = [];
let n = 0;

const bindings = (extra = {}) => exampleBindings(emu, { READ_LIMIT_PER_MINUTE: '10000', ...extra });

async function start(b = bindings(), options = {}) {
  const m = await startWorker(worker.scriptPath, b, { output, options: { durableObjects: EXAMPLE_DURABLE_OBJECTS, ...options } });
  started.push(m);
  return m;
}

/** A new caller: its own Access identity. */
async function caller(name = 'user') {
  return emu.access.sign({ email: `${name}${++n}@example.com` });
}

async function exportAs(target, token, params = {}) {
  const r = await post(target, { BucketName: BUCKET, ImageIds: ['img-72n9mi0y'], FileNamePrefixList: [`t${++n}`], ...params }, { token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** Polls `fn` (every 100 ms, at most `ms`) until it returns a truthy value. */
async function until(fn, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const cosRequestsFor = (l, keys) => l.cos.recent.filter((e) => e.bucket === BUCKET && keys.includes(e.key));
const setExportMs = (ms) => fetch(new URL('/__admin/config', emu.url), { method: 'POST', body: JSON.stringify({ exportTaskMs: ms }) });

before(async () => {
  emu = await startEmulator({ port: 0, exportTaskMs: 1500, maxRunningExportTasks: 10_000 });
  worker = await buildExampleWorker();
  mf = await start();
});

after(async () => {
  for (const m of started) await m.dispose();
  await emu?.close();
  await worker?.cleanup();
});

describe('exports belong to whoever started them', () => {
  test('a valid caller exports; the task is listed and shown to it, with the same answer as before', async () => {
    const me = await caller();
    const task = await exportAs(mf, me);
    assert.deepEqual(Object.keys(task).sort(), ['CosPaths', 'RequestId', 'TaskId']);
    const list = await request(mf, 'GET', '/exports', { token: me });
    assert.equal(list.status, 200);
    assert.equal(list.body.exports.length, 1);
    const [e] = list.body.exports;
    assert.equal(e.TaskId, task.TaskId);
    assert.equal(e.BucketName, BUCKET);
    assert.deepEqual(e.CosPaths, task.CosPaths);
    assert.ok(['exporting', 'ready'].includes(e.state));
    assert.equal(e.total, task.CosPaths.length);
    assert.ok(Math.abs(Date.parse(e.createdAt) - Date.now()) < 60_000, 'createdAt: ISO 8601 from the Worker clock');
    const one = await request(mf, 'GET', `/exports/${task.TaskId}`, { token: me });
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.files.map((f) => f.key), task.CosPaths);
  });

  test("a second caller gets 404 for the first's TaskId — the same answer as an unknown one — and an empty list", async () => {
    const first = await caller('first');
    const second = await caller('second');
    const task = await exportAs(mf, first);
    const theirs = await request(mf, 'GET', `/exports/${task.TaskId}`, { token: second });
    const unknown = await request(mf, 'GET', '/exports/999999999', { token: second });
    assert.equal(theirs.status, 404);
    assert.deepEqual(theirs.body, unknown.body, 'indistinguishable from a TaskId that never existed');
    assert.equal(theirs.body.error.code, 'Worker.NotFound');
    const list = await request(mf, 'GET', '/exports', { token: second });
    assert.deepEqual(list.body, { exports: [] });
    const notAnId = await request(mf, 'GET', '/exports/abc', { token: second });
    assert.equal(notAnId.status, 404);
  });

  test('the list is newest first', async () => {
    const me = await caller();
    const a = await exportAs(mf, me);
    await sleep(5);
    const b = await exportAs(mf, me);
    const list = await request(mf, 'GET', '/exports', { token: me });
    assert.deepEqual(list.body.exports.map((e) => e.TaskId), [b.TaskId, a.TaskId]);
  });

  test('the list holds the newest 100', async () => {
    const me = await caller();
    const made = [];
    for (let i = 0; i < 101; i += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, 101 - i) }, () => exportAs(mf, me, { OnlyExportRootDisk: true })));
      made.push(...batch.map((t) => t.TaskId));
      await sleep(5); // createdAt strictly grows between batches
    }
    const list = await request(mf, 'GET', '/exports', { token: me });
    assert.equal(list.body.exports.length, 100);
    const listed = list.body.exports.map((e) => e.TaskId);
    const missing = made.filter((id) => !listed.includes(id));
    assert.equal(missing.length, 1);
    assert.ok(made.slice(0, 20).includes(missing[0]), 'the one left out is of the oldest batch');
    const times = list.body.exports.map((e) => Date.parse(e.createdAt));
    assert.deepEqual(times, [...times].sort((x, y) => y - x), 'newest first');
  });

  test('ALLOWED_BUCKETS: another bucket is 403 Worker.BucketNotAllowed before anything is sent', async () => {
    const m = await start(bindings({ ALLOWED_BUCKETS: 'images-1250000000, b-1250000000' }));
    const me = await caller();
    const before = await ledger(emu);
    const r = await post(m, { BucketName: BUCKET, ImageIds: ['img-72n9mi0y'] }, { token: me });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'Worker.BucketNotAllowed');
    assert.equal((await ledger(emu)).requests.total, before.requests.total, 'nothing reached CVM');
    const ok = await post(m, { BucketName: 'images-1250000000', ImageIds: ['img-72n9mi0y'] }, { token: me });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

describe('watched at the edge', () => {
  test('files appearing with no console polling are seen by the alarm; a GET reads stored state, with links that download', async () => {
    const me = await caller();
    const task = await exportAs(mf, me);
    // No GET to the Worker meanwhile: wait, on the emulator's side, until each file was seen present.
    await until(async () => {
      const seen = cosRequestsFor(await ledger(emu), task.CosPaths).filter((e) => e.code === 'Success');
      return task.CosPaths.every((k) => seen.some((e) => e.key === k));
    }, 20_000, 'the alarm to find every file');
    const looked = cosRequestsFor(await ledger(emu), task.CosPaths).length;
    assert.ok(looked >= task.CosPaths.length + 1, 'looked more than once: first at once (pending), then again');
    const r = await until(async () => {
      const x = await request(mf, 'GET', `/exports/${task.TaskId}`, { token: me });
      return x.body.state === 'ready' && x;
    }, 5_000, 'the stored state to say ready');
    assert.equal(r.body.ready, task.CosPaths.length);
    // Reading is free of COS requests: polling does not multiply them.
    const before = (await ledger(emu)).cos.total;
    for (let i = 0; i < 5; i++) await request(mf, 'GET', `/exports/${task.TaskId}`, { token: me });
    await request(mf, 'GET', '/exports', { token: me });
    assert.equal((await ledger(emu)).cos.total, before, 'GETs sent no COS request');
    for (const f of r.body.files) {
      assert.equal(f.state, 'ready');
      assert.ok(f.size > 0 && f.etag && f.lastModified);
      const got = await fetch(f.url);
      assert.equal(got.status, 200, f.key);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), objectBody(BUCKET, f.key));
    }
    // Fresh links at each answer, not stored ones.
    const again = await request(mf, 'GET', `/exports/${task.TaskId}`, { token: me });
    assert.ok(again.body.files.every((f) => typeof f.url === 'string' && f.url.includes('q-signature=')));
  });

  test("a stale object (Last-Modified before createdAt − 60 s: an earlier export's file) stays pending until a fresh one appears", async () => {
    const me = await caller();
    const prefix = `stale${++n}`;
    // An earlier export wrote the same keys 10 minutes ago (the emulator's COS serves them now).
    const paths = [`/${prefix}_img-pq5pau1w_system_snap-fiux4bof.raw`];
    emu.state.tasks.push({ TaskId: 1, BucketName: BUCKET, CosPaths: paths, CreatedAt: Date.now() - 600_000, ExportMs: 0, ImageIds: ['img-pq5pau1w'], SecretId: 'earlier', Region: 'ap-guangzhou', FileNamePrefixList: [prefix] });
    await setExportMs(4000);
    const task = await exportAs(mf, me, { ImageIds: ['img-pq5pau1w'], FileNamePrefixList: [prefix] });
    await setExportMs(1500);
    assert.deepEqual(task.CosPaths, paths);
    // The alarm's first look finds the old object...
    await until(async () => cosRequestsFor(await ledger(emu), paths).some((e) => e.code === 'Success'), 5_000, 'a look at the old object');
    const early = await request(mf, 'GET', `/exports/${task.TaskId}`, { token: me });
    assert.equal(early.body.state, 'exporting', JSON.stringify(early.body));
    assert.equal(early.body.ready, 0);
    assert.equal(early.body.files[0].state, 'pending');
    assert.equal(early.body.files[0].url, undefined, 'no link to the old file');
    // ...and the new one, once written, counts.
    const done = await until(async () => {
      const x = await request(mf, 'GET', `/exports/${task.TaskId}`, { token: me });
      return x.body.state === 'ready' && x;
    }, 20_000, 'the fresh object');
    assert.ok(Date.parse(done.body.files[0].lastModified) >= Date.parse(done.body.createdAt) - 60_000);
  });

  test('a definite COS error fails the task with its code; a task past TASK_TIMEOUT_HOURS is timed-out', async () => {
    // COS requests to a bucket COS does not know (the cosEndpoint names another one).
    const noBucket = await start(bindings({ TC_COS_ENDPOINT: `${emu.url}cos/gone{Bucket}` }));
    const me = await caller();
    const t1 = await exportAs(noBucket, me);
    const failed = await until(async () => {
      const x = await request(noBucket, 'GET', `/exports/${t1.TaskId}`, { token: me });
      return x.body.state === 'failed' && x;
    }, 10_000, 'the failed state');
    assert.equal(failed.body.code, 'NoSuchBucket');
    // 0.0005 h = 1.8 s; the export itself takes a minute.
    const slow = await start(bindings({ TASK_TIMEOUT_HOURS: '0.0005' }));
    await setExportMs(60_000);
    const t2 = await exportAs(slow, me);
    await setExportMs(1500);
    const timedOut = await until(async () => {
      const x = await request(slow, 'GET', `/exports/${t2.TaskId}`, { token: me });
      return x.body.state === 'timed-out' && x;
    }, 15_000, 'the timed-out state');
    assert.equal(timedOut.body.ready, 0);
  });
});

describe('durable', () => {
  test('the record survives a restart of the runtime with persisted storage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tc3-edge-do-'));
    try {
      const me = await caller();
      const first = await startWorker(worker.scriptPath, bindings(), { output, options: { durableObjects: EXAMPLE_DURABLE_OBJECTS, durableObjectsPersist: dir } });
      const task = await exportAs(first, me);
      await first.dispose();
      const second = await startWorker(worker.scriptPath, bindings(), { output, options: { durableObjects: EXAMPLE_DURABLE_OBJECTS, durableObjectsPersist: dir } });
      try {
        const list = await request(second, 'GET', '/exports', { token: me });
        assert.deepEqual(list.body.exports.map((e) => e.TaskId), [task.TaskId]);
        // And the watch goes on in the new runtime: the alarm was stored too.
        const done = await until(async () => {
          const x = await request(second, 'GET', `/exports/${task.TaskId}`, { token: me });
          return x.body.state === 'ready' && x;
        }, 20_000, 'the task to become ready after the restart');
        assert.equal(done.body.ready, task.CosPaths.length);
      } finally {
        await second.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a caller that drops the connection mid-call still leaves its TaskId recorded', async () => {
    const me = await caller();
    const before = await ledger(emu);
    // CVM answers after 1.5 s; the caller gives up after 300 ms.
    await fetch(new URL('/__admin/faults', emu.url), { method: 'POST', body: JSON.stringify({ latencyMs: 1500 }) });
    try {
      // A real socket to the runtime, closed while the Worker waits for CVM.
      const url = new URL('/export-images', await mf.ready);
      await new Promise((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN, 'Cf-Access-Jwt-Assertion': me } },
          () => reject(new Error('answered before the caller left')));
        req.on('error', () => {}); // the socket we destroy
        req.end(JSON.stringify({ BucketName: BUCKET, ImageIds: ['img-72n9mi0y'], FileNamePrefixList: [`drop${++n}`] }));
        setTimeout(() => { req.destroy(); resolve(); }, 300);
      });
      const l = await until(async () => {
        const x = await ledger(emu);
        return x.taskCount > before.taskCount && x;
      }, 10_000, 'the task at CVM');
      const created = l.tasks.at(-1);
      const listed = await until(async () => {
        const x = await request(mf, 'GET', '/exports', { token: me });
        return x.body.exports.length > 0 && x;
      }, 10_000, 'the TaskId in GET /exports');
      assert.deepEqual(listed.body.exports.map((e) => e.TaskId), [created.TaskId]);
    } finally {
      await fetch(new URL('/__admin/faults', emu.url), { method: 'DELETE' });
    }
  });
});

describe('body limit', () => {
  test('a 1 MiB chunked body is refused with 413 without being read whole', async () => {
    const me = await caller();
    const url = new URL('/export-images', await mf.ready); // the runtime's own listener: a real socket, chunked encoding
    const before = await ledger(emu);
    const chunk = Buffer.alloc(1024, 0x20);
    let sent = 0;
    const answer = await new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: ORIGIN, 'Cf-Access-Jwt-Assertion': me, 'Transfer-Encoding': 'chunked' },
      }, (res) => {
        clearInterval(pump);
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => { req.destroy(); resolve({ status: res.statusCode, body: JSON.parse(text) }); });
      });
      req.on('error', (e) => { if (!req.destroyed) reject(e); });
      // 1 KiB per tick up to 1 MiB, and then never the end of the body: a Worker that reads the
      // body whole before checking it never answers (the test's timeout fails it).
      const pump = setInterval(() => {
        if (sent >= 1024 * 1024) return clearInterval(pump);
        sent += chunk.length;
        req.write(chunk);
      }, 1);
      setTimeout(() => { clearInterval(pump); req.destroy(); reject(new Error(`no answer; ${sent} bytes sent`)); }, 20_000).unref();
    });
    assert.equal(answer.status, 413, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'Worker.PayloadTooLarge');
    assert.ok(sent < 1024 * 1024, `answered after ${sent} bytes, before the 1 MiB was sent`);
    assert.equal((await ledger(emu)).requests.total, before.requests.total);
  });
});
