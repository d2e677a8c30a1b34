// Issue #18 in the real Workers runtime (workerd via Miniflare), with the packed package:
// TencentCloudClient calls the emulator's STS with onEvent observing it; and what workerd's
// fetch says about a refused connection — a bare error with no cause code, so the client
// cannot know that nothing was sent: it counts as "may have executed" and does NOT fail over
// to the backup (the conservative classification; Node's undici does say ECONNREFUSED).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator } from '../../emulator/server.js';
import { installPackedPackage } from '../bundlers/support/pack.js';
import { bundleForWorkerd, startWorker } from './support/worker.js';

const ENTRY = `
import { CvmClient, TencentCloudClient, TencentCloudError } from "tc3-edge";

const credential = { secretId: "AKIDtc3edgeEmulator0000000000000000001", secretKey: "tc3edgeEmulatorSecretKey00000000001" };
const policy = JSON.stringify({ version: "2.0", statement: [{ effect: "allow", action: ["cvm:DescribeImages"], resource: "*" }] });

export default {
  async fetch(request, env) {
    const events = [];
    const onEvent = (e) => events.push(e);
    const u = new URL(request.url);
    try {
      if (u.pathname === "/sts") {
        const sts = new TencentCloudClient({ service: "sts", version: "2018-08-13", region: "ap-guangzhou", credential, onEvent,
          profile: { httpProfile: { endpoint: env.ENDPOINT } } });
        const r = await sts.request("GetFederationToken", { Name: "worker", Policy: policy });
        return Response.json({ expired: r.ExpiredTime, events });
      }
      const c = new CvmClient({ region: "ap-guangzhou", credential, onEvent, retry: false,
        profile: { httpProfile: { endpoint: env.DEAD, backupEndpoint: env.ENDPOINT } } });
      const r = await c.request("DescribeImages", {});
      return Response.json({ ok: r.RequestId, events });
    } catch (e) {
      if (!(e instanceof TencentCloudError)) throw e;
      return Response.json({ error: e.toJSON(), events }, { status: 502 });
    }
  },
};
`;

let emu;
let installed;
let srcDir;
let bundle;
let mf;
let dead;

before(async () => {
  emu = await startEmulator({ port: 0 });
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  dead = `http://127.0.0.1:${srv.address().port}/`;
  await new Promise((ok) => srv.close(ok));
  installed = await installPackedPackage('tc3-edge-observe-');
  srcDir = await mkdtemp(join(tmpdir(), 'tc3-edge-observe-src-'));
  await writeFile(join(srcDir, 'worker.js'), ENTRY);
  bundle = await bundleForWorkerd(join(srcDir, 'worker.js'), installed.nodeModules);
  mf = await startWorker(bundle.scriptPath, { ENDPOINT: emu.url, DEAD: dead });
});

after(async () => {
  await mf?.dispose();
  await emu?.close();
  await bundle?.cleanup();
  await installed?.cleanup();
  if (srcDir) await rm(srcDir, { recursive: true, force: true });
});

test('TencentCloudClient: STS GetFederationToken from a Worker, observed', { timeout: 30_000 }, async () => {
  const res = await mf.dispatchFetch('http://worker.test/sts');
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.ok(body.expired > Date.now() / 1000);
  assert.deepEqual(body.events.map((e) => [e.type, e.service ?? e.status]), [['request', 'sts'], ['response', 200]]);
  assert.match(body.events[0].traceId, /^[0-9a-f-]{36}$/);
});

test('a refused connection in workerd: no cause code, so no failover (the request counts as maybe executed)', { timeout: 30_000 }, async () => {
  const res = await mf.dispatchFetch('http://worker.test/refused');
  const body = await res.json();
  assert.equal(res.status, 502, JSON.stringify(body));
  assert.equal(body.error.code, 'Client.NetworkError');
  assert.equal(body.error.mayHaveExecuted, true, body.error.message);
  assert.equal(body.error.attempts, 1);
  assert.deepEqual(body.events.map((e) => e.type), ['request'], 'nothing sent to the backup');
  assert.equal((await (await fetch(`${emu.url}__admin/ledger`)).json()).requests.total, 1, 'only the STS call reached the emulator');
});
