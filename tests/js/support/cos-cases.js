// Random COS signing cases and their expected results from the official COS SDK
// (`COS.getAuthorization` of cos-nodejs-sdk-v5 = sdk/util.js getAuth). Shared by
// scripts/gen-cos-fixture.mjs (the committed tests/fixtures/cos-cases.json, which the Rust and
// wasm tests read) and tests/js/cos-differential.test.js (fresh seeded cases every run).
import { createRequire } from "node:module";

import { makeRng } from "./tc3-oracle.js";

const COS = createRequire(import.meta.url)("cos-nodejs-sdk-v5");

const REGIONS = ["ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-hongkong", "ap-singapore",
  "ap-shanghai-fsi", "na-siliconvalley", "eu-frankfurt"];
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
// A SecretId may hold printable ASCII except space, ',' and '/' (Credential::new).
const ID_CHARS = ALNUM + "-_.:=+!*~";
const TOKEN_CHARS = ALNUM + "-_.:=+!*~/%@#$&()[]{}";
// Characters for object keys and parameter values: the URL-special ones, unicode of 2, 3 and 4
// UTF-8 bytes, combining marks, controls.
const KEY_POOL = [
  ...ALNUM, " ", " ", "+", "%", "?", "#", "&", "=", "/", "/", "/", "-", "_", ".", "~", "!", "'", "(", ")", "*",
  ";", ":", ",", "@", "$", "[", "]", "{", "}", "<", ">", '"', "\\", "^", "`", "|", "\t", "\n", "\u007f",
  "é", "ß", "Ω", "я", "镜", "像", "导出", "腾讯云", "日本語", "한", "e\u0301", "\u00a0", "\u2028", "\ufeff", "\uffff",
  "😀", "🔑", "𝄞", "𠜎", "\u{10ffff}",
];
const KEY_SHAPES = [
  (k) => k,
  (k) => "/" + k,
  (k) => k + "/",
  (k) => k + "//",
  (k) => "/" + k + "//" + k,
  (k) => k.replace(/\//g, "//"),
  (k) => "night/ly_img-72n9mi0y_system_snap-fiux4bof.qcow2/" + k,
  (k) => "//" + k,
];
// Query parameter names: printable ASCII (tc3-edge refuses others: the SDK sorts them with
// JS's Unicode toLowerCase). `__proto__` and `hasOwnProperty` are left out: the SDK keeps
// parameters in a plain object, where they break its own loop.
const PARAM_NAMES = [
  "response-content-type", "response-content-disposition", "response-cache-control", "versionId", "prefix",
  "x-cos-traffic-limit", "acl", "tagging", "a b", "A&B=", "%41", "{", "a{", "a-", "a~", "UPPER", "MiXeD", "1", "10",
  "2", "q", "sign", "*", "'", "(x)", "!", "~tilde", "a.b", "a_b", "z", "Z ", " lead",
];
const PARAM_CHARS = (() => {
  let s = "";
  for (let c = 0x20; c < 0x7f; c++) s += String.fromCharCode(c);
  return s;
})();
// Headers: the ones COS signs, ones it does not, and names with every token character.
const HEADER_NAMES = [
  "Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Content-Type",
  "Cache-Control", "Content-Disposition", "Origin", "Expires", "x-cos-traffic-limit", "X-Cos-Meta-Note",
  "x-cos-server-side-encryption-customer-algorithm", "x-ci-process", "my-x-cos-thing", "X-Not-Cos",
  "Accept", "User-Agent", "Accept-Language", "X-Requested-With", "pic-operations", "date",
];
const TCHARS = ALNUM + "!#$%&'*+-.^_`|~";
const VALUE_CHARS = PARAM_CHARS;

const chars = (rng, pool, lo, hi) => {
  let s = "";
  for (let n = rng.int(lo, hi); n > 0; n--) s += rng.pick(pool);
  return s;
};

function objectKey(rng) {
  for (;;) {
    const base = rng.chance(0.2) ? chars(rng, LOWER, 1, 12) : chars(rng, KEY_POOL, 1, rng.chance(0.1) ? 120 : 24);
    const key = rng.pick(KEY_SHAPES)(base);
    const path = key.startsWith("/") ? key.slice(1) : key;
    // tc3-edge refuses keys a URL cannot carry (empty, `.`/`..` segments) and keys over 850
    // bytes; those have their own tests.
    if (path === "" || path.split("/").some((s) => s === "." || s === "..")) continue;
    if (Buffer.byteLength(key) > 850) continue;
    return key;
  }
}

function pairs(rng, names, makeName, value, max) {
  const out = [];
  for (let n = rng.int(0, max); n > 0; n--) {
    const name = rng.chance(0.75) ? rng.pick(names) : makeName();
    if (out.some(([m]) => m.toLowerCase() === name.toLowerCase())) continue;
    out.push([name, value()]);
  }
  return out;
}

function headerValue(rng) {
  const v = chars(rng, VALUE_CHARS, 0, 30).trim();
  return rng.chance(0.3) ? rng.pick(["bytes=0-1023", "*", '"etag-1"', "Wed, 21 Oct 2015 07:28:00 GMT", "text/plain; charset=utf-8", ""]) : v;
}

/** `count` cases from `seed`. */
export function generateCosCases(seed, count) {
  const rng = makeRng(seed);
  const cases = [];
  for (let i = 0; i < count; i++) {
    const appid = String(rng.int(1_000_000_000, 1_399_999_999));
    const bucket = chars(rng, LOWER, 1, 1) + chars(rng, LOWER + "-", 0, 20).replace(/-+$/, "") + "-" + appid;
    const c = {
      secretId: rng.chance(0.5) ? "AKID" + chars(rng, ALNUM, 32, 32) : chars(rng, ID_CHARS, 1, 40),
      secretKey: rng.chance(0.6) ? chars(rng, ALNUM, 32, 32) : chars(rng, KEY_POOL, 1, rng.chance(0.3) ? 120 : 20),
      bucket,
      region: rng.pick(REGIONS),
      method: rng.pick(["GET", "HEAD", "get", "head"]),
      key: objectKey(rng),
      query: pairs(rng, PARAM_NAMES, () => chars(rng, PARAM_CHARS, 1, 10), () => (rng.chance(0.2) ? "" : chars(rng, KEY_POOL, 0, 16)), 4),
      headers: pairs(rng, HEADER_NAMES, () => chars(rng, TCHARS, 1, 12), () => headerValue(rng), 4),
      start: rng.int(0, 4_102_444_800),
      expires: rng.pick([1, 60, 900, 3600, 86400, 604800, rng.int(1, 604800)]),
    };
    if (rng.chance(0.4)) c.token = chars(rng, TOKEN_CHARS, 1, 80);
    // Header-less and query-less cases are the common ones: keep plenty of them.
    if (rng.chance(0.3)) c.headers = [];
    if (rng.chance(0.3)) c.query = [];
    c.expected = official(c);
    cases.push(c);
  }
  return cases;
}

/** The real COS host of the case's bucket. */
export const cosHost = (c) => `${c.bucket}.cos.${c.region}.myqcloud.com`;

/**
 * What the official SDK signs: `COS.getAuthorization` with the key, the query, the headers
 * plus the real host, and the same KeyTime. The token is not an input: the SDK adds
 * `x-cos-security-token` after signing.
 */
export function official(c) {
  const headers = Object.fromEntries(c.headers);
  headers.Host = cosHost(c);
  return {
    host: cosHost(c),
    authorization: COS.getAuthorization({
      SecretId: c.secretId,
      SecretKey: c.secretKey,
      Method: c.method,
      Key: c.key,
      Query: Object.fromEntries(c.query),
      Headers: headers,
      KeyTime: `${c.start};${c.start + c.expires}`,
    }),
  };
}

/** `camSafeUrlEncode` (the SDK's own, for URL checks). */
export const camSafeUrlEncode = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (ch) => "%" + ch.charCodeAt(0).toString(16).toUpperCase());
