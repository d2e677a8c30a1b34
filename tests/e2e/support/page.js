// Shared set-up of the console e2e tests (tests/e2e/console.test.js): a checked snapshot of pkg/,
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
