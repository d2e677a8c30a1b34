// A local stand-in for Cloudflare Access, so the example Worker (examples/worker) runs with its
// authentication ON in the demo and in tests, never switched off:
//   GET /cdn-cgi/access/certs   the team's public keys (JWKS), as Access serves them at
//                               https://<team>.cloudflareaccess.com/cdn-cgi/access/certs
//   GET /__access/token         a token for the emulator's test user (or ?email=…), for the demo
//                               page; answered to loopback callers only (see `isLoopback`)
// The team domain is the emulator's own origin (http://127.0.0.1:<port>): the Worker accepts an
// http:// team domain for loopback hosts only. One RS256 key per emulator run, made at start
// (`rotate()` adds a new one, as Access rotates its keys).
// Tokens are signed with `jose` (the library the Worker verifies with), with the claims Access
// puts in its application tokens: iss (team domain), aud ([AUD]), sub, email, iat, nbf, exp.
import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** The application AUD tag the emulator's tokens carry (Access: 64 hex digits, per application). */
export const ACCESS_AUD = createHash('sha256').update('tc3-edge emulator: the example Worker').digest('hex');
/** The emulator's test user. */
export const TEST_USER = 'tester@example.com';
export const CERTS_PATH = '/cdn-cgi/access/certs';
export const TOKEN_PATH = '/__access/token';
const TOKEN_SECS = 3600;

/**
 * A new signing key and its JWKS. `issuer`: the team domain, no trailing slash (may be set on
 * the result later, once the server knows its port).
 */
export async function createAccess({ issuer = null, aud = ACCESS_AUD } = {}) {
  const newKey = async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomBytes(8).toString('hex');
    return { privateKey, kid, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  };
  const keys = [await newKey()]; // newest first; tokens are signed with keys[0]
  const access = {
    issuer,
    aud,
    get kid() { return keys[0].kid; },
    certsFetches: 0, // how often the certs were fetched (a verifier should cache them)
    jwks: () => ({ keys: keys.map((k) => k.jwk) }),
    /** A key rotation as Access does it: a new signing key, the old one still published. */
    async rotate() {
      keys.unshift(await newKey());
      keys.length = Math.min(keys.length, 2);
    },
    /**
     * A token as Access issues it. `claims` override or add claims (`email`, `common_name`, `aud`,
     * `iss`, `exp`, `nbf`: whole seconds; `undefined` removes one); `header` overrides the
     * protected header; `key` signs with another private key (tests).
     */
    async sign(claims = {}, { header = {}, key = keys[0].privateKey } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const email = 'email' in claims ? claims.email : TEST_USER;
      const body = { iss: access.issuer, aud: [aud], sub: randomBytes(8).toString('hex'), email, iat: now, nbf: now, exp: now + TOKEN_SECS, type: 'app', ...claims };
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k]; // { exp: undefined }: no exp
      return new SignJWT(body).setProtectedHeader({ alg: 'RS256', kid: keys[0].kid, typ: 'JWT', ...header }).sign(key);
    },
  };
  return access;
}

/** True for a connection from this machine (the dev-token route is for a local page only). */
export function isLoopback(address) {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || /^127\./.test(address ?? '');
}

/**
 * Handles the Access routes; returns true when `pathname` was one of them. `send(status, json)`.
 */
export async function handleAccess(req, res, pathname, query, access, send) {
  if (pathname === CERTS_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
    access.certsFetches += 1;
    send(200, access.jwks());
    return true;
  }
  if (pathname === TOKEN_PATH && req.method === 'GET') {
    // A token is an identity: anyone who can reach this route is the test user. Only this
    // machine may ask (the emulator listens on loopback by default; this holds with --host too).
    // Not readable cross-origin either: the emulator's blanket `Access-Control-Allow-Origin: *`
    // is taken back, so only a page the emulator serves itself (same origin) can read a token —
    // another site open in the same browser cannot.
    res.removeHeader('Access-Control-Allow-Origin');
    if (!isLoopback(req.socket.remoteAddress)) {
      send(403, { error: 'the dev-token route answers loopback callers only' });
      return true;
    }
    const email = query.get('email') || TEST_USER;
    if (!/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email)) {
      send(400, { error: 'email must look like name@host' });
      return true;
    }
    const token = await access.sign({ email });
    send(200, { token, email, header: 'Cf-Access-Jwt-Assertion', iss: access.issuer, aud: access.aud, expiresAt: new Date((Math.floor(Date.now() / 1000) + TOKEN_SECS) * 1000).toISOString() });
    return true;
  }
  return false;
}
