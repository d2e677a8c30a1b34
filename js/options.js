// @ts-check
// The option objects' SHAPES, checked in JS and handed to the wasm module packed in one array
// (src/wasm/options.rs reads it by position). Shapes only: is it an object, a known property, a
// string, a number, a function, one of the literal values the TypeScript types allow. Every
// check of a VALUE (an endpoint's syntax, a credential's characters, a range) stays in Rust.
// Why here: the same checks read property by property through `Reflect` from Rust cost ~9 KB
// of wasm (bench/LEVERS.md, issue #20). The messages are the ones the Rust reader gave: they
// start with the option's path and never quote a value (it could be a SecretKey).
//
// A shape error of the client's options comes back as `[message, isCredential]` (length 2;
// the wasm side makes it a typed `Client.InvalidOption` / `Client.InvalidCredential` with the
// path as `field`), a success as the packed array (longer); every other reader answers a shape
// error with its message alone (a string), a success with the packed array.

/** @typedef {Record<string, unknown>} Obj */

/** Thrown inside this module only; turned into the reader's answer. */
class Shape {
  /** @param {string} message @param {boolean} [credential] */
  constructor(message, credential = false) {
    this.message = message;
    this.credential = credential;
  }
}

/**
 * Runs a reader: its packed answer, or a shape error's message.
 * @param {() => unknown} read
 * @returns {unknown}
 */
function answer(read) {
  try {
    return read();
  } catch (e) {
    if (e instanceof Shape) return e.message;
    throw e;
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
  return typed(o[key], path, key, type, credential);
}

/**
 * `v`, the value of `path.key`, if it is of one `typeof`; undefined if null or undefined.
 * @param {unknown} v @param {string} path @param {string} key @param {"string" | "number" | "function"} type
 * @returns {any}
 */
function typed(v, path, key, type, credential = false) {
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
  return /** @type {unknown[] | string} */ (answer(() => {
    const c = object(value, "credentials", false);
    return [secret(c, "credentials", "secretId"), secret(c, "credentials", "secretKey"),
      get(c, "credentials", "token", "string"), get(c, "credentials", "expiredTime", "number")];
  }));
}

// The smaller option objects: presignCosUrl's request, the export waits' task and options, a
// call's options. Their Rust reader read each property with `Reflect.get` and took one whose
// getter (or proxy trap) throws as absent, and looked for unknown properties only in objects
// that are `instanceof Object` (not in `Object.create(null)` ones, nor another realm's): the
// readers below keep that behaviour, message for message (tests/js/options-differential.test.js
// compares them with outcomes recorded from the Rust reader). A shape error's message becomes
// a `Client.InvalidOption` whose `field` is the path without its root.

/** `o[key]`, or undefined when reading it throws. @param {Obj} o @param {string} key */
function prop(o, key) {
  try {
    return o[key];
  } catch {
    return undefined;
  }
}

/** Rejects properties this library does not know (see above for which objects). */
function known(/** @type {Obj} */ o, /** @type {string} */ path, /** @type {string[]} */ keys) {
  if (!(o instanceof Object)) return;
  for (const key of Object.keys(o)) {
    if (!keys.includes(key) && prop(o, key) !== undefined) {
      throw new Shape(`${path}.${key} is not a known option (known: ${keys.join(", ")})`);
    }
  }
}

/** A call's options (`{ signal, context }`); `isSignal`: js/channel.js's test of `signal`. */
export function readCallOptions(/** @type {unknown} */ options, /** @type {boolean} */ isSignal) {
  return answer(() => {
    const o = object(options, "callOptions", true);
    known(o, "callOptions", ["signal", "context"]);
    if (prop(o, "signal") != null && !isSignal) throw new Shape("callOptions.signal must be an AbortSignal");
  });
}

const COS_REQUEST = ["BucketName", "key", "method", "expires", "timestamp", "query", "headers"];

/**
 * presignCosUrl's request, packed as [BucketName, key, method, expires, timestamp, query,
 * headers]. A property of the wrong type is passed as null (the strings), NaN (the seconds)
 * or null (query, headers: "not an object of strings"), so the wasm side reports it in its
 * place among the checks of the values, as `InvalidParameter` naming it; query and headers
 * as [name, value, name, value, …] (a property whose value is undefined is left out).
 * @param {unknown} request
 */
export function readCosRequest(request) {
  return answer(() => {
    const o = object(request, "request", false);
    known(o, "request", COS_REQUEST);
    return COS_REQUEST.map((key, i) => {
      const v = prop(o, key);
      if (v === undefined || v === null) return undefined;
      if (i < 3) return typeof v === "string" ? v : null;
      if (i < 5) return typeof v === "number" ? v : NaN;
      if (typeof v !== "object" || Array.isArray(v)) return null;
      const pairs = [];
      for (const name of Object.keys(v)) {
        const value = prop(/** @type {Obj} */ (v), name);
        if (value === undefined) continue;
        if (typeof value !== "string") return null;
        pairs.push(name, value);
      }
      return pairs;
    });
  });
}

const TASK = ["BucketName", "CosPaths", "TaskId", "RequestId"];
const WAIT = ["signal", "onProgress", "timeout", "interval", "maxInterval", "urlExpires", "notBefore", "probe"];
const CHECK = ["signal", "timeout", "urlExpires", "notBefore", "probe"];

/**
 * The task and options of `waitForExport` (`once` false) or `checkExportFiles`, packed as
 * [BucketName, CosPaths (strings; [] when not an array), timeout, interval, maxInterval,
 * notBefore (Unix seconds: a Date's time, a number, NaN for anything else), urlExpires, probe,
 * whether onProgress is a function]. `isSignal`: js/channel.js's test of `options.signal`.
 * @param {unknown} task @param {unknown} options @param {boolean} once @param {boolean} isSignal
 */
export function readWaitRequest(task, options, once, isSignal) {
  return answer(() => {
    const t = object(task, "task", false);
    known(t, "task", TASK);
    const bucket = typed(prop(t, "BucketName"), "task", "BucketName", "string");
    const paths = prop(t, "CosPaths");
    const keys = [];
    if (Array.isArray(paths)) {
      for (let i = 0, n = paths.length; i < n; i++) {
        const key = paths[i];
        if (typeof key !== "string") throw new Shape(`task.CosPaths.${i} must be a string`);
        keys.push(key);
      }
    }
    const o = object(options, "options", true);
    known(o, "options", once ? CHECK : WAIT);
    if (prop(o, "signal") != null && !isSignal) throw new Shape("options.signal must be an AbortSignal");
    const number = (/** @type {string} */ key) => typed(prop(o, key), "options", key, "number");
    const [timeout, interval, maxInterval] = [number("timeout"), number("interval"), number("maxInterval")];
    const n = prop(o, "notBefore");
    const notBefore = n === undefined ? undefined : n instanceof Date ? n.getTime() / 1000 : typeof n === "number" ? n : NaN;
    return [bucket, keys, timeout, interval, maxInterval, notBefore, number("urlExpires"),
      typed(prop(o, "probe"), "options", "probe", "string"),
      typed(prop(o, "onProgress"), "options", "onProgress", "function") !== undefined];
  });
}
