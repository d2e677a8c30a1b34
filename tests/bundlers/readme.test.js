// The README's examples, as a newcomer copies them (issue #20: "README examples runnable"):
// - the Node quickstart, taken verbatim from README.md, runs in a scratch project that installed
//   the packed tarball, against the local emulator (CVM API + COS) with the emulator's test key,
//   exactly as the README's "Try it" line runs it: it exports, waits for the files and prints
//   links that download them;
// - every ```js block of README.md, pkg/README.md and docs/*.md type-checks (checkJs, strict) against the
//   installed package's types, so a renamed option or method in an example fails here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import ts from 'typescript';
import { CREDENTIALS } from '../../emulator/account.js';
import { startEmulator } from '../../emulator/server.js';
import { installPackedPackage, REPO } from './support/pack.js';

const run = promisify(execFile);
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const PKG_README = readFileSync(join(REPO, 'pkg', 'README.md'), 'utf8');

/** The ```js blocks of `md`, each with the heading it sits under. */
function jsBlocks(md) {
  const blocks = [];
  let heading = '(top)';
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6} /.test(lines[i])) heading = lines[i].replace(/^#+ /, '');
    if (lines[i].trim() === '```js') {
      const end = lines.indexOf('```', i + 1);
      assert.ok(end > i, `unclosed code block under "${heading}"`);
      blocks.push({ heading, code: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return blocks;
}

const NODE_QUICKSTART = jsBlocks(README).find((b) => b.heading.startsWith('Node'));

let installed;
let emu;

before(async () => {
  installed = await installPackedPackage('tc3-edge-readme-');
  // Tasks finish at once: the wait's first round of polls finds the files.
  emu = await startEmulator({ port: 0, exportTaskMs: 0 });
}, { timeout: 120_000 });

after(async () => {
  await Promise.allSettled([emu?.close(), installed?.cleanup()]);
});

test("the README's Node quickstart exports against the emulator, waits for the files and prints working links", { timeout: 60_000 }, async () => {
  assert.ok(NODE_QUICKSTART, 'README.md has a "### Node" section with a ```js block');
  // The "Try it" command of the README names the same variables and the emulator's test key.
  const key = CREDENTIALS.permanent;
  assert.ok(README.includes(`TC_SECRET_ID=${key.secretId} TC_SECRET_KEY=${key.secretKey}`), 'the README quotes the emulator test key');
  assert.match(README, /TC_ENDPOINT=http:\/\/127\.0\.0\.1:8787 TC_COS_ENDPOINT='http:\/\/127\.0\.0\.1:8787\/cos\/\{Bucket\}' node quickstart\.mjs/);

  await writeFile(join(installed.dir, 'quickstart.mjs'), NODE_QUICKSTART.code);
  const env = { ...process.env, TC_SECRET_ID: key.secretId, TC_SECRET_KEY: key.secretKey, TC_ENDPOINT: emu.url, TC_COS_ENDPOINT: `${emu.url.replace(/\/$/, '')}/cos/{Bucket}` };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  const { stdout, stderr } = await run(process.execPath, ['quickstart.mjs'], { cwd: installed.dir, env, timeout: 45_000 });
  assert.equal(stderr, '');

  const ledger = await (await fetch(new URL('/__admin/ledger', emu.url))).json();
  assert.equal(ledger.tasks.length, 1, 'one export task');
  const task = ledger.tasks[0];
  assert.deepEqual(task.ImageIds, ['img-72n9mi0y']);
  assert.equal(task.BucketName, 'backup-1250000000');
  assert.equal(task.ExportFormat, 'QCOW2');
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], `task ${task.TaskId} ${task.CosPaths.join(' ')}`);
  assert.ok(lines.includes(`${task.CosPaths.length}/${task.CosPaths.length} files`), stdout);
  const files = lines.filter((l) => l.startsWith('file '));
  assert.deepEqual(files.map((l) => l.split(' ')[1]), task.CosPaths);
  for (const line of files) {
    const [, , size, url] = line.split(' ');
    assert.ok(url.startsWith(`${emu.url.replace(/\/$/, '')}/cos/backup-1250000000/`), url);
    const res = await fetch(url);
    assert.equal(res.status, 200, url);
    assert.equal((await res.arrayBuffer()).byteLength, Number(size), 'the link downloads the whole file');
  }
});

test('every ```js example of README.md, pkg/README.md and docs/*.md type-checks against the installed package', { timeout: 60_000 }, async () => {
  const docs = readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  const blocks = [
    ...jsBlocks(README).map((b) => ({ ...b, from: 'README.md' })),
    ...jsBlocks(PKG_README).map((b) => ({ ...b, from: 'pkg/README.md' })),
    ...docs.flatMap((f) => jsBlocks(readFileSync(join(REPO, f), 'utf8')).map((b) => ({ ...b, from: f }))),
  ];
  assert.ok(blocks.length >= 5, `found ${blocks.length} blocks`);
  // What the examples take from their surroundings: Node's process (no @types/node here; its
  // variables read as strings, as a JS reader sees them — an unset one is the client's
  // Client.InvalidCredential at run time), and the credentials pkg/README's snippet assumes.
  await writeFile(join(installed.dir, 'readme-globals.d.ts'),
    'declare const process: { env: Record<string, string>; exitCode?: number };\n' +
    'declare const secretId: string, secretKey: string, token: string | undefined;\n' +
    // docs/ continue from the README's set-up: a client, its class and a credential in scope.
    'declare const CvmClient: typeof import("tc3-edge").CvmClient;\n' +
    'declare const client: import("tc3-edge").CvmClient;\n' +
    'declare const credential: import("tc3-edge").CvmClientOptions["credential"];\n');
  const files = [join(installed.dir, 'readme-globals.d.ts')];
  for (const [i, b] of blocks.entries()) {
    const file = join(installed.dir, `example-${i}.mjs`);
    // Each example is its own module (export {}), so their top-level names do not collide.
    await writeFile(file, `// @ts-check\n// ${b.from}: ${b.heading}\n${b.code}\nexport {};\n`);
    files.push(file);
  }
  const options = {
    // strict, except that a JS example's parameters are untyped (`fetch(request, env)`).
    allowJs: true, checkJs: true, strict: true, noImplicitAny: false, noEmit: true, types: [], skipLibCheck: true,
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
  };
  const program = ts.createProgram(files, options);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${relative(installed.dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    const head = d.file ? d.file.text.split('\n')[1] : '';
    return `${where} (${head}): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
  assert.deepEqual(problems, []);
});
