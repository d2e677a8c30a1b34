// One API request through the checks the real API makes, in its order (README.md "Request checks"):
// authorization, timestamp, SecretId, signature, token, action/version/region, rate limit, body, action.
import { randomUUID } from 'node:crypto';
import { CREDENTIALS, KNOWN_TOKENS, REGIONS } from './account.js';
import { describeImages } from './describe_images.js';
import { exportImages } from './export_images.js';
import { parseQuery } from './params.js';
import { parseAuthorization, verifySignature } from './verify.js';
import { getFederationToken } from './sts.js';

const KEYS = new Map(Object.values(CREDENTIALS).map((k) => [k.secretId, k]));
// The services answered, by the name the credential scope carries (all on one port: a client
// reaches the emulator at its own URL and signs for `<service>.tencentcloudapi.com`).
const SERVICES = {
  cvm: { version: '2017-03-12', actions: { ExportImages: exportImages, DescribeImages: describeImages } },
  sts: { version: '2018-08-13', actions: { GetFederationToken: getFederationToken } },
};
const RATE_LIMITED = new Set(['ExportImages']);
const MAX_SKEW_S = 300;

const err = (code, message) => ({ error: { code, message } });
const missing = (name) => err('MissingParameter', `The request is missing a required parameter \`${name}\`.`);

/** Hosts a signature may name: the Host header as sent, without its port, and the real API hosts. */
export function candidateHosts(hostHeader, region, apiHosts, service = 'cvm') {
  const hosts = [];
  if (hostHeader) hosts.push(hostHeader, hostHeader.replace(/:\d+$/, ''));
  if (service === 'cvm') hosts.push(...apiHosts);
  else hosts.push(`${service}.tencentcloudapi.com`, `${service}.intl.tencentcloudapi.com`);
  if (/^[a-z0-9-]+$/.test(region ?? '')) hosts.push(`${service}.${region}.tencentcloudapi.com`);
  return [...new Set(hosts)];
}

/**
 * `req`: { method, rawQuery, headers (lowercased names), body (Buffer) }; `now`: server ms.
 * Returns { payload: the JSON object to send, entry: what the ledger records }.
 */
export function handleApi(req, { state, now, arrivedAt = now, apiHosts }) {
  const h = req.headers;
  const entry = {
    time: new Date(now).toISOString(), method: req.method, action: h['x-tc-action'] ?? null, region: h['x-tc-region'] ?? null,
    host: h.host ?? null, requestClient: h['x-tc-requestclient'] ?? null, language: h['x-tc-language'] ?? null,
    requestId: randomUUID(),
  };
  const result = run(req, { state, now, arrivedAt, apiHosts, entry });
  entry.code = result.error ? result.error.code : 'Success';
  const Response = result.error
    ? { Error: { Code: result.error.code, Message: result.error.message }, RequestId: entry.requestId }
    : { ...result.data, RequestId: entry.requestId };
  return { payload: { Response }, entry };
}

function run(req, { state, now, arrivedAt, apiHosts, entry }) {
  const h = req.headers;
  const auth = parseAuthorization(h.authorization);
  if (!auth || !auth.signedHeaders.includes('content-type') || !auth.signedHeaders.includes('host')) {
    return err('AuthFailure.InvalidAuthorization', 'Authorization must be `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/cvm/tc3_request, SignedHeaders=<content-type;host;...>, Signature=<hex>`.');
  }
  Object.assign(entry, { secretId: auth.secretId, signedHeaders: auth.signedHeaders.join(';'), service: auth.service });
  const service = SERVICES[auth.service];
  if (!service) {
    return err('AuthFailure.SignatureFailure', `The credential scope names service \`${auth.service}\`, which this endpoint does not serve (it serves ${Object.keys(SERVICES).join(', ')}).`);
  }

  if (h['x-tc-timestamp'] === undefined) return missing('X-TC-Timestamp');
  if (!/^\d{1,12}$/.test(h['x-tc-timestamp'])) return err('InvalidParameter', 'X-TC-Timestamp must be integer seconds.');
  const timestamp = Number(h['x-tc-timestamp']);
  const serverSeconds = Math.floor(now / 1000);
  if (Math.abs(timestamp - serverSeconds) > MAX_SKEW_S) {
    return err('AuthFailure.SignatureExpire', `Signature expired. Timestamp:${timestamp}, server time:${serverSeconds}; they may differ by ${MAX_SKEW_S} s at most.`);
  }

  const key = KEYS.get(auth.secretId);
  if (!key) return err('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');

  const hosts = candidateHosts(h.host, h['x-tc-region'], apiHosts, auth.service);
  entry.signedHost = verifySignature({ auth, secretKey: key.secretKey, timestamp, req, hosts, service: auth.service });
  if (!entry.signedHost) {
    return err('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
  }

  const token = h['x-tc-token'];
  entry.token = token !== undefined;
  if (key.token ? token !== key.token : token !== undefined && !KNOWN_TOKENS.includes(token)) {
    return err('AuthFailure.TokenFailure', 'The token is missing, invalid or does not belong to this temporary key.');
  }

  const action = h['x-tc-action'];
  if (!action) return missing('X-TC-Action');
  const ACTIONS = service.actions;
  const VERSION = service.version;
  if (!ACTIONS[action]) return err('InvalidAction', `The action \`${action}\` is not valid for this endpoint.`);
  if (!h['x-tc-version']) return missing('X-TC-Version');
  if (h['x-tc-version'] !== VERSION) return err('NoSuchVersion', `The version \`${h['x-tc-version']}\` of action ${action} is not supported; use ${VERSION}.`);
  const region = h['x-tc-region'];
  if (!region) return missing('X-TC-Region');
  if (!REGIONS.includes(region)) return err('UnsupportedRegion', `The region \`${region}\` is not supported.`);

  if (RATE_LIMITED.has(action) && !state.admit(auth.secretId, arrivedAt)) {
    return err('RequestLimitExceeded', `Your current request times equals to \`${state.config.rateLimit.max}\` in a second, which exceeds the frequency limit.`);
  }

  let params;
  try {
    params = req.method === 'GET' ? parseQuery(req.rawQuery) : JSON.parse(req.body.toString('utf8'));
  } catch (e) {
    return err('InvalidParameter', `The request parameters could not be parsed: ${e.message}`);
  }
  if (!params || typeof params !== 'object' || Array.isArray(params)) {
    return err('InvalidParameter', 'The request body must be a JSON object.');
  }
  return ACTIONS[action](params, { state, region, secretId: auth.secretId, requestId: entry.requestId, now, fromQuery: req.method === 'GET' });
}
