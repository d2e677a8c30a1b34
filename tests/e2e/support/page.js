// Shared set-up of the e2e tests (console.test.js; demo.test.js and export-files.test.js use the
// emulator's admin routes and the Export click from here): a checked snapshot of pkg/,
// the emulator serving www/ and that snapshot, Debian chromium, and the example Worker run the
// way `make demo` runs it (startLocalWorker of scripts/worker-local.mjs: workerd via Miniflare,
// signed in through the emulator's Access stand-in).
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const OUTPUT_DIR = join(ROOT, 'test-output');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const LAUNCH_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic',
];
export const tid = (id) => `[data-testid="${id}"]`;
export const POLL = { polling: 100 };

/**
 * The emulator's admin routes; `url()` is read at each call (the emulator starts in `before`).
 * An answer is JSON when it says so, else text.
 */
export function emulatorAdmin(url) {
  const admin = async (path, init) => {
    const res = await fetch(new URL(path, url()), init);
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
  };
  return {
    admin,
    ledger: () => admin('/__admin/ledger'),
    setExportMs: (ms) => admin('/__admin/config', { method: 'POST', body: JSON.stringify({ exportTaskMs: ms }) }),
  };
}

/**
 * Clicks Export (answering the duplicate prompt with "Export again" when `again`) and waits for
 * the outcome of THIS click, not an earlier one; returns the result's state.
 */
export async function submitExport(page, { again = false } = {}) {
  const seq = Number(await page.getAttribute(tid('result'), 'data-seq') ?? 0);
  await page.click(tid('export-button'));
  if (again) await page.click(tid('duplicate-go'));
  await page.waitForFunction((n) => {
    const r = document.querySelector('[data-testid="result"]');
    return Number(r.dataset.seq ?? 0) > n && r.dataset.state !== 'pending';
  }, seq, POLL);
  return page.getAttribute(tid('result'), 'data-state');
}

/**
 * A copy of pkg/ whose glue and wasm belong together (pkg/gen may be rebuilt meanwhile), and
 * the optional wait features that build has: { dir, features: { notBefore, probeList } }.
 */
export async function snapshotPkg() {
  const deadline = Date.now() + 90_000;
  const check = `
    const { CvmClient } = await import(${JSON.stringify('./node.js')});
    const c = new CvmClient({ credential: { secretId: 'AKIDcheck', secretKey: 'check' }, region: 'ap-guangzhou' });
    c.signExportImages({ BucketName: 'backup-1250000000', ImageIds: ['img-pq5pau1w'] }, 1700000000);
    const accepts = (o) => c.waitForExport({ BucketName: 'backup-1250000000', CosPaths: ['/x'] }, { ...o, signal: AbortSignal.abort() })
      .then(() => true, (e) => e.code !== 'Client.InvalidOption');
    console.log(JSON.stringify({ notBefore: await accepts({ notBefore: 0 }), probeList: await accepts({ probe: 'list' }) }));`;
  for (;;) {
    const dir = await mkdtemp(join(tmpdir(), 'tc3-edge-e2e-console-pkg-'));
    await cp(join(ROOT, 'pkg'), dir, { recursive: true });
    await writeFile(join(dir, 'check.mjs'), check);
    const out = await promisify(execFile)(process.execPath, [join(dir, 'check.mjs')], { timeout: 20_000 })
      .then(({ stdout }) => ({ features: JSON.parse(stdout) }), (e) => ({ problem: String(e.stderr || e.message) }));
    await rm(join(dir, 'check.mjs'), { force: true });
    if (out.features) return { dir, features: out.features };
    await rm(dir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`pkg/ does not load (being rebuilt? run scripts/build.sh): ${out.problem}`);
    await sleep(3000);
  }
}

async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Starts the example Worker beside the emulator as `make demo` does (scripts/worker-local.mjs). */
export async function startWorkerLocal(emulatorUrl, port) {
  const { startLocalWorker } = await import('../../../scripts/worker-local.mjs');
  const worker = await startLocalWorker({ emulatorUrl, port });
  return { url: worker.url, stop: worker.stop };
}

export { freePort };
