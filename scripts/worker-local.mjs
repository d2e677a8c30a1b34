#!/usr/bin/env node
// The example Worker (examples/worker) running locally in workerd (Miniflare), against the
// emulator's CVM API, COS and Cloudflare Access stand-in — what `make demo` starts beside the
// emulator. No credentials: the emulator's test key and its Access key are local test values.
//
//   node scripts/worker-local.mjs [--emulator http://127.0.0.1:8787] [--port 8788]
//   import { startLocalWorker } from './scripts/worker-local.mjs'  (tests: { url, mf, stop })
//
// Bundled as wrangler bundles it (esbuild, the `workerd` export condition of tc3-edge — here
// pkg/ itself — the .wasm as a CompiledWasm module, `cloudflare:*` left to the runtime).
// Durable Objects (EXPORT_TASKS, EXPORT_QUOTA) live in memory for the run: the caller's exports
// survive page reloads, and are forgotten with the emulator's tasks when the demo stops (the
// emulator numbers its TaskIds from the same first value at every start, so stored tasks of an
// earlier run would collide with new ones). tests/workers/export-tasks.test.js shows the state
// surviving a restart with persisted storage.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { ACCESS_AUD } from '../emulator/access.js';
import { CREDENTIALS } from '../emulator/account.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bundles and starts the Worker on 127.0.0.1:`port` (0: any free port) for the emulator at
 * `emulatorUrl`. Resolves to { url, mf, bindings, stop }.
 */
export async function startLocalWorker({ emulatorUrl = 'http://127.0.0.1:8787', port = 8788, bindings: extra = {} } = {}) {
  const emulator = new URL(emulatorUrl).origin; // no trailing slash: it is the Access team domain
  const out = await mkdtemp(join(tmpdir(), 'tc3-edge-worker-local-'));
  try {
    await esbuild.build({
      entryPoints: { index: join(REPO, 'examples/worker/src/index.js') }, outdir: out, bundle: true, format: 'esm',
      platform: 'neutral', target: 'es2022', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'],
      alias: { 'tc3-edge': join(REPO, 'pkg', 'workerd.js') }, loader: { '.wasm': 'copy' }, assetNames: '[name]-[hash]',
      external: ['cloudflare:*'], logLevel: 'warning',
    });
    const compatibilityDate = /^\s*compatibility_date\s*=\s*"([\d-]+)"/m.exec(await readFile(join(REPO, 'examples/worker/wrangler.toml'), 'utf8'))[1];
    // The page is served by the emulator: its origin is the one the Worker lets in (both spellings).
    const pageOrigins = [emulator, emulator.replace('127.0.0.1', 'localhost')];
    const bindings = {
      TC_SECRET_ID: CREDENTIALS.permanent.secretId,
      TC_SECRET_KEY: CREDENTIALS.permanent.secretKey,
      TC_REGION: 'ap-guangzhou',
      TC_ENDPOINT: emulator,
      TC_COS_ENDPOINT: `${emulator}/cos/{Bucket}`,
      TC_LANGUAGE: 'en-US',
      ACCESS_TEAM_DOMAIN: emulator,
      ACCESS_AUD,
      ALLOWED_ORIGINS: pageOrigins.join(','),
      CALLER_LIMIT_PER_MINUTE: '30',
      READ_LIMIT_PER_MINUTE: '600',
      ...extra,
    };
    const mf = new Miniflare({
      host: '127.0.0.1',
      port,
      modules: true,
      scriptPath: join(out, 'index.js'),
      modulesRoot: out,
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate,
      bindings,
      durableObjects: { EXPORT_TASKS: { className: 'ExportTasks', useSQLite: true }, EXPORT_QUOTA: { className: 'ExportQuota', useSQLite: true } },
      // workerd refuses loopback destinations by default; the emulator is on loopback.
      outboundService: { network: { allow: ['public', 'private', 'local'] } },
    });
    const url = await mf.ready;
    const stop = async () => {
      await mf.dispose();
      await rm(out, { recursive: true, force: true });
    };
    return { url: url.origin, mf, bindings, stop };
  } catch (e) {
    await rm(out, { recursive: true, force: true });
    throw e;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { emulator: { type: 'string', default: 'http://127.0.0.1:8787' }, port: { type: 'string', default: '8788' } },
  });
  const emulator = new URL(values.emulator).origin;
  const worker = await startLocalWorker({ emulatorUrl: emulator, port: Number(values.port) });
  console.log(`tc3-edge example Worker (workerd) listening on ${worker.url}`);
  console.log(`  Access team domain ${emulator}, AUD ${ACCESS_AUD}; allowed origins ${worker.bindings.ALLOWED_ORIGINS}`);
  console.log(`  a token for the test user: curl ${emulator}/__access/token  (send it as Cf-Access-Jwt-Assertion)`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      await worker.stop();
      process.exit(0);
    });
  }
}
