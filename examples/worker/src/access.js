// Who is calling: the Cloudflare Access application token in `Cf-Access-Jwt-Assertion`.
//
// Access sits in front of the Worker (an Access application on its hostname); it lets a
// request through only after a login (browser: the CF_Authorization cookie) or with a service
// token (scripts: CF-Access-Client-Id/-Secret), and adds the signed token as this header. The
// Worker verifies it anyway — a route that bypasses Access (workers.dev, a misconfigured
// policy, a second hostname) must not be an open door — with `jose`, the kept JOSE library,
// which runs in workerd:
//   - RS256 only (no `none`, no HMAC with the public key as secret);
//   - keys from `${ACCESS_TEAM_DOMAIN}/cdn-cgi/access/certs`, cached by createRemoteJWKSet
//     (10 min) and refetched when a token names an unknown `kid` (Access rotates its keys),
//     at most once per 30 s (jose's cooldown) so a flood of made-up kids cannot flood the certs;
//   - `iss` = the team domain, `aud` contains ACCESS_AUD (the application's tag), `exp`/`nbf`
//     with 60 s of leeway for clock skew.
import { createRemoteJWKSet, errors, jwtVerify } from "jose";

export const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";
const CLOCK_TOLERANCE_SECS = 60;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The Access settings from `env`, or { problem } naming what is wrong (the Worker then refuses
 * every route: fail closed). `http://` is accepted for loopback hosts only — the local stand-in
 * (emulator/access.js) in development and tests; a real team domain is always https.
 */
export function accessConfig(env) {
  const domain = String(env.ACCESS_TEAM_DOMAIN ?? "").trim().replace(/\/+$/, "");
  const aud = String(env.ACCESS_AUD ?? "").trim();
  if (!domain || !aud) return { problem: "ACCESS_TEAM_DOMAIN and ACCESS_AUD must be set" };
  let url;
  try {
    url = new URL(domain);
  } catch {
    return { problem: "ACCESS_TEAM_DOMAIN must be a URL such as https://<team>.cloudflareaccess.com" };
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    return { problem: "ACCESS_TEAM_DOMAIN must be an origin (scheme and host only)" };
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    return { problem: "ACCESS_TEAM_DOMAIN must be https:// (http:// only for a loopback host)" };
  }
  return { issuer: url.origin, aud, certs: new URL("/cdn-cgi/access/certs", url.origin) };
}

// One key set per team domain per isolate: the cache lives as long as the isolate.
const keySets = new Map(); // certs URL -> createRemoteJWKSet(...)

function keySet(certs) {
  let jwks = keySets.get(certs.href);
  if (!jwks) {
    jwks = createRemoteJWKSet(certs, { timeoutDuration: 5_000 });
    keySets.set(certs.href, jwks);
  }
  return jwks;
}

/**
 * Verifies the request's Access token. Resolves to { identity } — `email:<the token's email>`,
 * else `service:<its common_name>` (a service token) — or { reason, unavailable? } (`reason` for the log, never
 * for the caller; `unavailable`: the keys could not be fetched).
 */
export async function authenticate(request, config) {
  const token = request.headers.get(ACCESS_HEADER);
  if (!token) return { reason: "no token" };
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keySet(config.certs), {
      algorithms: ["RS256"],
      issuer: config.issuer,
      audience: config.aud,
      clockTolerance: CLOCK_TOLERANCE_SECS,
      requiredClaims: ["exp"],
    }));
  } catch (err) {
    // The kind of failure only (e.g. ERR_JWT_EXPIRED, ERR_JWKS_NO_MATCHING_KEY): the token
    // itself is a credential and is never logged.
    // The certs could not be had (timeout, network, not a key set): Access is out of reach,
    // which is not the caller's fault — still refused, but as 503, not 401.
    const unavailable = !(err instanceof errors.JOSEError) || ["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"].includes(err.code);
    return { reason: err instanceof errors.JOSEError ? err.code : `verification failed (${err?.name ?? "error"})`, unavailable };
  }
  // Two namespaces: a service token's client ID is chosen by whoever creates the token, so one
  // named like a user's email must not become that user (and see their exports).
  const email = nonEmpty(payload.email);
  const service = nonEmpty(payload.common_name);
  if (!email && !service) return { reason: "token names no email or common_name" };
  return { identity: email ? `email:${email}` : `service:${service}` };
}

function nonEmpty(v) {
  return typeof v === "string" && v.trim() ? v.trim().toLowerCase() : null;
}
