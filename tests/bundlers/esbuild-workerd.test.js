// tc3-edge installed from its tarball, bundled by esbuild for Workers (`platform: 'neutral'`,
// conditions workerd/worker/browser, the .wasm kept as its own module as wrangler does) and run
// in workerd via Miniflare: ONE signed ExportImages request that the emulator accepts.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { bundleForWorkerd, startWorker } from '../workers/support/worker.js';
import { installPackedPackage } from './support/pack.js';

const ENTRY = `
import { CvmClient, TencentCloudError } from "tc3-edge";

let client; // module-level, created on first use
export default {
  async fetch(request, env) {
    client ??= new CvmClient({
      credential: { secretId: env.ID, secretKey: env.KEY },
      region: "ap-guangzhou",
      profile: { httpProfile: { endpoint: env.ENDPOINT } },
    });
    try {
      return Response.json({ ok: true, res: await client.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-0000ffff"], FileNamePrefixList: ["esbuild"] }) });
    } catch (e) {
      return Response.json({ ok: false, isTce: e instanceof TencentCloudError, code: e.code, message: e.message }, { status: 500 });
    }
  },
};
`;

// The sign-only entry in a Worker: signRequest, then the Worker's own fetch to the emulator,
// which checks the signature with the official signer.
const SIGN_ENTRY = `
import { signRequest, TencentCloudError } from "tc3-edge/sign";

export default {
  async fetch(request, env) {
    try {
      const signed = signRequest({
        secretId: env.ID, secretKey: env.KEY, action: "ExportImages", region: "ap-guangzhou",
        endpoint: env.ENDPOINT, host: "cvm.tencentcloudapi.com",
        payload: { BucketName: "backup-1250000000", ImageIds: ["img-0000ffff"], FileNamePrefixList: ["lean"] },
      });
      const res = await fetch(signed.url, { method: signed.method, headers: { ...signed.headers, Host: "cvm.tencentcloudapi.com" }, body: signed.body });
      return Response.json({ ok: true, url: signed.url, res: await res.json() });
    } catch (e) {
      return Response.json({ ok: false, isTce: e instanceof TencentCloudError, code: e.code, message: e.message }, { status: 500 });
    }
  },
};
`;

let emu;
let installed;
let srcDir;
let bundle;
let mf;
let signBundle;
let signMf;

before(async () => {
  emu = await startEmulator({ port: 0 });
  installed = await installPackedPackage('tc3-edge-esbuild-');
  srcDir = await mkdtemp(join(tmpdir(), 'tc3-edge-esbuild-src-'));
  await writeFile(join(srcDir, 'worker.js'), ENTRY);
  bundle = await bundleForWorkerd(join(srcDir, 'worker.js'), installed.nodeModules);
  mf = await startWorker(bundle.scriptPath, { ID: CREDENTIALS.permanent.secretId, KEY: CREDENTIALS.permanent.secretKey, ENDPOINT: emu.url });
  await writeFile(join(srcDir, 'sign-worker.js'), SIGN_ENTRY);
  signBundle = await bundleForWorkerd(join(srcDir, 'sign-worker.js'), installed.nodeModules);
  signMf = await startWorker(signBundle.scriptPath, { ID: CREDENTIALS.permanent.secretId, KEY: CREDENTIALS.permanent.secretKey, ENDPOINT: emu.url });
});

after(async () => {
  await mf?.dispose();
  await signMf?.dispose();
  await signBundle?.cleanup();
  await emu?.close();
  await bundle?.cleanup();
  await installed?.cleanup();
  if (srcDir) await rm(srcDir, { recursive: true, force: true });
});

test('esbuild (neutral, workerd condition) → workerd: one signed ExportImages accepted by the emulator', { timeout: 45_000 }, async () => {
  const inputs = Object.keys(bundle.metafile.inputs);
  assert.ok(inputs.some((f) => f.endsWith('node_modules/tc3-edge/workerd.js')), `the workerd entry was bundled: ${inputs.join(', ')}`);
  assert.ok(!inputs.some((f) => /tc3-edge\/(browser|node)\.js$/.test(f)), 'no other entry was bundled');
  const outputs = Object.keys(bundle.metafile.outputs);
  assert.equal(outputs.filter((f) => f.endsWith('.wasm')).length, 1, 'the wasm is a separate module');

  const before = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  const res = await mf.dispatchFetch('http://worker.test/');
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.ok, true);
  const l = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  assert.equal(l.taskCount, before.taskCount + 1);
  assert.equal(l.requests.total, before.requests.total + 1);
  const task = l.tasks.find((x) => x.TaskId === body.res.TaskId);
  assert.equal(task.RequestId, body.res.RequestId);
  assert.deepEqual(task.FileNamePrefixList, ['esbuild']);
});

test('tc3-edge/sign → workerd: the sign-only module signs a request the emulator accepts', { timeout: 45_000 }, async () => {
  const inputs = Object.keys(signBundle.metafile.inputs);
  assert.ok(inputs.some((f) => f.endsWith('node_modules/tc3-edge/sign/workerd.js')), `the sign-only workerd entry was bundled: ${inputs.join(', ')}`);
  // The entries carry their glue (scripts/entries.mjs): the full module shows as its wasm.
  assert.ok(inputs.some((f) => /tc3-edge\/gen\/sign\/tc3_edge_bg\.wasm$/.test(f)), `the sign-only wasm was bundled: ${inputs.join(', ')}`);
  assert.ok(!inputs.some((f) => /tc3-edge\/gen\/tc3_edge(\.js|_bg\.wasm)$/.test(f)), 'the full module was not bundled');
  const wasm = Object.keys(signBundle.metafile.outputs).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, 'one wasm module');

  const before = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  const res = await signMf.dispatchFetch('http://worker.test/');
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.ok, true);
  assert.ok(body.res.Response.TaskId > 0, JSON.stringify(body.res));
  const l = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  assert.equal(l.taskCount, before.taskCount + 1);
  assert.deepEqual(l.tasks.find((x) => x.TaskId === body.res.Response.TaskId).FileNamePrefixList, ['lean']);
});
