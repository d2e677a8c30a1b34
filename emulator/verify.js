// TC3-HMAC-SHA256 verification, written independently of the tc3-edge library under test:
// the SDK's default header list is checked with the official Node SDK's own signer (Sign.sign3),
// any other list with the small generic canonical-request builder below (node:crypto only).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Sign = require('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js').default;

const AUTH_RE =
  /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** Parses an Authorization header; null when it is not the TC3 form. */
export function parseAuthorization(value) {
  const m = AUTH_RE.exec(String(value ?? '').trim());
  if (!m) return null;
  return { secretId: m[1], date: m[2], service: m[3], signedHeaders: m[4].split(';'), signature: m[5] };
}

export const sha256Hex = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** The UTC date (YYYY-MM-DD) of a timestamp in seconds, as the credential scope carries it. */
export const utcDate = (timestamp) => new Date(timestamp * 1000).toISOString().slice(0, 10);

/**
 * Canonical request for any SignedHeaders list. `headers` maps lowercased names to values;
 * values are trimmed and x-tc-action's value lowercased (what the document's example code does);
 * `lowerValues` lowercases every value instead (what the document's prose says).
 */
export function canonicalRequest({ method, query = '', headers, signedHeaders, hashedPayload, lowerValues = false }) {
  const names = [...signedHeaders].map((n) => n.toLowerCase()).sort();
  const lines = names.map((name) => {
    let value = String(headers[name] ?? '').trim();
    if (lowerValues || name === 'x-tc-action') value = value.toLowerCase();
    return `${name}:${value}\n`;
  });
  return [method, '/', query, lines.join(''), names.join(';'), hashedPayload].join('\n');
}

export function stringToSign({ timestamp, service, canonical }) {
  return `TC3-HMAC-SHA256\n${timestamp}\n${utcDate(timestamp)}/${service}/tc3_request\n${sha256Hex(canonical)}`;
}

export function signature({ secretKey, timestamp, service, canonical }) {
  const kDate = hmac('TC3' + secretKey, utcDate(timestamp));
  const kSigning = hmac(hmac(kDate, service), 'tc3_request');
  return createHmac('sha256', kSigning).update(stringToSign({ timestamp, service, canonical })).digest('hex');
}

const sameHex = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Checks a request's signature against each host it may have been signed for.
 * Returns the host string that matched, or null. `req`: { method, rawQuery, headers (lowercased), body (Buffer) }.
 */
export function verifySignature({ auth, secretKey, timestamp, req, hosts, service = 'cvm' }) {
  if (auth.service !== service || auth.date !== utcDate(timestamp)) return null;
  const unsigned = /^unsigned-payload$/i.test(String(req.headers['x-tc-content-sha256'] ?? '').trim());
  const defaultList = auth.signedHeaders.join(';') === 'content-type;host';
  for (const host of hosts) {
    if (defaultList && !unsigned && !/:\d+$/.test(host)) {
      const ok = sign3Matches({ auth, secretKey, timestamp, req, host, service });
      if (ok) return host;
      if (ok === false) continue; // sign3 decided; null means it could not check this query
    }
    const headers = { ...req.headers, host };
    const hashedPayload = sha256Hex(unsigned ? 'UNSIGNED-PAYLOAD' : req.body);
    for (const lowerValues of [false, true]) {
      const canonical = canonicalRequest({
        method: req.method, query: req.rawQuery, headers, signedHeaders: auth.signedHeaders, hashedPayload, lowerValues,
      });
      if (sameHex(signature({ secretKey, timestamp, service, canonical }), auth.signature)) return host;
    }
  }
  return null;
}

function sign3Matches({ auth, secretKey, timestamp, req, host, service }) {
  const url = `http://${host}/` + (req.rawQuery ? `?${req.rawQuery}` : '');
  // new URL() re-encodes some query characters; then sign3 cannot see the exact query
  // and the generic builder (which uses it verbatim) decides instead.
  if (new URL(url).search.slice(1) !== req.rawQuery) return null;
  const expected = Sign.sign3({
    method: req.method, url, payload: req.body, timestamp, service,
    secretId: auth.secretId, secretKey, headers: { 'Content-Type': req.headers['content-type'] ?? '' },
  });
  return sameHex(expected.split('Signature=')[1], auth.signature);
}
