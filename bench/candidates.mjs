// The benchmark candidates, and the gate every one of them passes before anything is timed:
// the same request at the same timestamp must give the identical Authorization header.
import * as F from "./fixtures.mjs";
import { WebCryptoTc3Signer } from "./webcrypto-signer.mjs";

/** Runs `fn` with `Date` frozen at `ts` (seconds), so clients that read the clock sign at `ts`. */
export async function withFrozenClock(ts, fn) {
  const RealDate = globalThis.Date;
  class FrozenDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(ts * 1000);
      else super(...args);
    }
    static now() { return ts * 1000; }
  }
  globalThis.Date = FrozenDate;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

/**
 * Builds the candidates. `tc3` = { CvmClient, signRequest } (the package's node entry),
 * `sdk` = loadOfficialSdk(), `stub` = installStub(sdk).
 *
 * Each candidate: { id, label, group, kind: "sync" | "async", fn, inFlight? }.
 */
export function buildCandidates({ tc3, sdk, stub }) {
  const { CvmClient, signRequest, leanSignRequest } = tc3;
  const input = F.signInput();
  const params = F.params();
  const bodyBuffer = Buffer.from(F.BODY);

  const signClient = new CvmClient({
    credential: { ...F.CREDENTIAL },
    region: F.REGION,
    profile: { httpProfile: { endpoint: F.HOST } },
  });

  // tc3-edge's full path with fetch injected. rateLimit: false — the default client-side limit
  // (20 ExportImages/s, the documented CVM quota) would otherwise be what is measured;
  // retry: false — a canned success is never retried anyway.
  const tc3Capture = { on: false, last: null };
  const whatwgFetch = async (url, init) => {
    if (tc3Capture.on) tc3Capture.last = { url, headers: { ...init.headers }, body: init.body };
    return new Response(F.CANNED_RESPONSE, { status: 200, headers: F.CANNED_HEADERS });
  };
  const plainHeaders = new Map(Object.entries(F.CANNED_HEADERS));
  const plainResponse = {
    status: 200,
    headers: { get: (n) => plainHeaders.get(String(n).toLowerCase()) ?? null },
    text: async () => F.CANNED_RESPONSE,
  };
  const plainFetch = async (url, init) => {
    if (tc3Capture.on) tc3Capture.last = { url, headers: { ...init.headers }, body: init.body };
    return plainResponse;
  };
  const clientOptions = (fetch) => ({
    credential: { ...F.CREDENTIAL },
    region: F.REGION,
    profile: { httpProfile: { endpoint: F.HOST } },
    fetch,
    rateLimit: false,
    retry: false,
  });
  const tc3Full = new CvmClient(clientOptions(whatwgFetch));
  const tc3FullPlain = new CvmClient(clientOptions(plainFetch));

  const official = new sdk.Client({
    credential: { ...F.CREDENTIAL },
    region: F.REGION,
    profile: { httpProfile: { endpoint: F.HOST } },
  });

  const webcrypto = new WebCryptoTc3Signer(F.CREDENTIAL);
  const wcInput = {
    host: F.HOST, service: F.SERVICE, action: F.ACTION, version: F.VERSION, region: F.REGION,
    timestamp: F.TIMESTAMP, body: F.BODY,
  };

  const candidates = [
    {
      id: "tc3.sign", group: "sign",
      label: "tc3-edge `signRequest` (string body)",
      kind: "sync", fn: () => signRequest(input),
      auth: (r) => r.authorization,
    },
    {
      id: "tc3.signLean", group: "sign",
      label: "tc3-edge/sign `signRequest` (sign-only module, string body)",
      kind: "sync", fn: () => leanSignRequest(input),
      auth: (r) => r.authorization,
    },
    {
      id: "tc3.vbs", group: "sign",
      label: "tc3-edge `client.signExportImages` (validate+build+sign from object)",
      kind: "sync", fn: () => signClient.signExportImages(params, F.TIMESTAMP),
      auth: (r) => r.authorization,
      check: (r) => r.body === F.BODY || `body differs: ${r.body}`,
    },
    {
      id: "sdk.sign3", group: "sign",
      label: "official `Sign.sign3` (object payload, as the SDK calls it)",
      kind: "sync", fn: () => sdk.Sign.sign3(F.sign3Input(F.TIMESTAMP, params)),
      auth: (r) => r,
    },
    {
      id: "sdk.sign3buf", group: "sign",
      label: "official `Sign.sign3` (pre-serialized Buffer payload)",
      kind: "sync", fn: () => sdk.Sign.sign3(F.sign3Input(F.TIMESTAMP, bodyBuffer)),
      auth: (r) => r,
    },
    {
      id: "sdk.full", group: "full",
      label: "official `cvm.v20170312.Client.ExportImages` (node-fetch stubbed, node-fetch Response)",
      kind: "async", clock: true,
      fn: () => { stub.state.mode = "node-fetch"; return official.ExportImages(params); },
      captured: () => stub.state.last,
      setCapture: (on) => { stub.state.capture = on; },
    },
    {
      id: "sdk.fullPlain", group: "full",
      label: "official full path, stub returns a plain object (no Response class)",
      kind: "async", clock: true,
      fn: () => { stub.state.mode = "plain"; return official.ExportImages(params); },
      captured: () => stub.state.last,
      setCapture: (on) => { stub.state.capture = on; },
    },
    {
      id: "tc3.full", group: "full",
      label: "tc3-edge `client.ExportImages` (fetch injected, WHATWG Response)",
      kind: "async", clock: true,
      fn: () => tc3Full.ExportImages(params),
      captured: () => tc3Capture.last,
      setCapture: (on) => { tc3Capture.on = on; },
    },
    {
      id: "tc3.fullPlain", group: "full",
      label: "tc3-edge full path, fetch returns a plain object (no Response class)",
      kind: "async", clock: true,
      fn: () => tc3FullPlain.ExportImages(params),
      captured: () => tc3Capture.last,
      setCapture: (on) => { tc3Capture.on = on; },
    },
    {
      id: "wc.seq", group: "webcrypto",
      label: "WebCrypto signer (bench/webcrypto-signer.mjs), sequential",
      kind: "async", fn: () => webcrypto.sign(wcInput),
      auth: (r) => r.authorization,
    },
    {
      id: "wc.32", group: "webcrypto",
      label: "WebCrypto signer, 32 in flight",
      kind: "async", inFlight: 32, fn: () => webcrypto.sign(wcInput),
      auth: (r) => r.authorization,
    },
  ];
  return candidates;
}

/**
 * The gate: every candidate signs the fixed request and must produce `expected`.
 * Full-path clients read the clock, so they run with Date frozen at the fixture timestamp and
 * the Authorization they hand to the (stubbed) transport is compared; the body they send and
 * the result they parse are checked too. Returns rows { id, authorization, ok, problem }.
 */
export async function identityCheck(candidates, expected) {
  const rows = [];
  for (const c of candidates) {
    let authorization = null;
    let problem = null;
    try {
      if (c.clock) {
        c.setCapture(true);
        const result = await withFrozenClock(F.TIMESTAMP, () => c.fn());
        c.setCapture(false);
        const sent = c.captured();
        authorization = sent?.headers?.Authorization ?? null;
        const canned = JSON.parse(F.CANNED_RESPONSE).Response;
        if (!sent) problem = "the stubbed transport was not called";
        else if (sent.body !== F.BODY) problem = `sent body differs: ${sent.body}`;
        else if (String(sent.headers["X-TC-Timestamp"]) !== String(F.TIMESTAMP)) problem = `X-TC-Timestamp ${sent.headers["X-TC-Timestamp"]}`;
        else if (result?.TaskId !== canned.TaskId || result?.RequestId !== canned.RequestId) problem = `unexpected result ${JSON.stringify(result)}`;
      } else if (c.inFlight) {
        const results = await Promise.all(Array.from({ length: c.inFlight }, () => c.fn()));
        const auths = new Set(results.map(c.auth));
        authorization = auths.size === 1 ? [...auths][0] : `(${auths.size} different values)`;
      } else {
        const result = await c.fn();
        authorization = c.auth(result);
        const verdict = c.check ? c.check(result) : true;
        if (verdict !== true) problem = verdict;
      }
    } catch (e) {
      problem = `threw: ${e?.stack ?? e}`;
    }
    if (!problem && authorization !== expected) problem = "Authorization differs";
    rows.push({ id: c.id, label: c.label, authorization, ok: !problem, problem });
  }
  return rows;
}
