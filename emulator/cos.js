// COS (Cloud Object Storage) for the test account's buckets, routed by path on the same server:
//   GET|HEAD /cos/<Bucket>/<key>   (a cosEndpoint template `http://127.0.0.1:8787/cos/{Bucket}`)
// Every file of an ExportImages task's CosPaths appears in its bucket as the task progresses
// (file i of n at CreatedAt + ExportMs·(i+1)/n). Requests are authorized with COS's signature
// (q-sign-algorithm=sha1), in the Authorization header or the query string of a presigned link,
// and checked with the official COS SDK's own signer (COS.getAuthorization, cos-nodejs-sdk-v5),
// as the CVM side checks TC3 with the official Node SDK. Errors are COS's XML bodies.
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { APP_ID, CREDENTIALS, KNOWN_TOKENS, REGIONS } from './account.js';

const COS = createRequire(import.meta.url)('cos-nodejs-sdk-v5');

export const COS_PREFIX = '/cos/';
const AUTH_FIELDS = ['q-sign-algorithm', 'q-ak', 'q-sign-time', 'q-key-time', 'q-header-list', 'q-url-param-list', 'q-signature'];
const TOKEN = 'x-cos-security-token';
// Headers a page may send to COS (preflight): what the SDK signs, plus Authorization and the token.
const ALLOWED_HEADERS = new Set(['authorization', TOKEN, 'range', 'if-match', 'if-none-match', 'if-modified-since',
  'if-unmodified-since', 'cache-control', 'content-type', 'origin', 'expires', 'content-disposition']);
export const COS_CORS = {
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  // A page reads these to see a file's size, version and time, and to quote the RequestId.
  'Access-Control-Expose-Headers': 'ETag, Content-Length, Last-Modified, x-cos-request-id, Content-Range, Accept-Ranges, Content-Type, Date',
};

const MESSAGES = {
  NoSuchBucket: 'The specified bucket does not exist.',
  NoSuchKey: 'The specified key does not exist.',
  AccessDenied: 'Access Denied.',
  InvalidAccessKeyId: 'The SecretId (q-ak) you provided does not exist.',
  SignatureDoesNotMatch: 'The calculated signature does not match the signature you provided. Check your key and signing method.',
  InvalidURI: 'Could not parse the specified URI.',
  InternalError: 'We encountered an internal error. Please try again.',
  ServiceUnavailable: 'Please reduce your request rate.',
  MethodNotAllowed: 'The specified method is not allowed against this resource.',
  RequestTimeTooSkewed: "The difference between the request time and the server's time is too large.",
};

/** `camSafeUrlEncode` (the SDK's). */
const camSafe = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const xmlEscape = (s) => String(s).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const requestId = () => randomBytes(18).toString('base64url');

/** The synthetic content of an object: deterministic, derived from its bucket and key. */
export function objectBody(bucket, key) {
  const line = Buffer.from(`tc3-edge emulator export file ${bucket}${key}\n`);
  const size = 1024 + (createHash('sha1').update(bucket + key).digest().readUInt16BE(0) % 3072);
  const body = Buffer.alloc(size);
  for (let at = 0; at < size; at += line.length) line.copy(body, at);
  return body;
}

/** When file `i` of a task's CosPaths is complete, in ms. */
export const fileReadyAt = (task, i) => task.CreatedAt + Math.ceil((task.ExportMs * (i + 1)) / task.CosPaths.length);

/** The time (ms) `key` became complete in `bucket` (the latest of its tasks' copies), or null. */
function readyTime(state, bucket, key, now) {
  let ready = null;
  for (const task of state.tasks) {
    if (task.BucketName !== bucket) continue;
    task.CosPaths.forEach((path, i) => {
      const at = fileReadyAt(task, i);
      if (path === key && at <= now && (ready === null || at > ready)) ready = at;
    });
  }
  return ready;
}

/** Which bucket this is: ours (seeded), another account's (another APPID), or none. */
function bucketOwner(bucket, buckets) {
  const m = /^[a-z0-9][a-z0-9-]*-(\d+)$/.exec(bucket);
  if (!m) return 'none';
  if (m[1] !== APP_ID) return 'other';
  return buckets[bucket] ? 'ours' : 'none';
}

/** Query pieces, decoded; null when an escape is malformed. */
function parseQuery(raw) {
  const out = [];
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    try {
      out.push([decodeURIComponent(eq < 0 ? piece : piece.slice(0, eq)), eq < 0 ? '' : decodeURIComponent(piece.slice(eq + 1))]);
    } catch {
      return null;
    }
  }
  return out;
}

/** The authorization fields from the header (preferred) or the query; null when absent. */
function authFields(headers, query) {
  const header = headers.authorization;
  const fields = {};
  if (header !== undefined) {
    for (const part of String(header).split('&')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
    }
    fields.from = 'header';
  } else {
    for (const [k, v] of query) if (AUTH_FIELDS.includes(k)) fields[k] = v;
    if (Object.keys(fields).length === 0) return null;
    fields.from = 'query';
  }
  return fields;
}

/**
 * Checks the signature with the official SDK. The host may be the one sent or the real COS host
 * of the bucket in any seeded region (a request through cosEndpoint is signed for the real one).
 * Returns the host that matched, or null.
 */
function verifySignature({ fields, secretKey, method, key, query, headers, bucket }) {
  const paramList = (fields['q-url-param-list'] ?? '').split(';').filter(Boolean);
  const headerList = (fields['q-header-list'] ?? '').split(';').filter(Boolean);
  const Query = {};
  for (const [name, value] of query) {
    if (!AUTH_FIELDS.includes(name) && name !== TOKEN && paramList.includes(camSafe(name).toLowerCase())) Query[name] = value;
  }
  if (Object.keys(Query).length !== paramList.length) return null; // a signed parameter is missing
  const given = [
    `q-sign-algorithm=${fields['q-sign-algorithm']}`, `q-ak=${fields['q-ak']}`, `q-sign-time=${fields['q-sign-time']}`,
    `q-key-time=${fields['q-key-time']}`, `q-header-list=${fields['q-header-list']}`,
    `q-url-param-list=${fields['q-url-param-list']}`, `q-signature=${fields['q-signature']}`,
  ].join('&');
  const sentHost = headers.host ?? '';
  const hosts = [sentHost, sentHost.replace(/:\d+$/, ''), ...REGIONS.map((r) => `${bucket}.cos.${r}.myqcloud.com`)];
  for (const host of new Set(hosts)) {
    const Headers = {};
    for (const name of headerList) {
      if (name === 'host') Headers.host = host;
      else {
        const sent = Object.keys(headers).find((h) => camSafe(h).toLowerCase() === name);
        if (sent === undefined) return null; // a signed header was not sent
        Headers[sent] = headers[sent];
      }
    }
    const expected = COS.getAuthorization({
      SecretId: fields['q-ak'], SecretKey: secretKey, Method: method, Key: key, Query, Headers,
      KeyTime: fields['q-key-time'], ForceSignHost: false,
    });
    if (expected === given) return host;
  }
  return null;
}

/**
 * Handles one COS request (GET/HEAD under /cos/). `rawPath` and `rawQuery` are as sent (not
 * normalised: the signature covers the decoded key exactly). Returns a note for the log.
 */
export function handleCos(req, res, { state, now, buckets }) {
  const id = requestId();
  const started = now();
  const entry = { time: new Date(started).toISOString(), method: req.method, bucket: null, key: null, code: null, status: null, auth: 'none', secretId: null, signedHost: null, token: false, fault: null, requestId: id };
  const answer = (status, code, message, headers = {}) => {
    entry.status = status;
    entry.code = code;
    state.recordCos(entry);
    const resource = entry.bucket ? `${entry.bucket}.cos${entry.key ?? '/'}` : req.url;
    const body = code === 'Success' ? null : Buffer.from(
      `<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>${code}</Code>\n\t<Message>${xmlEscape(message ?? MESSAGES[code])}</Message>\n` +
      `\t<Resource>${xmlEscape(resource)}</Resource>\n\t<RequestId>${id}</RequestId>\n\t<TraceId>${id}</TraceId>\n</Error>\n`);
    const h = { 'x-cos-request-id': id, ...headers };
    if (body) Object.assign(h, { 'Content-Type': 'application/xml', 'Content-Length': body.length });
    res.writeHead(status, h);
    res.end(req.method === 'HEAD' ? undefined : body ?? undefined);
    return `cos ${code}`;
  };

  const fault = takeCosFault(state.faults);
  if (fault) {
    entry.fault = `status ${fault.status}`;
    const code = fault.status === 503 ? 'ServiceUnavailable' : 'InternalError';
    return answer(fault.status, code);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'MethodNotAllowed');

  const qAt = req.url.indexOf('?');
  const rawPath = qAt < 0 ? req.url : req.url.slice(0, qAt);
  const query = parseQuery(qAt < 0 ? '' : req.url.slice(qAt + 1));
  const rest = rawPath.slice(COS_PREFIX.length);
  const slash = rest.indexOf('/');
  entry.bucket = slash < 0 ? rest : rest.slice(0, slash);
  let key;
  try {
    key = '/' + decodeURIComponent(slash < 0 ? '' : rest.slice(slash + 1));
  } catch {
    return answer(400, 'InvalidURI');
  }
  if (query === null) return answer(400, 'InvalidURI');
  entry.key = key;

  const owner = bucketOwner(entry.bucket, buckets);
  if (owner === 'none') return answer(404, 'NoSuchBucket');

  const fields = authFields(req.headers, query);
  if (fields === null) return answer(403, 'AccessDenied', 'Access Denied: the bucket is private and the request carries no signature.');
  entry.auth = fields.from;
  if (AUTH_FIELDS.some((f) => fields[f] === undefined) || fields['q-sign-algorithm'] !== 'sha1') {
    return answer(403, 'AccessDenied', 'Access Denied: the authorization is malformed (q-sign-algorithm=sha1&q-ak=…&q-signature=…).');
  }
  entry.secretId = fields['q-ak'];
  const cred = Object.values(CREDENTIALS).find((c) => c.secretId === fields['q-ak']);
  if (!cred) return answer(403, 'InvalidAccessKeyId');
  const times = /^(\d+);(\d+)$/.exec(fields['q-sign-time']);
  if (!times) return answer(403, 'AccessDenied', 'Access Denied: q-sign-time must be <start>;<end> in Unix seconds.');
  const nowSecs = Math.floor(now() / 1000);
  if (nowSecs > Number(times[2])) return answer(403, 'AccessDenied', 'Request has expired');
  // A signature from the future: the signer's clock is ahead of COS's (the official SDKs read
  // this code, and the answer's Date, to correct their clock: CorrectClockSkew).
  if (nowSecs < Number(times[1])) return answer(403, 'RequestTimeTooSkewed');

  const signedHost = verifySignature({ fields, secretKey: cred.secretKey, method: req.method, key, query, headers: req.headers, bucket: entry.bucket });
  if (signedHost === null) return answer(403, 'SignatureDoesNotMatch');
  entry.signedHost = signedHost;

  const token = req.headers[TOKEN] ?? query.find(([k]) => k === TOKEN)?.[1];
  entry.token = token !== undefined;
  const tokenOk = cred.token ? token === cred.token : token === undefined || KNOWN_TOKENS.includes(token);
  if (!tokenOk) return answer(403, 'AccessDenied', cred.token ? 'Access Denied: the x-cos-security-token is missing or does not belong to this temporary key.' : 'Access Denied: unknown x-cos-security-token.');
  if (owner === 'other') return answer(403, 'AccessDenied', `Access Denied: the bucket belongs to another account (APPID is not ${APP_ID}).`);

  if (key === '/' && req.method === 'GET') return listBucket(req, res, { state, now, entry, query, id });

  const ready = readyTime(state, entry.bucket, key, now());
  if (ready === null) return answer(404, 'NoSuchKey');
  const body = objectBody(entry.bucket, key);
  const headers = {
    'Content-Type': 'application/octet-stream',
    ETag: `"${createHash('md5').update(body).digest('hex')}"`,
    'Last-Modified': new Date(ready).toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  let status = 200;
  let part = body;
  if (range && (range[1] !== '' || range[2] !== '')) {
    const start = range[1] === '' ? Math.max(0, body.length - Number(range[2])) : Number(range[1]);
    const end = range[1] === '' || range[2] === '' ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
    if (start > end || start >= body.length) {
      return answer(416, 'InvalidRange', 'The requested range is not satisfiable.', { 'Content-Range': `bytes */${body.length}` });
    }
    status = 206;
    part = body.subarray(start, end + 1);
    headers['Content-Range'] = `bytes ${start}-${end}/${body.length}`;
  }
  entry.status = status;
  entry.code = 'Success';
  state.recordCos(entry);
  res.writeHead(status, { ...headers, 'Content-Length': part.length, 'x-cos-request-id': id });
  res.end(req.method === 'HEAD' ? undefined : part);
  return `cos ${status}`;
}

/**
 * GET Bucket (`GET /?prefix=…&max-keys=…`), signed and checked like every other route: the
 * complete objects under `prefix`, in key order, at most `max-keys` (default 1000), as COS's
 * ListBucketResult XML — 200 whether or not anything matches.
 */
function listBucket(req, res, { state, now, entry, query, id }) {
  const param = (name) => query.find(([k]) => k === name)?.[1];
  const prefix = param('prefix') ?? '';
  const maxKeys = Math.max(0, Math.min(1000, Number(param('max-keys') ?? 1000) || 0));
  const keys = new Set();
  for (const task of state.tasks) if (task.BucketName === entry.bucket) for (const path of task.CosPaths) keys.add(path);
  const listed = [...keys]
    .filter((k) => k.slice(1).startsWith(prefix))
    .map((k) => ({ k, ready: readyTime(state, entry.bucket, k, now()) }))
    .filter((x) => x.ready !== null)
    .sort((a, b) => (a.k < b.k ? -1 : 1));
  const shown = listed.slice(0, maxKeys);
  const contents = shown.map(({ k, ready }) => {
    const body = objectBody(entry.bucket, k);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    return `<Contents><Key>${xmlEscape(k.slice(1))}</Key><LastModified>${new Date(ready).toISOString()}</LastModified>` +
      `<ETag>${xmlEscape(etag)}</ETag><Size>${body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
  }).join('');
  const xml = `<?xml version='1.0' encoding='utf-8' ?>\n<ListBucketResult><Name>${xmlEscape(entry.bucket)}</Name>` +
    `<Prefix>${xmlEscape(prefix)}</Prefix><Marker></Marker><MaxKeys>${maxKeys}</MaxKeys>` +
    `<IsTruncated>${listed.length > shown.length}</IsTruncated>${contents}</ListBucketResult>`;
  entry.status = 200;
  entry.code = 'Success';
  state.recordCos(entry);
  const buf = Buffer.from(xml);
  res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': buf.length, 'x-cos-request-id': id });
  res.end(buf);
  return 'cos list';
}

/** Preflight of a COS route: the methods and the requested headers a COS request may carry. */
export function cosPreflight(req) {
  const asked = String(req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  const allowed = asked.filter((h) => ALLOWED_HEADERS.has(h) || h.startsWith('x-cos-') || h.startsWith('x-ci-'));
  return { ...COS_CORS, 'Access-Control-Allow-Headers': (allowed.length ? allowed : [...ALLOWED_HEADERS]).join(', ') };
}

/** The COS fault for this request ({ status }), consuming one of `cosCount`; or null. */
export function takeCosFault(faults) {
  if (!faults.cosStatus) return null;
  const fault = { status: faults.cosStatus };
  if (faults.cosCount !== undefined && --faults.cosCount <= 0) {
    delete faults.cosStatus;
    delete faults.cosCount;
  }
  return fault;
}
