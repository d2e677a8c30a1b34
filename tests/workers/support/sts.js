// A slow credential back end on loopback (a stand-in for the STS call a Worker's credential
// provider makes): every request is answered with the emulator's temporary key, valid for an
// hour, after `delayMs` — long enough for concurrent requests to wait on one provider call.
import { createServer } from 'node:http';
import { CREDENTIALS } from '../../../emulator/account.js';

/**
 * Starts the stand-in on 127.0.0.1 (a free port). `onRequest` is called on every request (the
 * tests count them). Returns { url, close() }; close() also drops the open connections.
 */
export async function startSlowSts(delayMs, onRequest = () => {}) {
  const server = createServer((req, res) => {
    onRequest();
    const body = JSON.stringify({ ...CREDENTIALS.temporary, expiredTime: Math.floor(Date.now() / 1000) + 3600 });
    setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/json' }).end(body), delayMs);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}
