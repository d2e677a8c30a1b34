// Installs the package as a user would: `npm pack` of pkg/, then `npm install <tarball>` in a
// scratch project (offline: the package has no dependencies). Shared by tests/bundlers and
// tests/workers.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const PKG_DIR = join(REPO, 'pkg');

/** Fails with a clear message when the package has not been built. */
export function assertPackageBuilt() {
  const wasm = join(PKG_DIR, 'gen', 'tc3_edge_bg.wasm');
  if (!existsSync(wasm)) throw new Error(`${wasm} is missing: run scripts/build.sh first`);
}

/**
 * Packs pkg/ and installs the tarball into a new scratch project.
 * Returns { dir, nodeModules, pkgRoot, tarball, cleanup() }.
 */
export async function installPackedPackage(prefix = 'tc3-edge-pack-') {
  assertPackageBuilt();
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const packDir = join(dir, 'tarball');
  await mkdir(packDir);
  const { stdout } = await run('npm', ['pack', PKG_DIR, '--pack-destination', packDir, '--json', '--silent'], { env, cwd: dir });
  const [{ filename }] = JSON.parse(stdout);
  const tarball = join(packDir, filename);
  const project = join(dir, 'app');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball], { env, cwd: project });
  const pkgRoot = join(project, 'node_modules', 'tc3-edge');
  if (!existsSync(join(pkgRoot, 'gen', 'tc3_edge_bg.wasm'))) throw new Error('the installed package has no gen/tc3_edge_bg.wasm');
  return {
    dir: project,
    nodeModules: join(project, 'node_modules'),
    pkgRoot,
    tarball,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
