// One cold start, in a fresh Node process: `node bench/cold-start-child.mjs <kind> [pkgDir]`
// (pkgDir: the package folder, default ../pkg).
// Prints one JSON line: { kind, startMs, importMs, firstMs, totalMs, authorization }.
//   startMs  — performance.now() when this script begins (Node's own bootstrap, from
//              performance.timeOrigin = process start)
//   importMs — the import/require of the library alone
//   firstMs  — from before the import to the first signed request (or first full call) done
//   totalMs  — process start → first signed request
// Only fixtures.mjs and official-sdk.mjs (tiny; the latter loads the SDK only when called) are
// imported before the clock starts.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as F from "./fixtures.mjs";
import { installStub, loadOfficialSdk } from "./official-sdk.mjs"; // loads no SDK code by itself

const startMs = performance.now();
const kind = process.argv[2];
const entry = new URL("node.js", process.argv[3] ? pathToFileURL(process.argv[3].replace(/\/?$/, "/")) : new URL("../pkg/", import.meta.url)).href;
const require = createRequire(import.meta.url);
let importMs;
let authorization;

// The full-call kinds read the clock: freeze it at the fixture timestamp (before timing starts)
// so their Authorization can be checked against the same expected value as the others.
if (kind.endsWith("-client")) {
  const RealDate = Date;
  globalThis.Date = class extends RealDate {
    constructor(...a) { if (a.length === 0) super(F.TIMESTAMP * 1000); else super(...a); }
    static now() { return F.TIMESTAMP * 1000; }
  };
}

const t0 = performance.now();
switch (kind) {
  case "node-baseline": {
    importMs = 0;
    authorization = null;
    break;
  }
  case "node-first-response": {
    // First touch of Node's global Response (undici, loaded lazily).
    const r = new Response(F.CANNED_RESPONSE, { headers: F.CANNED_HEADERS });
    await r.text();
    importMs = performance.now() - t0;
    authorization = null;
    break;
  }
  case "tc3-sign": {
    const { signRequest } = await import(entry);
    importMs = performance.now() - t0;
    authorization = signRequest(F.signInput()).authorization;
    break;
  }
  case "tc3-sign-lean": {
    const { signRequest } = await import(new URL("sign/node.js", entry).href);
    importMs = performance.now() - t0;
    authorization = signRequest(F.signInput()).authorization;
    break;
  }
  case "tc3-client": {
    const { CvmClient } = await import(entry);
    importMs = performance.now() - t0;
    let sent;
    const client = new CvmClient({
      credential: { ...F.CREDENTIAL }, region: F.REGION, rateLimit: false, retry: false,
      // A plain response object: Node loads its WHATWG fetch/Response (undici) lazily on first
      // use, a cost of the transport that kind "node-first-response" measures on its own.
      fetch: async (url, init) => {
        sent = init.headers.Authorization;
        return { status: 200, headers: { get: (n) => F.CANNED_HEADERS[n.toLowerCase()] ?? null }, text: async () => F.CANNED_RESPONSE };
      },
    });
    const r = await client.ExportImages(F.params());
    if (r.TaskId !== 1234567) throw new Error("unexpected result");
    authorization = sent;
    break;
  }
  case "sdk-sign3": {
    const Sign = require("tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js").default;
    importMs = performance.now() - t0;
    authorization = Sign.sign3(F.sign3Input());
    break;
  }
  case "sdk-client": {
    const { cvm } = require("tencentcloud-sdk-nodejs-cvm");
    importMs = performance.now() - t0;
    // node-fetch stubbed under the SDK exactly as in run.mjs (see official-sdk.mjs).
    const sdk = loadOfficialSdk();
    const stub = installStub(sdk);
    stub.state.capture = true;
    const client = new cvm.v20170312.Client({ credential: { ...F.CREDENTIAL }, region: F.REGION, profile: { httpProfile: { endpoint: F.HOST } } });
    const r = await client.ExportImages(F.params());
    if (r.TaskId !== 1234567) throw new Error("unexpected result");
    authorization = stub.state.last.headers.Authorization;
    break;
  }
  default:
    throw new Error(`unknown kind ${kind}`);
}
const end = performance.now();
process.stdout.write(JSON.stringify({ kind, startMs, importMs, firstMs: end - t0, totalMs: end, authorization }) + "\n");
