// Builds the example Worker the way wrangler does (esbuild, `workerd` export condition, the
// .wasm kept as a separate module) against the packed package, and runs it in workerd through
// Miniflare, with outbound fetches allowed to loopback (where the emulator listens).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { CREDENTIALS } from '../../../emulator/account.js';
import { installPackedPackage, REPO } from '../../bundlers/support/pack.js';

export const WORKER_DIR = join(REPO, 'examples', 'worker');
export const ORIGIN = 'https://console.example.com';
export const WORKER_URL = 'http://worker.test/export-images';

/** compatibility_date from the example's wrangler.toml, so the test runs what would deploy. */
export function compatibilityDate() {
  const toml = readFileSync(join(WORKER_DIR, 'wrangler.toml'), 'utf8');
  const m = toml.match(/^\s*compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m);
  if (!m) throw new Error('wrangler.toml has no compatibility_date');
  if (/nodejs_compat/.test(toml.replace(/#.*$/gm, ''))) throw new Error('wrangler.toml must not enable nodejs_compat');
  return m[1];
}

/** Bundles `entry` for workerd with the installed tarball. Returns { outDir, scriptPath, cleanup }. */
export async function bundleForWorkerd(entry, nodeModules) {
  const outDir = await mkdtemp(join(tmpdir(), 'tc3-edge-worker-'));
  const result = await esbuild.build({
    entryPoints: { index: entry },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    nodePaths: [nodeModules],
    loader: { '.wasm': 'copy' }, // stays an `import x from "./….wasm"` → a CompiledWasm module
    external: ['cloudflare:*'], // the runtime's own modules (cloudflare:workers), as wrangler leaves them
    assetNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'silent',
  });
  return { outDir, scriptPath: join(outDir, 'index.js'), metafile: result.metafile, cleanup: () => rm(outDir, { recursive: true, force: true }) };
}

/** Packs + bundles the example Worker once. Returns { scriptPath, metafile, cleanup }. */
export async function buildExampleWorker() {
  const installed = await installPackedPackage('tc3-edge-worker-pack-');
  try {
    const bundle = await bundleForWorkerd(join(WORKER_DIR, 'src', 'index.js'), installed.nodeModules);
    return {
      ...bundle,
      cleanup: async () => { await bundle.cleanup(); await installed.cleanup(); },
    };
  } catch (e) {
    await installed.cleanup();
    throw e;
  }
}

/**
 * Packs and installs the package, writes `source` as a Worker's entry (worker.js) in a new
 * folder and bundles it for workerd; `prefix` names the temporary folders. Returns
 * { scriptPath, metafile, cleanup } (cleanup removes the bundle, the install and the folder).
 */
export async function bundleEntry(source, prefix) {
  const installed = await installPackedPackage(prefix);
  let srcDir;
  try {
    srcDir = await mkdtemp(join(tmpdir(), `${prefix}src-`));
    await writeFile(join(srcDir, 'worker.js'), source);
    const bundle = await bundleForWorkerd(join(srcDir, 'worker.js'), installed.nodeModules);
    return {
      ...bundle,
      cleanup: async () => {
        await bundle.cleanup();
        await installed.cleanup();
        await rm(srcDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await installed.cleanup();
    if (srcDir) await rm(srcDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Starts workerd with the bundled script. `bindings` are the Worker's vars/secrets.
 * Outbound fetches go through a `network` service that allows loopback (workerd's default
 * outbound refuses local addresses). `output`: an array that collects workerd's stdout/stderr
 * (the Worker's console), instead of printing it. `compatibilityDate`: another date than the
 * example's (the library must work from 2023-01-01 on).
 */
export async function startWorker(scriptPath, bindings, { output, compatibilityDate: date, options = {} } = {}) {
  const capture = output
    ? { handleRuntimeStdio(stdout, stderr) { for (const s of [stdout, stderr]) s.on('data', (d) => output.push(String(d))); } }
    : {};
  const mf = new Miniflare({
    ...capture,
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath), // module names relative to the bundle's folder
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: date ?? compatibilityDate(),
    bindings,
    outboundService: { network: { allow: ['public', 'private', 'local'] } },
    ...options, // e.g. durableObjects, durableObjectsPersist
  });
  await mf.ready;
  return mf;
}

/** The example Worker's Durable Object bindings, as wrangler.toml declares them (SQLite-backed). */
export const EXAMPLE_DURABLE_OBJECTS = {
  EXPORT_TASKS: { className: 'ExportTasks', useSQLite: true },
  EXPORT_QUOTA: { className: 'ExportQuota', useSQLite: true },
};

/** The Access settings that make the example Worker trust the emulator's Access stand-in. */
export const accessBindings = (emu) => ({ ACCESS_TEAM_DOMAIN: emu.access.issuer, ACCESS_AUD: emu.access.aud });

/**
 * The example Worker's vars and secrets against the emulator (its CVM API, COS and Access
 * stand-ins): the permanent key, ap-guangzhou, ORIGIN allowed, 1000 exports a caller a minute.
 * `extra` adds or overrides.
 */
export const exampleBindings = (emu, extra = {}) => ({
  TC_SECRET_ID: CREDENTIALS.permanent.secretId,
  TC_SECRET_KEY: CREDENTIALS.permanent.secretKey,
  TC_REGION: 'ap-guangzhou',
  TC_ENDPOINT: emu.url,
  TC_COS_ENDPOINT: `${emu.url}cos/{Bucket}`,
  ALLOWED_ORIGINS: ORIGIN,
  CALLER_LIMIT_PER_MINUTE: '1000',
  ...accessBindings(emu),
  ...extra,
});

/**
 * POSTs JSON to the Worker as a browser on `origin` from `ip` would, with `token` as the Access
 * assertion (none when absent). Returns { status, headers, body }.
 */
export async function post(mf, params, { origin = ORIGIN, ip = '203.0.113.7', headers = {}, raw, token } = {}) {
  return request(mf, 'POST', '/export-images', { origin, ip, token, raw: raw ?? JSON.stringify(params), headers: { 'Content-Type': 'application/json', ...headers } });
}

/** Any request to the Worker at `path`. Returns { status, headers, body } (body parsed if JSON). */
export async function request(mf, method, path, { origin = ORIGIN, ip = '203.0.113.7', headers = {}, raw, token, signal } = {}) {
  const h = { 'CF-Connecting-IP': ip, ...headers };
  if (origin) h.Origin = origin;
  if (token) h['Cf-Access-Jwt-Assertion'] = token;
  const res = await mf.dispatchFetch(new URL(path, WORKER_URL), { method, headers: h, body: raw, signal });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
}

export async function ledger(emu) {
  const res = await fetch(new URL('/__admin/ledger', emu.url));
  return res.json();
}

export async function resetEmulator(emu) {
  await fetch(new URL('/__admin/reset', emu.url), { method: 'POST' });
}
