// The packed npm tarball, used as a user would: `npm pack` pkg/, install the tarball into a
// scratch ESM project, and run child Node scripts there that `import ... from "tc3-edge"`
// (resolved through the package's exports map). Their requests go to real local HTTP servers
// started by this test, which check every request (the Authorization recomputed with the
// official SDK's Sign.sign3 over the raw body bytes) and answer with documented bodies or
// with faults. The child scripts print JSON results; the assertions are made here.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

import { exportImagesBody, officialAuthorization } from "./support/tc3-oracle.js";

const run = promisify(execFile);
const PKG_DIR = fileURLToPath(new URL("../../pkg/", import.meta.url));

// Distinctive secrets, so any leak is found by substring search. The SecretKey is non-ASCII
// (and has an ASCII core that would survive any escaping); the token is printable ASCII, as
// it travels in a header.
const nonce = randomBytes(6).toString("hex");
const MAIN = { secretId: `AKIDpkgMain${nonce}`, secretKey: `SKEYmain${nonce}-ключ-密钥-🔑` };
const TEMP = {
  secretId: `AKIDpkgTemp${nonce}`,
  secretKey: `SKEYtemp${nonce}-clé-秘密`,
  token: `TOKEN${nonce}-` + randomBytes(90).toString("base64url"),
};
const SECRETS = [MAIN.secretKey, `SKEYmain${nonce}`, TEMP.secretKey, `SKEYtemp${nonce}`, TEMP.token, `TOKEN${nonce}`];
const CREDENTIALS = new Map([MAIN, TEMP].map((c) => [c.secretId, c]));
const REGION = "ap-guangzhou";
const WINDOWS_IMAGE = "img-win00001";

// ---------------------------------------------------------------------------------------------
// Local HTTP servers that verify every request
// ---------------------------------------------------------------------------------------------

/** Problems with one request, as readable strings (empty: the request is correct). */
function verifyRequest(req, body, port) {
  const problems = [];
  const h = req.headers;
  const expect = (what, actual, expected) => {
    if (actual !== expected) problems.push(`${what}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
  };
  expect("method", req.method, "POST");
  expect("path", req.url, "/");
  expect("host", h.host, `127.0.0.1:${port}`);
  expect("content-type", h["content-type"], "application/json");
  expect("x-tc-version", h["x-tc-version"], "2017-03-12");
  expect("x-tc-region", h["x-tc-region"], REGION);
  expect("x-tc-language", h["x-tc-language"], "en-US");
  expect("x-tc-requestclient", h["x-tc-requestclient"], `tc3-edge/${PKG_VERSION}`);
  if (!/^[A-Z][A-Za-z0-9]+$/.test(h["x-tc-action"] ?? "")) problems.push(`x-tc-action: ${h["x-tc-action"]}`);
  const ts = Number(h["x-tc-timestamp"]);
  if (!/^\d+$/.test(h["x-tc-timestamp"] ?? "") || Math.abs(ts - Date.now() / 1000) > 300) {
    problems.push(`x-tc-timestamp ${h["x-tc-timestamp"]} is not within 300 s of now`);
  }
  const secretId = /Credential=([^/]+)\//.exec(h.authorization ?? "")?.[1];
  const cred = CREDENTIALS.get(secretId);
  if (!cred) {
    problems.push(`authorization names an unknown SecretId: ${h.authorization}`);
  } else {
    const official = officialAuthorization({
      url: `http://127.0.0.1:${port}/`,
      body, // the raw bytes received
      timestamp: ts,
      service: "cvm",
      secretId: cred.secretId,
      secretKey: cred.secretKey,
      contentType: h["content-type"],
    });
    expect("authorization (vs Sign.sign3)", h.authorization, official);
    expect("x-tc-token", h["x-tc-token"], cred.token);
  }
  const tcHeaders = Object.keys(h).filter((k) => k.startsWith("x-tc-")).sort();
  const wanted = ["x-tc-action", "x-tc-language", "x-tc-region", "x-tc-requestclient", "x-tc-timestamp", "x-tc-traceid", "x-tc-version"];
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(h["x-tc-traceid"] ?? "")) {
    problems.push(`x-tc-traceid ${h["x-tc-traceid"]} is not a v4 UUID`);
  }
  if (cred?.token) wanted.push("x-tc-token");
  expect("X-TC-* header set", tcHeaders.join(","), wanted.sort().join(","));
  try {
    JSON.parse(body.toString("utf8"));
  } catch {
    problems.push("body is not JSON");
  }
  return problems;
}

/**
 * An HTTP server on 127.0.0.1 (port 0) that records and verifies every request, then lets
 * `respond(record, res)` answer.
 */
async function startServer(respond) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const record = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: body.toString("utf8"),
        problems: verifyRequest(req, body, server.address().port),
      };
      requests.push(record);
      respond(record, res);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    requests,
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const json = (res, status, value) => {
  const text = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
};

/** The CVM API as documented: ExportImages success / Windows error, DescribeImages, signature errors. */
function apiResponder(record, res) {
  const requestId = randomUUID();
  record.responseRequestId = requestId;
  const action = record.headers["x-tc-action"];
  if (record.problems.length) {
    return json(res, 200, { Response: { Error: { Code: "AuthFailure.SignatureFailure", Message: "The provided credentials could not be validated." }, RequestId: requestId } });
  }
  if (action === "ExportImages" && JSON.parse(record.body).ImageIds?.includes(WINDOWS_IMAGE)) {
    return json(res, 200, {
      Response: {
        Error: { Code: "UnsupportedOperation.WindowsImageExportUnsupported", Message: "Windows images cannot be exported." },
        RequestId: requestId,
      },
    });
  }
  if (action === "ExportImages") {
    return json(res, 200, { Response: { TaskId: 105591590, CosPaths: ["/img-pq5pau1w_system_snap-fiux4bof.raw"], RequestId: requestId } });
  }
  if (action === "DescribeImages") {
    return json(res, 200, { Response: { TotalCount: 1, ImageSet: [{ ImageId: "img-72n9mi0y", ImageName: "镜像 😀" }], RequestId: requestId } });
  }
  return json(res, 200, { Response: { Error: { Code: "InvalidAction", Message: `unknown action ${action}` }, RequestId: requestId } });
}

// ---------------------------------------------------------------------------------------------
// The scratch project and its child scripts
// ---------------------------------------------------------------------------------------------

// Runs a list of calls against the installed package and prints one JSON result per call.
// Each call: { client?: options, construct?: true, op, args?: [...] } where op is a method of
// CvmClient or "signRequest". An error becomes everything a user could print of it.
const RUNNER = `
import { inspect } from "node:util";
import { readFileSync } from "node:fs";
import { CvmClient, signRequest, TencentCloudError } from "tc3-edge";
import * as lean from "tc3-edge/sign";

const show = (v) => (typeof v === "string" ? v : v === undefined ? "undefined" : (() => { try { return JSON.stringify(v) ?? String(v); } catch { return String(v); } })());
function describeError(err) {
  const own = {};
  for (const key of Object.getOwnPropertyNames(err ?? {})) own[key] = show(err[key]);
  return {
    isTencentCloudError: err instanceof TencentCloudError,
    isError: err instanceof Error,
    name: err?.name, code: err?.code, message: err?.message, requestId: err?.requestId ?? null,
    field: err?.field ?? null, httpCode: err?.httpCode ?? null,
    string: String(err), json: JSON.stringify(err), stack: String(err?.stack),
    inspect: inspect(err, { showHidden: true, depth: 5 }), own,
  };
}

const calls = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const call of calls) {
  const args = call.args ?? [];
  const out = { name: call.name };
  try {
    if (call.op === "signRequest") {
      out.value = signRequest(...args);
    } else if (call.op === "lean.signRequest") {
      try {
        out.value = lean.signRequest(...args);
      } catch (err) {
        out.isLeanError = err instanceof lean.TencentCloudError;
        throw err;
      }
    } else {
      const client = new CvmClient(call.client);
      if (call.construct) {
        out.value = "constructed";
      } else {
        let promise;
        try {
          promise = client[call.op](...args);
        } catch (err) {
          out.threwSynchronously = true;
          throw err;
        }
        out.returnedPromise = promise instanceof Promise;
        out.value = await promise;
      }
    }
    out.ok = true;
  } catch (err) {
    out.ok = false;
    out.error = describeError(err);
  }
  results.push(out);
}
process.stdout.write(JSON.stringify(results));
`;

const RESOLVER = `
const resolve = (s) => { try { return import.meta.resolve(s); } catch (e) { return "ERROR " + e.code; } };
process.stdout.write(JSON.stringify({
  main: resolve("tc3-edge"),
  sign: resolve("tc3-edge/sign"),
  wasm: resolve("tc3-edge/tc3_edge_bg.wasm"),
  packageJson: resolve("tc3-edge/package.json"),
  privateFile: resolve("tc3-edge/gen/tc3_edge.js"),
}));
`;

let root; // the temporary directory holding the tarball and the scratch project
let scratch; // the scratch project
let PKG_VERSION = "";
let packed;

function childEnv() {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

/** Runs `calls` in a child Node process of the scratch project; resolves to its results. */
async function runCalls(calls) {
  const file = join(scratch, `calls-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(calls));
  const { stdout } = await run(process.execPath, [join(scratch, "runner.mjs"), file], {
    cwd: scratch,
    env: childEnv(),
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  const results = JSON.parse(stdout);
  assert.equal(results.length, calls.length);
  return Object.fromEntries(results.map((r) => [r.name, r]));
}

/** Asserts a call failed with a TencentCloudError of `code` (and `field`), with no secret in it. */
function assertTencentCloudError(result, { code, field, httpCode, requestId }) {
  assert.equal(result.ok, false, `${result.name}: expected ${code}, but it succeeded: ${JSON.stringify(result.value)}`);
  const e = result.error;
  assert.equal(e.code, code, `${result.name}: ${e.code} ${e.message}`);
  assert.equal(e.isTencentCloudError, true, `${result.name}: not instanceof TencentCloudError`);
  assert.equal(e.isError, true, `${result.name}: not instanceof Error`);
  assert.equal(e.name, "TencentCloudError");
  assert.equal(typeof e.message, "string");
  assert.ok(e.message.length > 0, `${result.name}: empty message`);
  if (field !== undefined) assert.equal(e.field ?? "", field, `${result.name}: field`);
  if (httpCode !== undefined) assert.equal(e.httpCode, httpCode, `${result.name}: httpCode`);
  if (requestId !== undefined) assert.equal(e.requestId, requestId, `${result.name}: requestId`);
  assertNoSecrets(result);
}

/** No SecretKey or token anywhere a user could print an error. */
function assertNoSecrets(result) {
  const e = result.error;
  const places = {
    message: e.message,
    "String(err)": e.string,
    "JSON.stringify(err)": e.json,
    "err.stack": e.stack,
    "util.inspect(err)": e.inspect,
    ...Object.fromEntries(Object.entries(e.own).map(([k, v]) => [`own property ${k}`, v])),
  };
  for (const [where, text] of Object.entries(places)) {
    for (const secret of SECRETS) {
      assert.ok(!String(text).includes(secret), `${result.name}: a secret (${secret.slice(0, 12)}…) appears in ${where}`);
    }
  }
}

const servers = {};

before(async () => {
  assert.ok(
    existsSync(join(PKG_DIR, "gen", "tc3_edge_bg.wasm")),
    "pkg/gen is missing: build the package first with scripts/build.sh",
  );
  root = mkdtempSync(join(tmpdir(), "tc3-edge-package-test-"));
  const packDir = join(root, "tarball");
  const project = join(root, "project");
  await run("mkdir", ["-p", packDir, project]);
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: PKG_DIR, timeout: 120_000, env: childEnv() });
  packed = JSON.parse(stdout)[0];
  const tarball = join(packDir, packed.filename);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "scratch-user-project", version: "1.0.0", private: true, type: "module" }, null, 2));
  const npmInstall = (extra) =>
    run("npm", ["install", tarball, "--no-audit", "--no-fund", ...extra], { cwd: project, timeout: 120_000, env: childEnv() });
  // The tarball has no dependencies: offline works; fall back to a normal install otherwise.
  await npmInstall(["--offline"]).catch(() => npmInstall([]));
  scratch = project;
  PKG_VERSION = JSON.parse(readFileSync(join(project, "node_modules", "tc3-edge", "package.json"), "utf8")).version;
  writeFileSync(join(project, "runner.mjs"), RUNNER);
  writeFileSync(join(project, "resolve.mjs"), RESOLVER);

  servers.api = await startServer(apiResponder);
  servers.html = await startServer((r, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>");
  });
  servers.truncated = await startServer((r, res) => {
    const text = '{"Response":{"TaskId":105591590,"CosPaths":["/img-pq5pau1w_sys';
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  });
  servers.badGateway = await startServer((r, res) => {
    res.writeHead(502, { "Content-Type": "text/html" });
    res.end("<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>");
  });
  servers.slow = await startServer((r, res) => {
    const timer = setTimeout(() => apiResponder(r, res), 5_000);
    res.on("close", () => clearTimeout(timer));
  });
  // A port nothing listens on: bind one, then close it.
  const closed = await startServer(() => {});
  await closed.close();
  servers.closedEndpoint = closed.endpoint;
});

after(async () => {
  for (const s of Object.values(servers)) if (typeof s === "object") await s.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const clientOptions = (endpoint, credential = MAIN, extra = {}) => ({
  credential,
  region: REGION,
  profile: { language: "en-US", httpProfile: { endpoint, reqTimeout: 60, ...extra } },
});

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("installing the packed tarball", () => {
  it("the tarball ships only the runtime: entries, types, generated glue and wasm, and the licenses", () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const f of ["package.json", "node.js", "browser.js", "workerd.js", "index.d.ts", "gen/tc3_edge.d.ts", "gen/tc3_edge_bg.wasm",
      "sign/node.js", "sign/browser.js", "sign/workerd.js", "sign/index.d.ts", "gen/sign/tc3_edge_bg.wasm",
      "LICENSE-MIT", "LICENSE-APACHE"]) {
      assert.ok(files.includes(f), `${f} missing from the tarball (${files.join(", ")})`);
    }
    for (const f of files) assert.match(f, /^(package\.json|README\.md|LICENSE-(MIT|APACHE)|(sign\/)?((node|browser|workerd)\.js|index\.d\.ts)|gen\/.+)$/, `unexpected file ${f}`);
    // Each entry carries its glue (scripts/entries.mjs): the glue bundles in gen/ are for the
    // repo's tests and benches, and the build's name mapping for its benches; neither ships.
    for (const f of ["gen/tc3_edge.js", "gen/sign/tc3_edge.js", "gen/wasm-names.json", "gen/sign/wasm-names.json"]) {
      assert.ok(!files.includes(f), `${f} is in the tarball`);
    }
    assert.equal(packed.name, "tc3-edge");
  });

  it('"tc3-edge" resolves through the exports map to the node entry of the installed copy, and its types exist', async () => {
    const { stdout } = await run(process.execPath, [join(scratch, "resolve.mjs")], { cwd: scratch, env: childEnv() });
    const r = JSON.parse(stdout);
    const installed = pathToFileURL(join(scratch, "node_modules", "tc3-edge")).href;
    assert.equal(r.main, `${installed}/node.js`);
    assert.equal(r.sign, `${installed}/sign/node.js`);
    assert.equal(r.wasm, `${installed}/gen/tc3_edge_bg.wasm`);
    assert.equal(r.packageJson, `${installed}/package.json`);
    assert.match(r.privateFile, /ERR_PACKAGE_PATH_NOT_EXPORTED/, "files outside the exports map must not be importable");

    const { stdout: workerd } = await run(process.execPath, ["--conditions=workerd", join(scratch, "resolve.mjs")], { cwd: scratch, env: childEnv() });
    assert.equal(JSON.parse(workerd).main, `${installed}/workerd.js`);
    assert.equal(JSON.parse(workerd).sign, `${installed}/sign/workerd.js`);

    const dir = join(scratch, "node_modules", "tc3-edge");
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    assert.equal(manifest.exports["."].node, "./node.js");
    assert.equal(manifest.exports["."].types, "./index.d.ts");
    assert.equal(manifest.types, "./index.d.ts");
    const types = readFileSync(join(dir, "index.d.ts"), "utf8");
    assert.match(types, /export \{ CvmClient, signRequest, SlidingWindow \} from "\.\/gen\/tc3_edge\.js"/);
    assert.match(types, /export declare class TencentCloudError extends Error/);
    const generated = readFileSync(join(dir, "gen", "tc3_edge.d.ts"), "utf8");
    for (const decl of [
      /export class CvmClient \{/,
      /\bExportImages\(params: ExportImagesRequest\b[^)]*\): Promise<ExportImagesResponse>;/,
      /\bexportImages\(params: ExportImagesRequest\b[^)]*\): Promise<ExportImagesResponse>;/,
      /export function signRequest\(input: SignRequestInput\): SignedRequestOutput;/,
      /export interface ExportImagesRequest \{/,
      /export interface ExportImagesResponse \{/,
    ]) {
      assert.match(generated, decl, `gen/tc3_edge.d.ts lacks ${decl}`);
    }
  });

  it(
    "the shipped types let the documented calls type-check: no required `X | undefined` parameter",
    () => {
      const generated = readFileSync(join(scratch, "node_modules", "tc3-edge", "gen", "tc3_edge.d.ts"), "utf8");
      const cls = generated.slice(generated.indexOf("export class CvmClient"));
      const required = [...cls.matchAll(/^\s*(\w+)\(([^)]*)\)/gm)].flatMap(([, method, params]) =>
        params.split(/,\s*(?=\w+\??:)/).filter((p) => /^\w+: .*\| undefined$/.test(p.trim())).map((p) => `${method}(… ${p.trim()})`),
      );
      assert.deepEqual(required, []);
    },
  );
});

describe("ExportImages against a local server that checks every request", () => {
  const params = {
    // Deliberately not in API order: the body must be.
    RoleName: "CVM_QcsRole",
    DryRun: false,
    OnlyExportRootDisk: true,
    FileNamePrefixList: ["系统盘-😀", 'data "quoted" \\ back\nslash'],
    ExportFormat: "QCOW2",
    ImageIds: ["img-pq5pau1w", "img-72n9mi0y"],
    BucketName: "backup-1250000000",
  };
  const minimal = { BucketName: "b-1250000000", ImageIds: ["img-72n9mi0y"] };
  let results;
  let seen;

  before(async () => {
    const api = servers.api.endpoint;
    const start = servers.api.requests.length;
    results = await runCalls([
      { name: "full", client: clientOptions(api), op: "ExportImages", args: [params] },
      { name: "minimal alias", client: clientOptions(api), op: "exportImages", args: [minimal] },
      { name: "windows", client: clientOptions(api), op: "ExportImages", args: [{ BucketName: "b-1250000000", ImageIds: [WINDOWS_IMAGE] }] },
      { name: "temporary credential", client: clientOptions(api, TEMP), op: "ExportImages", args: [minimal] },
      { name: "describe", client: clientOptions(api), op: "request", args: ["DescribeImages", { ImageIds: ["img-72n9mi0y"], Limit: 1 }] },
      { name: "signRequest", op: "signRequest", args: [{ ...MAIN, action: "ExportImages", region: REGION, payload: minimal, timestamp: 2208988800 }] },
      { name: "lean.signRequest", op: "lean.signRequest", args: [{ ...MAIN, action: "ExportImages", region: REGION, payload: minimal, timestamp: 2208988800 }] },
      { name: "lean.signRequest error", op: "lean.signRequest", args: [{ ...MAIN, secretKey: "", action: "ExportImages" }] },
    ]);
    seen = servers.api.requests.slice(start);
  });

  it("every request is a correctly signed POST / with the expected headers (checked by the server)", () => {
    assert.equal(seen.length, 5);
    for (const r of seen) assert.deepEqual(r.problems, [], `request ${r.headers["x-tc-action"]} ${r.body}`);
  });

  it("the body is the compact JSON of the parameters in API field order", () => {
    assert.equal(seen[0].body, exportImagesBody(params));
    assert.equal(
      seen[0].body,
      '{"BucketName":"backup-1250000000","ImageIds":["img-pq5pau1w","img-72n9mi0y"],"ExportFormat":"QCOW2","FileNamePrefixList":["系统盘-😀","data \\"quoted\\" \\\\ back\\nslash"],"OnlyExportRootDisk":true,"DryRun":false,"RoleName":"CVM_QcsRole"}',
    );
    assert.equal(seen[1].body, '{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"]}');
    assert.equal(seen[0].headers["x-tc-action"], "ExportImages");
  });

  it("a success resolves to exactly { TaskId, CosPaths, RequestId } from the response", () => {
    const r = results.full;
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.returnedPromise, true);
    assert.deepStrictEqual(r.value, { TaskId: 105591590, CosPaths: ["/img-pq5pau1w_system_snap-fiux4bof.raw"], RequestId: seen[0].responseRequestId });
    assert.deepStrictEqual(results["minimal alias"].value, { TaskId: 105591590, CosPaths: ["/img-pq5pau1w_system_snap-fiux4bof.raw"], RequestId: seen[1].responseRequestId });
  });

  it("an API error rejects with the server's code, message and RequestId as a TencentCloudError", () => {
    assertTencentCloudError(results.windows, {
      code: "UnsupportedOperation.WindowsImageExportUnsupported",
      requestId: seen[2].responseRequestId,
      httpCode: 200,
    });
    assert.equal(results.windows.error.message, "Windows images cannot be exported.");
    assert.match(results.windows.error.string, new RegExp(`RequestId: ${seen[2].responseRequestId}`));
  });

  it("a temporary credential sends its token as X-TC-Token and signs with the temporary key", () => {
    assert.equal(results["temporary credential"].ok, true, JSON.stringify(results["temporary credential"].error));
    assert.equal(seen[3].headers["x-tc-token"], TEMP.token);
    assert.match(seen[3].headers.authorization, new RegExp(`Credential=${TEMP.secretId}/`));
    assert.equal(seen[0].headers["x-tc-token"], undefined, "no token header without a token");
  });

  it("request('DescribeImages', …) signs the same way and resolves to the parsed Response object", () => {
    assert.equal(seen[4].headers["x-tc-action"], "DescribeImages");
    assert.equal(seen[4].body, '{"ImageIds":["img-72n9mi0y"],"Limit":1}');
    assert.deepStrictEqual(results.describe.value, {
      TotalCount: 1,
      ImageSet: [{ ImageId: "img-72n9mi0y", ImageName: "镜像 😀" }],
      RequestId: seen[4].responseRequestId,
    });
  });

  it("signRequest from the installed package matches Sign.sign3", () => {
    const out = results.signRequest.value;
    assert.equal(out.body, JSON.stringify(minimal));
    assert.equal(
      out.authorization,
      officialAuthorization({ url: "https://cvm.tencentcloudapi.com/", body: out.body, timestamp: 2208988800, secretId: MAIN.secretId, secretKey: MAIN.secretKey, contentType: "application/json" }),
    );
    assert.equal(out.headers.Authorization, out.authorization);
  });

  it("tc3-edge/sign (the sign-only module) signs identically, and throws its own TencentCloudError", () => {
    assert.deepEqual(results["lean.signRequest"].value, results.signRequest.value);
    const failed = results["lean.signRequest error"];
    assert.equal(failed.ok, false);
    assert.equal(failed.isLeanError, true);
    assert.equal(failed.error.code, "Client.InvalidCredential");
  });

  it(
    "the shipped types declare signRequest's headers as the plain object it returns",
    () => {
      const out = results.signRequest.value;
      // A Map would not survive the child's JSON.stringify: the header names prove a plain object.
      assert.equal(typeof out.headers["X-TC-Timestamp"], "string");
      const generated = readFileSync(join(scratch, "node_modules", "tc3-edge", "gen", "tc3_edge.d.ts"), "utf8");
      const decl = /^\s*headers: (.+);$/m.exec(generated.slice(generated.indexOf("interface SignedRequestOutput")))?.[1];
      assert.doesNotMatch(decl ?? "", /Map</, `SignedRequestOutput.headers is declared as ${decl}`);
    },
  );
});

describe("validation: each rule rejects with the server's code and field, and sends nothing", () => {
  const ok = { BucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"] };
  const UNDEFINED = Symbol("no argument");
  // [behaviour, params, expected code, expected field, options]
  const rules = [
    ["a string instead of an object → InvalidParameter", "BucketName=backup-1250000000", "InvalidParameter", ""],
    ["an array instead of an object → InvalidParameter", [ok], "InvalidParameter", ""],
    ["null instead of an object → InvalidParameter", null, "InvalidParameter", ""],
    ["a number instead of an object → InvalidParameter", 42, "InvalidParameter", ""],
    ["no argument at all → InvalidParameter", UNDEFINED, "InvalidParameter", ""],
    ["an unknown field → UnknownParameter naming the key", { ...ok, Foo: 1 }, "UnknownParameter", "Foo"],
    ["a camelCase field name → UnknownParameter naming the key", { bucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"] }, "UnknownParameter", "bucketName"],
    ["BucketName missing → MissingParameter", { ImageIds: ["img-72n9mi0y"] }, "MissingParameter", "BucketName"],
    ["BucketName empty → MissingParameter", { ...ok, BucketName: "" }, "MissingParameter", "BucketName"],
    ["BucketName without an APPID → InvalidParameterValue.InvalidAppIdFormat", { ...ok, BucketName: "backup" }, "InvalidParameterValue.InvalidAppIdFormat", "BucketName"],
    ["BucketName with a non-numeric APPID → InvalidParameterValue.InvalidAppIdFormat", { ...ok, BucketName: "backup-12500a" }, "InvalidParameterValue.InvalidAppIdFormat", "BucketName"],
    ["BucketName that is only an APPID → InvalidParameterValue.InvalidAppIdFormat", { ...ok, BucketName: "1250000000" }, "InvalidParameterValue.InvalidAppIdFormat", "BucketName"],
    ["BucketName with uppercase in the name part → InvalidParameterValue", { ...ok, BucketName: "Backup-1250000000" }, "InvalidParameterValue", "BucketName"],
    ["BucketName with '_' in the name part → InvalidParameterValue", { ...ok, BucketName: "back_up-1250000000" }, "InvalidParameterValue", "BucketName"],
    ["ImageIds missing → InvalidParameter.ImageIdsSnapshotIdsMustOne", { BucketName: "backup-1250000000" }, "InvalidParameter.ImageIdsSnapshotIdsMustOne", "ImageIds"],
    ["ImageIds empty → InvalidParameter.ImageIdsSnapshotIdsMustOne", { ...ok, ImageIds: [] }, "InvalidParameter.ImageIdsSnapshotIdsMustOne", "ImageIds"],
    ["a malformed image id → InvalidImageId.Malformed at its index", { ...ok, ImageIds: ["img-72n9mi0y", "img-bad"] }, "InvalidImageId.Malformed", "ImageIds.1"],
    ["an image id with uppercase → InvalidImageId.Malformed", { ...ok, ImageIds: ["img-72N9MI0Y"] }, "InvalidImageId.Malformed", "ImageIds.0"],
    ["an image id one character too long → InvalidImageId.Malformed", { ...ok, ImageIds: ["img-72n9mi0yy"] }, "InvalidImageId.Malformed", "ImageIds.0"],
    ["a snapshot id instead of an image id → InvalidImageId.Malformed", { ...ok, ImageIds: ["snap-72n9mi0y"] }, "InvalidImageId.Malformed", "ImageIds.0"],
    ["a duplicated image id → InvalidParameterValue at the repeat", { ...ok, ImageIds: ["img-72n9mi0y", "img-pq5pau1w", "img-72n9mi0y"] }, "InvalidParameterValue", "ImageIds.2"],
    ["ExportFormat in lowercase → InvalidParameterValue", { ...ok, ExportFormat: "raw" }, "InvalidParameterValue", "ExportFormat"],
    ["an unknown ExportFormat → InvalidParameterValue", { ...ok, ExportFormat: "ISO" }, "InvalidParameterValue", "ExportFormat"],
    ["FileNamePrefixList shorter than ImageIds → InvalidParameterValue.InvalidFileNamePrefixList", { ...ok, ImageIds: ["img-72n9mi0y", "img-pq5pau1w"], FileNamePrefixList: ["a"] }, "InvalidParameterValue.InvalidFileNamePrefixList", "FileNamePrefixList"],
    ["FileNamePrefixList longer than ImageIds → InvalidParameterValue.InvalidFileNamePrefixList", { ...ok, FileNamePrefixList: ["a", "b"] }, "InvalidParameterValue.InvalidFileNamePrefixList", "FileNamePrefixList"],
    ["FileNamePrefixList empty for one image → InvalidParameterValue.InvalidFileNamePrefixList", { ...ok, FileNamePrefixList: [] }, "InvalidParameterValue.InvalidFileNamePrefixList", "FileNamePrefixList"],
    ["an empty file-name prefix → InvalidParameterValue", { ...ok, FileNamePrefixList: [""] }, "InvalidParameterValue", "FileNamePrefixList.0"],
    ['OnlyExportRootDisk "true" (a string) → InvalidParameter', { ...ok, OnlyExportRootDisk: "true" }, "InvalidParameter", "OnlyExportRootDisk"],
    ["DryRun 1 (a number) → InvalidParameter", { ...ok, DryRun: 1 }, "InvalidParameter", "DryRun"],
    ["DryRun null → InvalidParameter", { ...ok, DryRun: null }, "InvalidParameter", "DryRun"],
    ["BucketName null → InvalidParameter", { ...ok, BucketName: null }, "InvalidParameter", "BucketName"],
    ["BucketName a number → InvalidParameter", { ...ok, BucketName: 1250000000 }, "InvalidParameter", "BucketName"],
    ["ImageIds a string → InvalidParameter", { ...ok, ImageIds: "img-72n9mi0y" }, "InvalidParameter", "ImageIds"],
    ["an image id that is a number → InvalidParameter", { ...ok, ImageIds: [12345678] }, "InvalidParameter", "ImageIds.0"],
    ["ExportFormat a number → InvalidParameter", { ...ok, ExportFormat: 1 }, "InvalidParameter", "ExportFormat"],
    ["FileNamePrefixList a string → InvalidParameter", { ...ok, FileNamePrefixList: "prefix" }, "InvalidParameter", "FileNamePrefixList"],
    ["RoleName an object → InvalidParameter", { ...ok, RoleName: { name: "r" } }, "InvalidParameter", "RoleName"],
    ['RoleName "" → InvalidParameterValue', { ...ok, RoleName: "" }, "InvalidParameterValue", "RoleName"],
    ["11 image ids → InvalidParameterValue.LimitExceeded", { ...ok, ImageIds: Array.from({ length: 11 }, (_, i) => `img-${String(i).padStart(8, "0")}`) }, "InvalidParameterValue.LimitExceeded", "ImageIds"],
    ["a 65-character prefix → InvalidParameterValue.TooLarge", { ...ok, FileNamePrefixList: ["镜".repeat(65)] }, "InvalidParameterValue.TooLarge", "FileNamePrefixList.0"],
    ["BucketName whose name part ends with '-' → InvalidParameterValue", { ...ok, BucketName: "backup--1250000000" }, "InvalidParameterValue", "BucketName"],
    ["SnapshotIds → UnknownParameter", { ...ok, SnapshotIds: ["snap-72n9mi0y"] }, "UnknownParameter", "SnapshotIds"],
    ["a client without region → MissingParameter (Region)", ok, "MissingParameter", "Region", { noRegion: true }],
    // Precedence: the first problem in the documented order is the one reported.
    ["precedence: an unknown field before a missing BucketName", { Foo: 1 }, "UnknownParameter", "Foo"],
    ["precedence: BucketName before ImageIds", { BucketName: "Bad-1", ImageIds: ["bad"] }, "InvalidParameterValue", "BucketName"],
    ["precedence: ImageIds before ExportFormat", { BucketName: "b-1", ImageIds: ["bad"], ExportFormat: "iso" }, "InvalidImageId.Malformed", "ImageIds.0"],
    ["precedence: ExportFormat before FileNamePrefixList", { ...ok, ExportFormat: "iso", FileNamePrefixList: [] }, "InvalidParameterValue", "ExportFormat"],
    [
      "precedence: every JSON type (a wrong DryRun type) before any value (the FileNamePrefixList length)",
      { ...ok, FileNamePrefixList: ["a", "b"], DryRun: "yes" },
      "InvalidParameter",
      "DryRun",
    ],
    [
      'precedence: the FileNamePrefixList length before RoleName ""',
      { ...ok, FileNamePrefixList: ["a", "b"], RoleName: "" },
      "InvalidParameterValue.InvalidFileNamePrefixList",
      "FileNamePrefixList",
    ],
    [
      "precedence: the FileNamePrefixList length before an empty prefix",
      { ...ok, FileNamePrefixList: ["", "b"] },
      "InvalidParameterValue.InvalidFileNamePrefixList",
      "FileNamePrefixList",
    ],
    ["precedence: OnlyExportRootDisk before DryRun", { ...ok, OnlyExportRootDisk: 0, DryRun: 0 }, "InvalidParameter", "OnlyExportRootDisk"],
    ["precedence: DryRun before RoleName", { ...ok, DryRun: "no", RoleName: "" }, "InvalidParameter", "DryRun"],
  ];

  let results;
  let requestsBefore;
  let requestsAfter;
  before(async () => {
    requestsBefore = servers.api.requests.length;
    const calls = [];
    for (const [name, params, , , opts = {}] of rules) {
      const client = clientOptions(servers.api.endpoint, TEMP);
      if (opts.noRegion) delete client.region;
      const args = params === UNDEFINED ? [] : [params];
      calls.push({ name: `${name}|ExportImages`, client, op: "ExportImages", args });
      calls.push({ name: `${name}|validateExportImages`, client, op: "validateExportImages", args });
      calls.push({ name: `${name}|signExportImages`, client, op: "signExportImages", args });
    }
    results = await runCalls(calls);
    requestsAfter = servers.api.requests.length;
  });

  for (const [name, , code, field] of rules) {
    it(name, () => {
      const async = results[`${name}|ExportImages`];
      assert.equal(async.threwSynchronously, undefined, "ExportImages must reject, not throw");
      assertTencentCloudError(async, { code, field });
      assert.equal(async.error.requestId, null);
      assert.equal(async.error.httpCode, null);
      // The synchronous validators report the same error.
      for (const op of ["validateExportImages", "signExportImages"]) {
        const sync = results[`${name}|${op}`];
        assertTencentCloudError(sync, { code, field });
        assert.equal(sync.error.message, async.error.message, op);
      }
    });
  }

  it("the server received zero requests for all validation cases", () => {
    assert.equal(requestsAfter - requestsBefore, 0);
  });

  it("valid parameters pass validateExportImages and come back normalized", async () => {
    const r = await runCalls([{ name: "v", client: clientOptions(servers.api.endpoint), op: "validateExportImages", args: [{ ImageIds: ["img-72n9mi0y"], BucketName: "b-1" }] }]);
    assert.deepStrictEqual(r.v.value, { BucketName: "b-1", ImageIds: ["img-72n9mi0y"] });
  });
});

describe("client-side failures are typed and never leak the SecretKey or the token", () => {
  // Not a dry run: ExportImages creates a task, so a failure that may mean it ran is never resent.
  const params = { BucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"], OnlyExportRootDisk: true };
  let results;
  let counts;
  before(async () => {
    const before = { html: servers.html.requests.length, truncated: servers.truncated.requests.length, badGateway: servers.badGateway.requests.length, slow: servers.slow.requests.length };
    results = await runCalls([
      { name: "unreachable", client: clientOptions(servers.closedEndpoint, TEMP), op: "ExportImages", args: [params] },
      { name: "html", client: clientOptions(servers.html.endpoint, TEMP), op: "ExportImages", args: [params] },
      { name: "truncated", client: clientOptions(servers.truncated.endpoint, TEMP), op: "ExportImages", args: [params] },
      { name: "502", client: clientOptions(servers.badGateway.endpoint, TEMP), op: "ExportImages", args: [params] },
      { name: "slow", client: clientOptions(servers.slow.endpoint, TEMP, { reqTimeout: 1 }), op: "ExportImages", args: [params] },
      { name: "empty SecretKey", client: clientOptions(servers.api.endpoint, { ...TEMP, secretKey: "" }), construct: true },
      { name: "missing SecretKey", client: clientOptions(servers.api.endpoint, { secretId: TEMP.secretId, token: TEMP.token }), construct: true },
      { name: "non-ASCII token", client: clientOptions(servers.api.endpoint, { ...TEMP, token: `${TEMP.token}-ü` }), construct: true },
      { name: "SecretId with a space", client: clientOptions(servers.api.endpoint, { ...TEMP, secretId: "AKID x" }), construct: true },
      { name: "reqTimeout 0", client: clientOptions(servers.api.endpoint, TEMP, { reqTimeout: 0 }), construct: true },
      { name: "ftp endpoint", client: clientOptions("ftp://127.0.0.1/", TEMP), construct: true },
      { name: "unknown option", client: { ...clientOptions(servers.api.endpoint, TEMP), secretKey: TEMP.secretKey }, construct: true },
    ]);
    counts = {
      html: servers.html.requests.length - before.html,
      truncated: servers.truncated.requests.length - before.truncated,
      badGateway: servers.badGateway.requests.length - before.badGateway,
      slow: servers.slow.requests.length - before.slow,
    };
  });

  it("an unreachable endpoint (closed port) → Client.NetworkError", () => {
    assertTencentCloudError(results.unreachable, { code: "Client.NetworkError" });
    assert.equal(results.unreachable.error.httpCode, null);
  });

  it("a server answering an HTML page → Client.NonJsonResponse", () => {
    assertTencentCloudError(results.html, { code: "Client.NonJsonResponse", httpCode: 200 });
    assert.equal(counts.html, 1, "sent exactly once");
  });

  it("a JSON body cut short → Client.TruncatedResponse", () => {
    assertTencentCloudError(results.truncated, { code: "Client.TruncatedResponse", httpCode: 200 });
    assert.equal(counts.truncated, 1, "sent exactly once");
  });

  it("HTTP 502 with an HTML page → Client.HttpStatus with httpCode 502", () => {
    assertTencentCloudError(results["502"], { code: "Client.HttpStatus", httpCode: 502 });
    assert.equal(counts.badGateway, 1, "sent exactly once");
  });

  it("a server slower than reqTimeout: 1 → Client.Timeout", () => {
    assertTencentCloudError(results.slow, { code: "Client.Timeout" });
    assert.equal(counts.slow, 1, "sent exactly once");
  });

  it("the requests that reached the fault servers were correctly signed, with the token", () => {
    for (const s of [servers.html, servers.truncated, servers.badGateway, servers.slow]) {
      for (const r of s.requests) {
        assert.deepEqual(r.problems, []);
        assert.equal(r.headers["x-tc-token"], TEMP.token);
        assert.equal(r.body, '{"BucketName":"backup-1250000000","ImageIds":["img-72n9mi0y"],"OnlyExportRootDisk":true}');
      }
    }
  });

  it("bad credentials are rejected by the constructor with Client.InvalidCredential", () => {
    for (const name of ["empty SecretKey", "missing SecretKey", "non-ASCII token", "SecretId with a space"]) {
      assertTencentCloudError(results[name], { code: "Client.InvalidCredential" });
    }
  });

  it("bad options are rejected by the constructor with Client.InvalidOption", () => {
    for (const name of ["reqTimeout 0", "ftp endpoint", "unknown option"]) {
      assertTencentCloudError(results[name], { code: "Client.InvalidOption" });
    }
  });
});
