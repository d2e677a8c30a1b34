// tc3-edge's credential provider in workerd: one module-level client whose provider fetches a
// temporary key from a back end (here a slow local "STS" on loopback). Concurrent requests of
// the isolate share one provider call (its promise crosses request contexts), every export is
// signed with the temporary key and its token, and a later request uses the cached key.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { startSlowSts } from './support/sts.js';
import { bundleEntry, ledger, startWorker } from './support/worker.js';

const ENTRY = `
import { CvmClient, TencentCloudError } from "tc3-edge";

let client;
let providerCalls = 0;
export default {
  async fetch(request, env) {
    client ??= new CvmClient({
      credential: async () => {
        providerCalls += 1;
        const res = await fetch(env.CREDENTIALS_URL);
        if (!res.ok) throw new Error("credential service answered " + res.status);
        return res.json(); // { secretId, secretKey, token, expiredTime }
      },
      region: "ap-guangzhou",
      profile: { httpProfile: { endpoint: env.ENDPOINT } },
    });
    const i = new URL(request.url).searchParams.get("i");
    try {
      const r = await client.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-abcd1234"], FileNamePrefixList: ["p" + i] });
      return Response.json({ ...r, providerCalls });
    } catch (e) {
      if (!(e instanceof TencentCloudError)) throw e;
      return Response.json({ error: { code: e.code, message: e.message }, providerCalls }, { status: 502 });
    }
  },
};
`;

const N = 10;
let emu;
let sts;
let stsHits = 0;
let bundle;
let mf;

before(async () => {
  emu = await startEmulator({ port: 0 });
  sts = await startSlowSts(400, () => { stsHits += 1; }); // slow enough for all N to wait on it
  bundle = await bundleEntry(ENTRY, 'tc3-edge-provider-');
  mf = await startWorker(bundle.scriptPath, { CREDENTIALS_URL: sts.url, ENDPOINT: emu.url });
});

after(async () => {
  await mf?.dispose();
  await emu?.close();
  await sts?.close();
  await bundle?.cleanup();
});

test(`${N} concurrent requests share one provider call; the temporary key and token sign every export`, { timeout: 45_000 }, async () => {
  const answers = await Promise.all(Array.from({ length: N }, async (_, i) => {
    const res = await mf.dispatchFetch(`http://worker.test/?i=${i}`);
    return { status: res.status, body: await res.json() };
  }));
  for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.equal(stsHits, 1, 'one provider call for all concurrent requests');
  assert.ok(answers.every((a) => a.body.providerCalls === 1));

  const later = await mf.dispatchFetch('http://worker.test/?i=later');
  const laterBody = await later.json();
  assert.equal(later.status, 200, JSON.stringify(laterBody));
  assert.equal(stsHits, 1, 'the cached key is reused until 5 minutes before expiredTime');

  const l = await ledger(emu);
  assert.equal(l.taskCount, N + 1);
  for (const t of l.tasks) assert.equal(t.SecretId, CREDENTIALS.temporary.secretId);
  for (const r of l.recent) {
    assert.equal(r.code, 'Success');
    assert.equal(r.token, true, 'X-TC-Token sent (a missing or wrong one is AuthFailure.TokenFailure)');
  }
});
