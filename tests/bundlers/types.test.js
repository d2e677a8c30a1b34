// The package's TypeScript types, as a user's project sees them: the tarball installed in a
// scratch project and a consumer type-checked with tsc under `moduleResolution: bundler`
// (Vite/esbuild/wrangler projects) and `nodenext` (Node). Nothing is run here; the other files
// in this folder run the same calls for real.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import ts from 'typescript';
import { installPackedPackage } from './support/pack.js';

// Every documented call, each with the options it takes.
const CONSUMER = `
import { CvmClient, SlidingWindow, TencentCloudError, signRequest } from "tc3-edge";
import type { ExportImagesRequest, ExportImagesResponse, CvmClientOptions, SharedRateLimiter, SignedRequestOutput, PresignCosUrlRequest, PresignedCosUrl } from "tc3-edge";
import type { ExportFile, ExportFileState, ExportFilesState, ExportProgress } from "tc3-edge";

const options: CvmClientOptions = {
  credential: { secretId: "AKID", secretKey: "key", token: "t" },
  region: "ap-guangzhou",
  profile: { language: "en-US", httpProfile: { endpoint: "http://127.0.0.1:8787", reqTimeout: 10 } },
  fetch: (input, init) => fetch(input, init),
  retry: false,
  rateLimit: { perSecond: 20 },
};
const client = new CvmClient(options);
const provided = new CvmClient({
  credential: async () => ({ secretId: "AKID", secretKey: "key", token: "t", expiredTime: 1_900_000_000 }),
  region: "ap-guangzhou",
  rateLimit: false,
});
void provided;
// A limiter shared beyond one client (a Durable Object, …), and the window rule it may use.
const shared: SharedRateLimiter = { acquire: async (action: string, { signal }: { signal?: AbortSignal }) => { void action; void signal; } };
const fleet = new CvmClient({ credential: { secretId: "AKID", secretKey: "key" }, region: "ap-guangzhou", rateLimit: shared });
void fleet;
const window = new SlidingWindow(20, 1000, 200);
const waitMs: number = window.reserve(performance.now()) + window.trySend(performance.now());
void waitMs;

const params: ExportImagesRequest = { BucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"], ExportFormat: "QCOW2" };
const normalized: ExportImagesRequest = client.validateExportImages(params);
void normalized;

export async function withSignal(): Promise<number> {
  const r: ExportImagesResponse = await client.ExportImages(params, { signal: AbortSignal.timeout(5000) });
  return r.TaskId + r.CosPaths.length + r.RequestId.length;
}

export function onError(e: unknown): string | undefined {
  if (e instanceof TencentCloudError) {
    const j = e.toJSON();
    return [e.code, e.message, e.requestId, e.field, e.httpCode, e.mayHaveExecuted, j.code].join();
  }
  return undefined;
}

const signed: SignedRequestOutput = signRequest({ secretId: "AKID", secretKey: "key", action: "DescribeImages", region: "ap-guangzhou" });
void signed.authorization;

// COS links.
const cosClient = new CvmClient({ ...options, profile: { cosEndpoint: "http://127.0.0.1:8787/cos/{Bucket}" } });
const cosRequest: PresignCosUrlRequest = { BucketName: "backup-1250000000", key: "/img-72n9mi0y_system_snap-72n9sys0.qcow2", method: "HEAD", expires: 3600, timestamp: 1_732_665_600, query: { "response-content-type": "application/octet-stream" }, headers: { Range: "bytes=0-1023" } };
const link: PresignedCosUrl = cosClient.presignCosUrl(cosRequest);
void (link.url + link.authorization);

// Waiting for an export's files.
export async function waitForFiles(): Promise<string[]> {
  const task = await cosClient.ExportImages(params);
  const progress: ExportProgress[] = [];
  const files: ExportFile[] = await cosClient.waitForExport({ ...task, BucketName: params.BucketName }, {
    signal: AbortSignal.timeout(60_000), onProgress: (p) => { progress.push(p); }, timeout: 3600, interval: 5, maxInterval: 60, urlExpires: 600,
  });
  const state: ExportFilesState = await cosClient.checkExportFiles({ BucketName: "backup-1250000000", CosPaths: task.CosPaths }, { timeout: 20 });
  const first: ExportFileState | undefined = state.files[0];
  return [...files.map((f) => f.url + f.key + (f.size ?? 0) + (f.etag ?? "") + (f.lastModified ?? "")), String(first?.state), String(progress[0]?.elapsedMs)];
}

// The sign-only entry.
import { signRequest as leanSign, TencentCloudError as LeanError } from "tc3-edge/sign";
import type { SignRequestInput, SignedRequestOutput as LeanOutput } from "tc3-edge/sign";
const leanInput: SignRequestInput = { secretId: "AKID", secretKey: "key", action: "DescribeImages", timestamp: 1_732_665_600 };
const leanSigned: LeanOutput = leanSign(leanInput);
export function onLeanError(e: unknown): string | undefined {
  return e instanceof LeanError ? e.code + leanSigned.headers["Authorization"] : undefined;
}
`;

// The call every README and the package's own doc comment show: no second argument.
const ONE_ARGUMENT = `
import { CvmClient } from "tc3-edge";
const client = new CvmClient({ credential: { secretId: "AKID", secretKey: "key" }, region: "ap-guangzhou" });
export const a = client.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"] });
export const b = client.exportImages({ BucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"] });
export const c = client.request("DescribeImages", {});
export const d = client.request("DescribeImages");
`;

// Two usual setups: a Vite-style app (bundler resolution, skipLibCheck like the templates) and a
// Node project (nodenext). The program runs in-process with one shared source-file cache, so the
// standard library is parsed once.
const SETUPS = {
  bundler: { target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], skipLibCheck: true },
  nodenext: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], skipLibCheck: true },
};

let installed;
let check;

before(async () => {
  installed = await installPackedPackage('tc3-edge-types-');
  await writeFile(join(installed.dir, 'consumer.ts'), CONSUMER);
  await writeFile(join(installed.dir, 'one-argument.ts'), ONE_ARGUMENT);
  const cache = new Map();
  check = (file, setup, extra = {}) => {
    const o = { ...SETUPS[setup], ...extra };
    const options = {
      strict: true, noEmit: true, types: [], lib: o.lib, skipLibCheck: o.skipLibCheck,
      target: ts.ScriptTarget.ES2022,
      module: o.module === 'nodenext' ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext,
      moduleResolution: o.moduleResolution === 'nodenext' ? ts.ModuleResolutionKind.NodeNext : ts.ModuleResolutionKind.Bundler,
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) => {
      const key = `${name}\u0000${typeof lang === 'object' ? JSON.stringify(lang) : lang}`;
      if (!cache.has(key)) cache.set(key, getSourceFile(name, lang, ...rest));
      return cache.get(key);
    };
    const program = ts.createProgram([join(installed.dir, file)], options, host);
    return ts.getPreEmitDiagnostics(program)
      .map((d) => `${d.file ? `${relative(installed.dir, d.file.fileName)}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)
      .join('\n');
  };
});

after(async () => {
  await installed?.cleanup();
});

for (const setup of Object.keys(SETUPS)) {
  test(`the documented API type-checks against the tarball (${setup})`, { timeout: 45_000 }, () => {
    assert.equal(check('consumer.ts', setup), '');
  });
}

test('ExportImages(params), exportImages(params), request(action[, payload]) type-check without options', { timeout: 45_000 }, () => {
    assert.equal(check('one-argument.ts', 'bundler'), '');
  });

// tsc's default is skipLibCheck: false; wasm-bindgen's `[Symbol.dispose](): void` then needs
// lib esnext.disposable (TypeScript >= 5.2), which index.d.ts references for es2022 projects.
test('the types check with skipLibCheck: false and lib es2022 (tsc defaults)',
  { timeout: 45_000 },
  () => {
    assert.equal(check('consumer.ts', 'nodenext', { skipLibCheck: false }), '');
  });
