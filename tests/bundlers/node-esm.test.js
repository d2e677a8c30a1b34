// tc3-edge installed from its tarball and imported by plain Node ESM (`node` condition: the
// wasm read from disk and instantiated synchronously at import): ONE signed ExportImages
// request that the emulator accepts. Runs in a child process from the scratch project, like
// a user's script.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { installPackedPackage } from './support/pack.js';

const run = promisify(execFile);

const SCRIPT = `
import { CvmClient, TencentCloudError } from "tc3-edge";

const [endpoint, secretId, secretKey] = process.argv.slice(2);
const resolved = import.meta.resolve("tc3-edge");
const client = new CvmClient({ credential: { secretId, secretKey }, region: "ap-guangzhou", profile: { httpProfile: { endpoint } } });
let validation;
try { client.validateExportImages({ BucketName: "nobucket", ImageIds: ["img-72n9mi0y"] }); }
catch (e) { validation = { isTce: e instanceof TencentCloudError, code: e.code, field: e.field }; }
const res = await client.ExportImages({ BucketName: "backup-1250000000", ImageIds: ["img-arm64001"], FileNamePrefixList: ["node"] });
console.log(JSON.stringify({ resolved, validation, res }));
`;

let emu;
let installed;

before(async () => {
  emu = await startEmulator({ port: 0 });
  installed = await installPackedPackage('tc3-edge-node-');
  await writeFile(join(installed.dir, 'main.mjs'), SCRIPT);
});

after(async () => {
  await emu?.close();
  await installed?.cleanup();
});

test('plain Node ESM import → one signed ExportImages accepted by the emulator', { timeout: 45_000 }, async () => {
  const before = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  const { stdout } = await run(process.execPath, ['main.mjs', emu.url, CREDENTIALS.permanent.secretId, CREDENTIALS.permanent.secretKey],
    { cwd: installed.dir, timeout: 30_000 });
  const out = JSON.parse(stdout.trim().split('\n').at(-1));
  assert.match(out.resolved, /\/node_modules\/tc3-edge\/node\.js$/, 'the `node` entry was used');
  assert.deepEqual(out.validation, { isTce: true, code: 'InvalidParameterValue.InvalidAppIdFormat', field: 'BucketName' });
  const l = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  assert.equal(l.taskCount, before.taskCount + 1);
  assert.equal(l.requests.total, before.requests.total + 1);
  const task = l.tasks.find((x) => x.TaskId === out.res.TaskId);
  assert.equal(task.RequestId, out.res.RequestId);
  assert.deepEqual(task.FileNamePrefixList, ['node']);
  assert.equal(task.ImageIds[0], 'img-arm64001');
});
