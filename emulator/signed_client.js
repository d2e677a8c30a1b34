// A signed-request helper for the emulator's tests (and anyone poking the emulator by hand).
// It signs with the official Node SDK's Sign.sign3, not with the library under test.
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { CREDENTIALS } from './account.js';

const require = createRequire(import.meta.url);
const Sign = require('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js').default;

/**
 * Builds a signed request. `body`: an object (JSON-encoded) or a string/Buffer sent as is.
 * `signHost`: the host put in the signature (default: the real API host, as a proxy would forward it).
 * Returns { method, path, headers, body (Buffer) }; `overrides` then replaces or (undefined) removes headers.
 */
export function signedRequest({
  action = 'ExportImages', body = {}, method = 'POST', query = '', key = CREDENTIALS.permanent, token = key.token,
  region = 'ap-guangzhou', version = '2017-03-12', timestamp = Math.floor(Date.now() / 1000),
  contentType = method === 'GET' ? 'application/x-www-form-urlencoded' : 'application/json',
  signHost = 'cvm.tencentcloudapi.com', overrides = {},
} = {}) {
  const bytes = method === 'GET' ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const authorization = Sign.sign3({
    method, url: `https://${signHost}/${query ? `?${query}` : ''}`, payload: bytes, timestamp, service: 'cvm',
    secretId: key.secretId, secretKey: key.secretKey, headers: { 'Content-Type': contentType },
  });
  const headers = {
    Authorization: authorization, 'Content-Type': contentType, 'X-TC-Action': action, 'X-TC-Version': version,
    'X-TC-Timestamp': String(timestamp), 'X-TC-Region': region, ...(token ? { 'X-TC-Token': token } : {}),
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return { method, path: `/${query ? `?${query}` : ''}`, headers, body: bytes };
}

/** Sends a request built by signedRequest (or by hand) with node:http: exact bytes, exact headers. */
export function send(baseUrl, { method = 'POST', path = '/', headers = {}, body = Buffer.alloc(0) }) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { ...headers, 'Content-Length': body.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs and sends one API call; resolves to { status, headers, text, json, response: json.Response }. */
export async function call(baseUrl, opts) {
  const r = await send(baseUrl, signedRequest(opts));
  return { ...r, response: r.json?.Response };
}
