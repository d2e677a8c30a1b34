// Oracles for the JS test suites, independent of the library under test:
//  - `officialAuthorization`: the official Node SDK's signer (`Sign.sign3` from
//    tencentcloud-sdk-nodejs-common), which signs `content-type;host` with host =
//    `new URL(url).hostname`;
//  - `referenceSign`: a small TC3-HMAC-SHA256 implementation on node:crypto that also handles
//    `content-type;host;x-tc-action` and returns every intermediate stage.
// Plus a seeded PRNG so randomized suites reproduce from their printed seed.
import { createHash, createHmac } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The official SDK's `Sign` class (CommonJS). */
export const Sign = require("tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js").default;

export const sha256Hex = (data) => createHash("sha256").update(data).digest("hex");
export const hmacSha256 = (key, data, encoding) => createHmac("sha256", key).update(data).digest(encoding);

/** `YYYY-MM-DD` (UTC) of a timestamp in seconds, as the credential scope carries it. */
export const utcDate = (timestamp) => new Date(timestamp * 1000).toISOString().slice(0, 10);

/**
 * The Authorization the official SDK computes. `body` is a string (sent UTF-8 encoded, like
 * fetch does) or a Buffer of the exact bytes; `url` decides the signed host (its hostname),
 * path and, for GET, the query.
 */
export function officialAuthorization({ method = "POST", url, body, timestamp, service = "cvm", secretId, secretKey, contentType }) {
  return Sign.sign3({
    method,
    url,
    payload: Buffer.isBuffer(body) ? body : Buffer.from(body ?? "", "utf8"),
    timestamp,
    service,
    secretId,
    secretKey,
    headers: { "Content-Type": contentType },
  });
}

/** Every stage of TC3-HMAC-SHA256, computed from scratch (node:crypto only). */
export function referenceSign({
  method = "POST",
  host,
  query = "",
  contentType,
  action,
  body = "",
  timestamp,
  service = "cvm",
  secretId,
  secretKey,
  signedHeaders = "content-type;host",
}) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
  const hashedPayload = sha256Hex(bytes);
  const values = { "content-type": contentType, host, "x-tc-action": String(action).toLowerCase() };
  const names = signedHeaders.split(";");
  const canonicalHeaders = names.map((n) => `${n}:${values[n]}\n`).join("");
  const canonicalRequest = [method, "/", query, canonicalHeaders, signedHeaders, hashedPayload].join("\n");
  const date = utcDate(timestamp);
  const credentialScope = `${date}/${service}/tc3_request`;
  const hashedCanonicalRequest = sha256Hex(canonicalRequest);
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${credentialScope}\n${hashedCanonicalRequest}`;
  const secretDate = hmacSha256(Buffer.from("TC3" + secretKey, "utf8"), date);
  const secretService = hmacSha256(secretDate, service);
  const secretSigning = hmacSha256(secretService, "tc3_request");
  const signature = hmacSha256(secretSigning, stringToSign, "hex");
  const authorization = `TC3-HMAC-SHA256 Credential=${secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return {
    date,
    hashedPayload,
    canonicalRequest,
    hashedCanonicalRequest,
    credentialScope,
    stringToSign,
    secretDate: secretDate.toString("hex"),
    secretService: secretService.toString("hex"),
    secretSigning: secretSigning.toString("hex"),
    signature,
    authorization,
  };
}

/** The ExportImages fields in API order: the order of the keys of the JSON body. */
export const EXPORT_IMAGES_FIELDS = [
  "BucketName",
  "ImageIds",
  "ExportFormat",
  "FileNamePrefixList",
  "OnlyExportRootDisk",
  "DryRun",
  "RoleName",
];

/** The exact body tc3-edge must send for valid ExportImages params: compact JSON, API order. */
export function exportImagesBody(params) {
  const ordered = {};
  for (const f of EXPORT_IMAGES_FIELDS) if (params[f] !== undefined) ordered[f] = params[f];
  return JSON.stringify(ordered);
}

/**
 * sfc32 seeded from one 32-bit seed. `rng()` is in [0, 1) with 53 random bits;
 * `int(lo, hi)` is inclusive and exact up to 2^53.
 */
export function makeRng(seed) {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next32 = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) next32();
  const rng = () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  rng.int = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
  rng.pick = (arr) => arr[Math.floor(rng() * arr.length)];
  rng.chance = (p) => rng() < p;
  return rng;
}
