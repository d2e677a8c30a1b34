// Issue #17 in the real Workers runtime (workerd via Miniflare), with the packed package:
// - every fetch the library makes (an API call, a COS poll) works from compatibility date
//   2023-01-01 on — before 2024-11-11 workerd throws on any `cache` option of fetch — and at
//   the example Worker's date;
// - two requests of one isolate share one client: the second joins the provider call the first
//   started; the first is cancelled (its call aborted) and the second is not left waiting on
//   the abandoned provider call: it asks the provider itself and succeeds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator } from '../../emulator/server.js';
import { startSlowSts } from './support/sts.js';
import { bundleEntry, compatibilityDate, startWorker } from './support/worker.js';

const ENTRY = `
import { CvmClient, TencentCloudError } from "tc3-edge";

let client;
let providerCalls = 0;
let providerAborts = 0;
const cacheOption = (() => { try { new Request("https://x.invalid/", { cache: "no-store" }); return "accepted"; } catch (e) { return "throws"; } })();

export default {
  async fetch(request, env) {
    client ??= new CvmClient({
      credential: async (options) => {
        providerCalls += 1;
        const signal = options?.signal;
        signal?.addEventListener("abort", () => { providerAborts += 1; });
        const res = await fetch(env.CREDENTIALS_URL, signal ? { signal } : {});
        return res.json();
      },
      region: "ap-guangzhou",
      profile: { httpProfile: { endpoint: env.ENDPOINT, reqTimeout: 4 }, cosEndpoint: env.ENDPOINT + "cos/{Bucket}" },
    });
    const u = new URL(request.url);
    const ac = new AbortController();
    const abortAfter = u.searchParams.get("abortAfter");
    if (abortAfter) setTimeout(() => ac.abort(), Number(abortAfter));
    try {
      if (u.pathname === "/files") {
        const r = await client.checkExportFiles({ BucketName: "backup-1250000000", CosPaths: ["/nothing-yet.qcow2"] }, { signal: ac.signal });
        return Response.json({ r, cacheOption });
      }
      const r = await client.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-abcd1234"], FileNamePrefixList: ["e" + u.searchParams.get("i")] }, { signal: ac.signal });
      return Response.json({ r, providerCalls, providerAborts, cacheOption });
    } catch (e) {
      if (!(e instanceof TencentCloudError)) throw e;
      return Response.json({ error: { code: e.code, message: e.message }, providerCalls, providerAborts, cacheOption }, { status: 502 });
    }
  },
};
`;

let emu;
let sts;
let stsHits = 0;
let bundle;

before(async () => {
  emu = await startEmulator({ port: 0 });
  sts = await startSlowSts(700, () => { stsHits += 1; });
  bundle = await bundleEntry(ENTRY, 'tc3-edge-edges-');
});

after(async () => {
  await emu?.close();
  await sts?.close();
  await bundle?.cleanup();
});

const bindings = () => ({ CREDENTIALS_URL: sts.url, ENDPOINT: emu.url });

for (const date of ['2023-01-01', compatibilityDate()]) {
  describe(`compatibility date ${date}`, () => {
    let mf;
    before(async () => { mf = await startWorker(bundle.scriptPath, bindings(), { compatibilityDate: date }); });
    after(async () => { await mf?.dispose(); });

    test('an API call and a COS poll both work', { timeout: 30_000 }, async () => {
      const res = await mf.dispatchFetch('http://worker.test/export?i=' + date);
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.ok(Number.isInteger(body.r.TaskId));
      const files = await mf.dispatchFetch('http://worker.test/files');
      const f = await files.json();
      assert.equal(files.status, 200, JSON.stringify(f));
      assert.deepEqual([f.r.total, f.r.files[0].state], [1, 'pending']);
      // What the runtime does with fetch's `cache` option at this date (the library adapts).
      assert.equal(f.cacheOption, date < '2024-11-11' ? 'throws' : 'accepted');
    });
  });
}

test('two requests share one client: the first is cancelled, the second does not wait on its provider call', { timeout: 30_000 }, async () => {
  const mf = await startWorker(bundle.scriptPath, bindings());
  try {
    stsHits = 0;
    const first = mf.dispatchFetch('http://worker.test/export?i=1&abortAfter=200');
    await new Promise((ok) => setTimeout(ok, 50));
    const t0 = Date.now();
    const second = mf.dispatchFetch('http://worker.test/export?i=2');
    const [a, b] = await Promise.all([first, second]);
    const [at, bt] = [await a.text(), await b.text()];
    const [ab, bb] = [JSON.parse(at), JSON.parse(bt)];
    assert.equal(ab.error?.code, 'Client.Aborted', JSON.stringify(ab));
    assert.equal(b.status, 200, JSON.stringify(bb));
    assert.ok(Number.isInteger(bb.r.TaskId));
    assert.equal(bb.providerCalls, 2, 'the second asked the provider itself once the first gave up');
    assert.ok(bb.providerAborts >= 1, "the first provider call's signal aborted");
    assert.ok(Date.now() - t0 < 4_000, 'well within its reqTimeout (4 s)');
  } finally {
    await mf.dispose();
  }
});
