#!/usr/bin/env node
// node emulator/cli.js [--port 8787] [--host 127.0.0.1] [--quiet]
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8787' }, host: { type: 'string', default: '127.0.0.1' }, quiet: { type: 'boolean', default: false } },
});
const emulator = await startEmulator({
  port: Number(values.port), host: values.host, log: values.quiet ? undefined : (line) => console.log(line),
});
console.log(`tc3-edge emulator listening on ${emulator.url}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await emulator.close();
    process.exit(0);
  });
}
