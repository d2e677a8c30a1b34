#!/usr/bin/env node
// node emulator/cli.js [--port 8787] [--host 127.0.0.1] [--export-ms 5000] [--worker-url URL] [--quiet]
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' }, host: { type: 'string', default: '127.0.0.1' }, quiet: { type: 'boolean', default: false },
    // How long an export task runs; its files appear in COS one by one meanwhile.
    'export-ms': { type: 'string', default: '5000' },
    // Where the example Worker runs beside the emulator (make demo), for the page: GET /__demo/config.
    'worker-url': { type: 'string' },
  },
});
const exportTaskMs = Number(values['export-ms']);
if (!Number.isSafeInteger(exportTaskMs) || exportTaskMs < 0) {
  console.error('--export-ms must be a whole number of milliseconds');
  process.exit(2);
}
const emulator = await startEmulator({
  port: Number(values.port), host: values.host, exportTaskMs, workerUrl: values['worker-url'] ?? null, log: values.quiet ? undefined : (line) => console.log(line),
});
console.log(`tc3-edge emulator listening on ${emulator.url}`);
console.log(`  Cloudflare Access stand-in: team domain ${emulator.access.issuer}, AUD ${emulator.access.aud}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await emulator.close();
    process.exit(0);
  });
}
