// The official Tencent Cloud Node SDK, loaded for comparison, with its HTTP stubbed at the
// lowest layer it has: `tencentcloud-sdk-nodejs-common/tencentcloud/common/http/fetch.js` calls
// `node_fetch_1.default(url, options)`, reading `.default` of the `node-fetch` module at call
// time, so replacing `require("node-fetch").default` (the copy that file resolves) intercepts
// every request after the SDK has done all of its own work: deepRemoveNull, JSONbig.stringify,
// headers, Sign.sign3, its fetch wrapper (proxy check) — and before any socket. The stub answers
// with a real node-fetch `Response` carrying the canned body, so the SDK's own parseResponse
// (`res.headers.get`, `res.json()`) runs too.
//
// Safety: `installStub` proves the stub is what the SDK's fetch wrapper calls before anything is
// benchmarked, and the stub refuses any URL but the expected one, so nothing can reach the
// network.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CANNED_HEADERS, CANNED_RESPONSE, URL_ } from "./fixtures.mjs";

const require = createRequire(import.meta.url);

export function loadOfficialSdk() {
  const cvmPkgJson = require.resolve("tencentcloud-sdk-nodejs-cvm/package.json");
  const requireFromCvm = createRequire(cvmPkgJson);
  // The common package the cvm client really uses (npm may nest a second copy).
  const commonPkgJson = requireFromCvm.resolve("tencentcloud-sdk-nodejs-common/package.json");
  const commonDir = dirname(commonPkgJson);
  const requireFromCommon = createRequire(commonPkgJson);
  const { cvm } = requireFromCvm("tencentcloud-sdk-nodejs-cvm");
  const Sign = requireFromCommon(join(commonDir, "tencentcloud/common/sign.js")).default;
  const sdkFetchWrapper = requireFromCommon(join(commonDir, "tencentcloud/common/http/fetch.js"));
  const nodeFetchPath = createRequire(join(commonDir, "tencentcloud/common/http/fetch.js")).resolve("node-fetch");
  const nodeFetch = require(nodeFetchPath);
  return {
    cvm,
    Client: cvm.v20170312.Client,
    Sign,
    nodeFetch,
    sdkFetchWrapper,
    versions: {
      cvm: require(cvmPkgJson).version,
      common: require(commonPkgJson).version,
      nodeFetch: require(join(dirname(nodeFetchPath), "..", "package.json")).version,
    },
    paths: { common: commonDir, nodeFetch: nodeFetchPath },
  };
}

/**
 * Replaces node-fetch under the SDK. `mode`: "node-fetch" answers with a node-fetch Response,
 * "plain" with a minimal object having only what parseResponse reads (status, headers.get,
 * json()). Returns { calls, last, setMode(), restore() }.
 */
export function installStub(sdk) {
  const { nodeFetch, sdkFetchWrapper } = sdk;
  const original = nodeFetch.default;
  const NFResponse = nodeFetch.Response;
  const headerMap = new Map(Object.entries(CANNED_HEADERS));
  const plainHeaders = { get: (name) => headerMap.get(String(name).toLowerCase()) ?? null };
  const state = {
    calls: 0,
    mode: "node-fetch",
    last: null,
    capture: false,
  };
  const stub = function stubbedNodeFetch(url, options) {
    if (url !== URL_ && url !== "https://stub.check.invalid/") {
      throw new Error(`bench stub: refusing to fetch ${url}`);
    }
    state.calls++;
    if (state.capture) state.last = { url, headers: { ...options.headers }, body: options.body };
    if (state.mode === "plain") {
      return Promise.resolve({
        status: 200,
        statusText: "OK",
        headers: plainHeaders,
        json: async () => JSON.parse(CANNED_RESPONSE),
      });
    }
    return Promise.resolve(new NFResponse(CANNED_RESPONSE, { status: 200, headers: CANNED_HEADERS }));
  };
  nodeFetch.default = stub;
  return {
    state,
    async verify() {
      const before = state.calls;
      const res = await sdkFetchWrapper.default("https://stub.check.invalid/", {});
      if (state.calls !== before + 1 || res.status !== 200) {
        throw new Error("the node-fetch stub is not what the official SDK calls; refusing to run (it would use the network)");
      }
    },
    restore() { nodeFetch.default = original; },
  };
}
