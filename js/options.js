// @ts-check
// The option objects' SHAPES, checked in JS and handed to the wasm module packed in one array
// (src/wasm/options.rs reads it by position). Shapes only: is it an object, a known property, a
// string, a number, a function, one of the literal values the TypeScript types allow. Every
// check of a VALUE (an endpoint's syntax, a credential's characters, a range) stays in Rust.
// Why here: the same checks read property by property through `Reflect` from Rust cost ~9 KB
// of wasm (bench/LEVERS.md, issue #20). The messages are the ones the Rust reader gave: they
// start with the option's path and never quote a value (it could be a SecretKey).
//
// A shape error comes back as `[message, isCredential]` (length 2; the wasm side makes it a
// typed `Client.InvalidOption` / `Client.InvalidCredential` with the path as `field`), a
// success as the packed array (longer).

/** @typedef {Record<string, unknown>} Obj */

/** Thrown inside this module only; turned into the `[message, isCredential]` answer. */
class Shape {
  /** @param {string} message @param {boolean} [credential] */
  constructor(message, credential = false) {
    this.message = message;
    this.credential = credential;
  }
}

/**
 * `value` as an object (undefined/null: `{}` when optional).
 * @param {unknown} value @param {string} path @param {boolean} optional
 * @returns {Obj}
 */
function object(value, path, optional) {
  if (value === undefined || value === null) {
    if (optional) return {};
    throw new Shape(`${path} is required`);
  }
  if (typeof value !== "object" || Array.isArray(value)) throw new Shape(`${path} must be an object`);
  return /** @type {Obj} */ (value);
}

/** Rejects properties this library does not know, so a typo is not silently ignored. */
function only(/** @type {Obj} */ o, /** @type {string} */ path, /** @type {string[]} */ known) {
  for (const key of Object.keys(o)) {
    if (!known.includes(key) && o[key] !== undefined) {
      throw new Shape(`${path}.${key} is not a known option (known: ${known.join(", ")})`);
    }
  }
}

/**
 * An optional property of one `typeof` (undefined and null both mean "not given").
 * @param {Obj} o @param {string} path @param {string} key @param {"string" | "number" | "function"} type
 * @returns {any}
 */
function get(o, path, key, type, credential = false) {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw new Shape(`${path}.${key} must be ${type === "string" ? "a string" : type === "number" ? "a number" : "a function"}`, credential);
  return v;
}

/** A required string of a credential (secretId, secretKey). */
function secret(/** @type {Obj} */ o, /** @type {string} */ path, /** @type {string} */ key) {
  const v = get(o, path, key, "string", true);
  if (v === undefined) throw new Shape(`${path}.${key} is required`, true);
  return v;
}

/**
 * @template {string} T
 * @param {Obj} o @param {string} path @param {string} key @param {readonly T[]} allowed @param {string} message
 * @returns {T | undefined}
 */
function literal(o, path, key, allowed, message) {
  const v = get(o, path, key, "string");
  if (v !== undefined && !allowed.includes(v)) throw new Shape(`${path}.${key}${message}`);
  return v;
}

const COMMON = ["credential", "region", "profile", "fetch", "retry", "rateLimit", "onEvent"];

/**
 * `CvmClientOptions` (`generic` false) or `TencentCloudClientOptions` (`generic` true), packed:
 * [provider, secretId, secretKey, token, region, language, signAction, endpoint, host,
 *  reqTimeout, backupEndpoint, cosEndpoint, fetch, retryOff, maxRetries, baseDelayMs,
 *  maxDelayMs, rateLimit (false | the shared limiter | perSecond | undefined), onEvent,
 *  service, version].
 * @param {unknown} options @param {boolean} generic
 * @returns {unknown[]}
 */
export function readClientOptions(options, generic) {
  try {
    const top = object(options, "options", false);
    let service, version;
    if (generic) {
      only(top, "options", [...COMMON, "service", "version"]);
      service = get(top, "options", "service", "string");
      if (service === undefined) throw new Shape("options.service is required");
      version = get(top, "options", "version", "string");
      if (version === undefined) throw new Shape("options.version is required");
    } else {
      only(top, "options", COMMON);
    }
    let provider, secretId, secretKey, token;
    if (typeof top.credential === "function") {
      provider = top.credential;
    } else {
      const c = object(top.credential, "options.credential", false);
      only(c, "options.credential", ["secretId", "secretKey", "token"]);
      secretId = secret(c, "options.credential", "secretId");
      secretKey = secret(c, "options.credential", "secretKey");
      token = get(c, "options.credential", "token", "string", true);
    }
    const region = get(top, "options", "region", "string");
    const P = "options.profile";
    const profile = object(top.profile, P, true);
    only(profile, P, ["language", "signMethod", "signedHeaders", "httpProfile", "cosEndpoint"]);
    const language = get(profile, P, "language", "string");
    literal(profile, P, "signMethod", ["TC3-HMAC-SHA256"], ': only "TC3-HMAC-SHA256" is supported');
    const signed = literal(profile, P, "signedHeaders", ["content-type;host", "content-type;host;x-tc-action"],
      ' must be "content-type;host" or "content-type;host;x-tc-action"');
    const H = "options.profile.httpProfile";
    const http = object(profile.httpProfile, H, true);
    only(http, H, ["endpoint", "host", "reqTimeout", "reqMethod", "backupEndpoint"]);
    literal(http, H, "reqMethod", ["POST"], ': only "POST" is supported');
    const endpoint = get(http, H, "endpoint", "string");
    const host = get(http, H, "host", "string");
    const backup = get(http, H, "backupEndpoint", "string");
    const cos = get(profile, P, "cosEndpoint", "string");
    const reqTimeout = get(http, H, "reqTimeout", "number");
    const fetchFn = get(top, "options", "fetch", "function");
    let retryOff = false, maxRetries, baseDelayMs, maxDelayMs;
    if (top.retry === false) {
      retryOff = true;
    } else if (top.retry !== true) {
      const R = "options.retry";
      const r = object(top.retry, R, true);
      only(r, R, ["maxRetries", "baseDelayMs", "maxDelayMs"]);
      maxRetries = get(r, R, "maxRetries", "number");
      baseDelayMs = get(r, R, "baseDelayMs", "number");
      maxDelayMs = get(r, R, "maxDelayMs", "number");
    }
    /** @type {unknown} */
    let rateLimit = false;
    if (top.rateLimit !== false) {
      const L = "options.rateLimit";
      const l = object(top.rateLimit, L, true);
      if (get(l, L, "acquire", "function") === undefined) {
        only(l, L, ["perSecond", "acquire"]);
        rateLimit = get(l, L, "perSecond", "number");
      } else if (l.perSecond !== undefined && l.perSecond !== null) {
        // A shared limiter is the caller's object (a class instance, say, with state of its
        // own): only its `acquire` matters; `perSecond` beside it would be a contradiction.
        throw new Shape("options.rateLimit takes perSecond (this client's own limit) or acquire (a shared limiter), not both");
      } else {
        rateLimit = l;
      }
    }
    const onEvent = get(top, "options", "onEvent", "function");
    return [provider, secretId, secretKey, token, region, language, signed === "content-type;host;x-tc-action",
      endpoint, host, reqTimeout, backup, cos, fetchFn, retryOff, maxRetries, baseDelayMs, maxDelayMs,
      rateLimit, onEvent, service, version];
  } catch (e) {
    if (e instanceof Shape) return [e.message, e.credential];
    throw e;
  }
}

/**
 * What a credential provider returned (`{ secretId, secretKey, token, expiredTime }`), packed
 * as [secretId, secretKey, token, expiredTime]; a shape error as its message (a string).
 * @param {unknown} value
 * @returns {unknown[] | string}
 */
export function readProvided(value) {
  try {
    const c = object(value, "credentials", false);
    return [secret(c, "credentials", "secretId"), secret(c, "credentials", "secretKey"),
      get(c, "credentials", "token", "string"), get(c, "credentials", "expiredTime", "number")];
  } catch (e) {
    if (e instanceof Shape) return e.message;
    throw e;
  }
}
