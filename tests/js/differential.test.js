// Differential test of tc3-edge's signer (the built package, pkg/node.js) against the official
// Tencent Cloud Node SDK's `Sign.sign3`, over thousands of seeded random requests, plus every
// reference vector of tests/fixtures/tc3-vectors.json stage by stage.
//
// Reproduce a failure: TC3_DIFF_SEED=<seed printed in the failure> node --test tests/js/differential.test.js
// More cases:          TC3_DIFF_CASES=20000 node --test tests/js/differential.test.js
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { CvmClient, signRequest, TencentCloudError } from "../../pkg/node.js";
// The sign-only module (`tc3-edge/sign`): every random case must give it the same result.
import { signRequest as leanSignRequest, TencentCloudError as LeanError } from "../../pkg/sign/node.js";
import {
  exportImagesBody,
  hmacSha256,
  makeRng,
  officialAuthorization,
  referenceSign,
  sha256Hex,
  utcDate,
} from "./support/tc3-oracle.js";

const FIXTURES = JSON.parse(readFileSync(new URL("../fixtures/tc3-vectors.json", import.meta.url), "utf8"));
const MAX_TIMESTAMP = 253_402_300_799; // 9999-12-31T23:59:59Z
const DEFAULT_SEED = 0x7c3ed9e5;
const CASES_PER_SEED = Number(process.env.TC3_DIFF_CASES ?? 1500);
// A fixed seed (the same cases every run) and, unless a seed is given, a fresh one per run
// (new cases every run; its seed is in the test name and in every failure message).
const SEEDS = process.env.TC3_DIFF_SEED
  ? [Number(process.env.TC3_DIFF_SEED) >>> 0]
  : [DEFAULT_SEED, (Date.now() ^ (process.pid << 16)) >>> 0];
const hex = (n) => `0x${n.toString(16).padStart(8, "0")}`;

// ---------------------------------------------------------------------------------------------
// Random inputs
// ---------------------------------------------------------------------------------------------

const REGIONS = [
  "ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-chongqing", "ap-nanjing",
  "ap-hongkong", "ap-singapore", "ap-bangkok", "ap-jakarta", "ap-seoul", "ap-tokyo", "ap-mumbai",
  "na-siliconvalley", "na-ashburn", "eu-frankfurt", "sa-saopaulo", "ap-shanghai-fsi",
  "ap-shenzhen-fsi", "ap-beijing-fsi",
];
const ACTIONS = ["ExportImages", "DescribeImages", "DescribeInstances", "RunInstances", "DescribeRegions", "ModifyImageAttribute"];
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
// Printable ASCII allowed in a header value (no space, ',' or '/' for the SecretId).
const ID_CHARS = ALNUM + "-_.:=+!*~";
const TOKEN_CHARS = ALNUM + "-_.:=+!*~/%@#$&()[]{}";
// Characters that stress UTF-8 encoding and JSON escaping.
const TEXT_POOL = [
  ...ALNUM, " ", "-", "_", ".", ":", "/", ",", ";", "{", "}", "[", "]", "<", ">", "&", "'", "`", "%", "+", "=", "?", "#",
  "\n", "\r", "\t", '"', "\\", "\b", "\f", "\u0000", "\u0001", "\u001f", "\u007f", "\u0080", "\u00a0",
  "\u2028", "\u2029", "\ufeff", "\ufffd", "\uffff",
  "é", "ß", "ü", "ñ", "Ω", "я", "未", "命", "名", "镜像", "导出", "日本語", "한국어", "e\u0301",
  "😀", "🔑", "👩‍💻", "🇨🇳", "𝄞", "𠜎", "\u{10ffff}",
];
const KEY_POOL = [
  "Limit", "Offset", "Filters", "Name", "Values", "BucketName", "ImageIds", "ExportFormat", "DryRun",
  "0", "1", "2", "10", "42", "-1", "01", "1.5", "", " ", "a b", "键", "🔑", "__proto__", "constructor", "toString",
];
const NUMBERS = [
  0, -0, 1, -1, 42, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53 + 2, 1e21, 1e-7, 0.1,
  0.1 + 0.2, 1.5, -2.5e-300, 5e-324, 1.7976931348623157e308, 123456789.123, NaN, Infinity, -Infinity,
];

const randChars = (rng, pool, lo, hi) => {
  let s = "";
  for (let n = rng.int(lo, hi); n > 0; n--) s += rng.pick(pool);
  return s;
};

const randText = (rng, maxLen) => randChars(rng, TEXT_POOL, 0, maxLen);

function randKey(rng) {
  return rng.chance(0.6) ? rng.pick(KEY_POOL) : randText(rng, 12);
}

function randValue(rng, depth) {
  const r = rng.int(0, depth > 0 ? 11 : 7);
  switch (r) {
    case 0:
    case 1:
    case 2:
      return randText(rng, 24);
    case 3:
      return rng.pick(NUMBERS);
    case 4:
      return rng.chance(0.5) ? rng.int(-1e9, 1e9) : (rng() - 0.5) * 10 ** rng.int(-10, 25);
    case 5:
      return rng.pick([true, false, null]);
    case 6:
      return rng.chance(0.5) ? undefined : new Date(rng.int(0, MAX_TIMESTAMP) * 1000); // dropped / toJSON()
    case 7:
      return rng.pick(["img-72n9mi0y", "backup-1250000000", "RAW", "QCOW2", "", "\\u672a\\u547d\\u540d"]);
    case 8:
    case 9:
      return Array.from({ length: rng.int(0, 5) }, () => randValue(rng, depth - 1));
    default:
      return randObject(rng, depth - 1, rng.int(0, 6));
  }
}

function randObject(rng, depth, keys) {
  const obj = {};
  for (let i = 0; i < keys; i++) {
    const key = randKey(rng);
    const value = randValue(rng, depth);
    // An own "__proto__" key (as JSON.parse makes), not a prototype change.
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return obj;
}

/** An object payload: typical, empty, or big (many keys / long strings). */
function randPayloadObject(rng) {
  const r = rng();
  if (r < 0.06) return {};
  if (r < 0.09) {
    const big = {};
    for (let i = 0, n = rng.int(500, 3000); i < n; i++) big[`K${i}_${randChars(rng, ALNUM, 0, 4)}`] = randValue(rng, 0);
    return big;
  }
  if (r < 0.11) return { Data: randText(rng, 200) .repeat(rng.int(100, 600)), Note: "末尾 🔚" };
  return randObject(rng, 3, rng.int(1, 10));
}

/** A string payload: exact body text, JSON or not. */
function randPayloadString(rng) {
  const r = rng();
  if (r < 0.06) return "";
  if (r < 0.30) return JSON.stringify(randPayloadObject(rng));
  if (r < 0.45) return JSON.stringify(randPayloadObject(rng), null, rng.pick([2, 4, "\t"]));
  if (r < 0.60) {
    // Python-style JSON: non-ASCII as \uXXXX escapes, ", " and ": " separators.
    return JSON.stringify(randPayloadObject(rng))
      .replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .replaceAll(",", ", ")
      .replaceAll(":", ": ");
  }
  if (r < 0.64) return "\ufeff" + JSON.stringify(randPayloadObject(rng)) + "\r\n";
  if (r < 0.66) return randText(rng, 30) + rng.pick(["\ud800", "\udfff", "\udc00x", "x\ud83d"]) + randText(rng, 30); // lone surrogates
  return randText(rng, rng.chance(0.1) ? 20000 : 300);
}

function randTimestamp(rng) {
  const day = () => rng.int(0, Math.floor(MAX_TIMESTAMP / 86400));
  const clamp = (t) => Math.min(MAX_TIMESTAMP, Math.max(0, t));
  switch (rng.int(0, 7)) {
    case 0:
      return rng.int(1_500_000_000, 2_000_000_000); // recent
    case 1:
    case 2:
      return clamp(day() * 86400 + rng.pick([-1, 0, 1, 86399])); // at / around UTC midnight
    case 3:
      return rng.pick([2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1]); // 2038 / 2106
    case 4:
      return rng.int(2 ** 31, MAX_TIMESTAMP); // past 2038, up to year 9999
    case 5:
      return rng.pick([
        0, 1, 86399, 86400, 951_782_399, 951_782_400, 951_868_800, 4_107_542_399, 4_107_542_400,
        253_402_214_399, 253_402_214_400, MAX_TIMESTAMP - 1, MAX_TIMESTAMP,
      ]);
    default:
      return rng.int(0, MAX_TIMESTAMP);
  }
}

function randSecretKey(rng) {
  const r = rng();
  if (r < 0.4) return randChars(rng, ALNUM, 32, 32);
  if (r < 0.8) return randChars(rng, ALNUM, 8, 24) + randChars(rng, ["é", "密钥", "🔑", "ß", "ÿ", "Ω", "€", " ", "\t", '"', "\\"], 1, 4) + randChars(rng, ALNUM, 0, 8);
  if (r < 0.95) return randText(rng, 40) || "k";
  return rng.pick(["\ud800lone", "x\udfff", "🔑\ud83d"]); // lone surrogates: must sign what UTF-8 encoding makes of them
}

function randomCase(rng) {
  const get = rng.chance(0.1);
  const service = rng.chance(0.9) ? "cvm" : rng.pick(["cbs", "tag", "vpc", "tat"]);
  const region = rng.pick(REGIONS);
  const host = rng.pick([
    `${service}.tencentcloudapi.com`,
    `${service}.intl.tencentcloudapi.com`,
    `${service}.${region}.tencentcloudapi.com`,
    `${service}.ap-shanghai-fsi.tencentcloudapi.com`,
  ]);
  const c = {
    secretId: "AKID" + randChars(rng, rng.chance(0.9) ? ALNUM : ID_CHARS, 1, 40),
    secretKey: randSecretKey(rng),
    action: rng.chance(0.9) ? rng.pick(ACTIONS) : "X" + randChars(rng, ALNUM, 0, 30),
    host,
    timestamp: randTimestamp(rng),
    signedHeaders: rng.chance(0.1) ? "content-type;host;x-tc-action" : undefined,
  };
  if (service !== "cvm" || rng.chance(0.5)) c.service = service; // else the default, "cvm"
  if (host === `${service}.tencentcloudapi.com` && rng.chance(0.5)) delete c.host; // the default host
  if (rng.chance(0.9)) c.region = region;
  if (rng.chance(0.5)) c.version = rng.pick(["2017-03-12", "2018-07-09", "2020-03-24"]);
  if (rng.chance(0.3)) c.language = rng.pick(["zh-CN", "en-US"]);
  if (rng.chance(0.2)) c.requestClient = rng.pick(["tc3-edge/0.1.0", "SDK_NODEJS_4.1.220", "my-console/1.0"]);
  const t = rng();
  if (t < 0.45) c.token = randChars(rng, TOKEN_CHARS, 20, 600);
  else if (t < 0.5) c.token = ""; // empty token = no token
  if (get) {
    c.method = "GET";
    const params = new URLSearchParams();
    for (let i = rng.int(0, 6); i > 0; i--) params.append(randText(rng, 8), randText(rng, 16));
    c.query = params.toString();
    c.contentType = "application/x-www-form-urlencoded";
    if (rng.chance(0.5)) c.payload = "";
  } else {
    if (rng.chance(0.5)) c.method = "POST";
    c.contentType = rng.pick(["application/json", "application/json; charset=utf-8"]);
    c.payload = rng.chance(0.5) ? randPayloadObject(rng) : randPayloadString(rng);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** The body tc3-edge must sign and return for an input: the string itself or JSON.stringify. */
function expectedBody(input) {
  if (typeof input.payload === "string") return input.payload;
  if (input.payload === undefined) return input.method === "GET" ? "" : "{}";
  return JSON.stringify(input.payload);
}

/** Every difference between signRequest's output and the oracles, as readable strings. */
function differences(input, out) {
  const diffs = [];
  const method = input.method ?? "POST";
  const service = input.service ?? "cvm";
  const signedHeaders = input.signedHeaders ?? "content-type;host";
  const body = expectedBody(input);
  const query = method === "GET" ? input.query ?? "" : "";
  const host = input.host ?? `${service}.tencentcloudapi.com`;

  // The official SDK signs content-type;host only.
  let official = null;
  if (signedHeaders === "content-type;host") {
    official = officialAuthorization({
      method,
      url: `https://${host}/${query ? `?${query}` : ""}`,
      body,
      timestamp: input.timestamp,
      service,
      secretId: input.secretId,
      secretKey: input.secretKey,
      contentType: input.contentType,
    });
    if (out.authorization !== official) diffs.push(`authorization ≠ Sign.sign3: ${out.authorization} vs ${official}`);
  }
  const ref = referenceSign({ ...input, method, host, service, signedHeaders, query, body });
  for (const stage of ["canonicalRequest", "stringToSign", "signature", "authorization"]) {
    if (out[stage] !== ref[stage]) diffs.push(`${stage} ≠ reference: ${JSON.stringify(out[stage])} vs ${JSON.stringify(ref[stage])}`);
  }

  // The stages are consistent with each other (checked from the output alone).
  const date = utcDate(input.timestamp);
  const scope = `${date}/${service}/tc3_request`;
  const sts = `TC3-HMAC-SHA256\n${input.timestamp}\n${scope}\n${sha256Hex(out.canonicalRequest ?? "")}`;
  if (out.stringToSign !== sts) diffs.push("stringToSign is not derived from canonicalRequest");
  const kSigning = hmacSha256(hmacSha256(hmacSha256(Buffer.from("TC3" + input.secretKey), date), service), "tc3_request");
  if (out.signature !== hmacSha256(kSigning, out.stringToSign ?? "", "hex")) diffs.push("signature is not HMAC(kSigning, stringToSign)");
  const auth = `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${out.signature}`;
  if (out.authorization !== auth) diffs.push("authorization does not carry the signature / scope");
  const payloadHash = (out.canonicalRequest ?? "").split("\n").at(-1);
  if (payloadHash !== sha256Hex(Buffer.from(out.body ?? "", "utf8"))) diffs.push("canonicalRequest does not hash the returned body");

  // What is sent: the exact body bytes, the URL, and every header.
  if (!Buffer.from(out.body, "utf8").equals(Buffer.from(body, "utf8"))) diffs.push(`body bytes differ: ${JSON.stringify(out.body).slice(0, 200)}`);
  if (out.method !== method) diffs.push(`method ${out.method}`);
  const url = `https://${host}/${query ? `?${query}` : ""}`;
  if (out.url !== url) diffs.push(`url ${out.url} ≠ ${url}`);
  const headers = {
    Authorization: out.authorization,
    "Content-Type": input.contentType,
    "X-TC-Action": input.action,
    "X-TC-Timestamp": String(input.timestamp),
    "X-TC-Version": input.version ?? "2017-03-12",
  };
  if (input.region) headers["X-TC-Region"] = input.region;
  if (input.token) headers["X-TC-Token"] = input.token;
  if (input.language) headers["X-TC-Language"] = input.language;
  if (input.requestClient) headers["X-TC-RequestClient"] = input.requestClient;
  try {
    assert.deepStrictEqual({ ...out.headers }, headers);
  } catch {
    diffs.push(`headers ${JSON.stringify(out.headers)} ≠ ${JSON.stringify(headers)}`);
  }
  return { diffs, comparedWithOfficial: official !== null };
}

function describeInput(input) {
  const short = (v) => {
    const s = JSON.stringify(v); // escaped: control characters stay readable
    return s === undefined ? "undefined" : s.length > 160 ? `${s.slice(0, 160)}… (${s.length} chars)` : s;
  };
  return Object.entries(input).map(([k, v]) => `${k}=${short(v)}`).join(" ");
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/** The sign-only module's result (or error) for `input`, as JSON, to compare with the full module's. */
function leanOutcome(input) {
  try {
    return JSON.stringify(leanSignRequest(input));
  } catch (err) {
    assert.ok(err instanceof LeanError, `the sign-only module threw ${err}`);
    return JSON.stringify(err);
  }
}

describe("signRequest agrees with the official signer Sign.sign3 on random requests", () => {
  for (const seed of SEEDS) {
    it(`${CASES_PER_SEED} random requests, seed ${hex(seed)}: Authorization identical, stages consistent, headers and body as sent`, (t) => {
      const rng = makeRng(seed);
      const failures = [];
      let official = 0;
      let withToken = 0;
      let objects = 0;
      for (let i = 0; i < CASES_PER_SEED; i++) {
        const input = randomCase(rng);
        if (input.token) withToken++;
        if (input.payload && typeof input.payload === "object") objects++;
        let result;
        let full;
        try {
          full = signRequest(input);
          result = differences(input, full);
        } catch (err) {
          full = err;
          result = { diffs: [`signRequest threw ${err?.code ?? ""} ${err?.message ?? err}`], comparedWithOfficial: false };
        }
        const lean = leanOutcome(input);
        const fullText = full instanceof TencentCloudError ? JSON.stringify(full) : JSON.stringify(full);
        if (lean !== fullText) result.diffs.push(`the sign-only module differs: ${lean.slice(0, 200)} vs ${fullText.slice(0, 200)}`);
        if (result.comparedWithOfficial) official++;
        if (result.diffs.length) failures.push(`case #${i}: ${result.diffs.join("; ")}\n    input: ${describeInput(input)}`);
      }
      t.diagnostic(`seed ${hex(seed)}: ${official} compared with Sign.sign3, ${withToken} with a token, ${objects} object payloads`);
      assert.equal(
        failures.length,
        0,
        `${failures.length} of ${CASES_PER_SEED} requests mismatch (reproduce with TC3_DIFF_SEED=${hex(seed)}):\n` + failures.slice(0, 5).join("\n"),
      );
      assert.ok(official >= Math.min(1000, CASES_PER_SEED * 0.8), `only ${official} cases compared with Sign.sign3 (seed ${hex(seed)})`);
      assert.ok(withToken > 0 && objects > 0);
    });
  }

  it("an object payload is sent and signed as exactly JSON.stringify(payload)", () => {
    const payload = {
      b: 1,
      a: [1.0, -0, 1e21, 1e-7, NaN, Infinity, undefined, null],
      10: "integer-like keys come first in JS",
      2: "😀 \"quoted\" \\ \n \u0000 \u2028",
      skipped: undefined,
      when: new Date(Date.UTC(2038, 0, 19, 3, 14, 8)),
      nested: { toJSON: () => "custom toJSON" },
    };
    const input = { secretId: "AKIDexample", secretKey: "secret-密钥", action: "DescribeImages", region: "ap-guangzhou", payload, timestamp: 1732665600 };
    const out = signRequest(input);
    assert.equal(out.body, JSON.stringify(payload));
    assert.equal(out.body, '{"2":"😀 \\"quoted\\" \\\\ \\n \\u0000 \u2028","10":"integer-like keys come first in JS","b":1,"a":[1,0,1e+21,1e-7,null,null,null,null],"when":"2038-01-19T03:14:08.000Z","nested":"custom toJSON"}');
    assert.equal(
      out.authorization,
      officialAuthorization({ url: "https://cvm.tencentcloudapi.com/", body: JSON.stringify(payload), timestamp: 1732665600, secretId: "AKIDexample", secretKey: "secret-密钥", contentType: "application/json" }),
    );
  });

  it("a string payload with lone surrogates is signed over the bytes fetch will send (U+FFFD)", () => {
    const payload = '{"Name":"a\ud800b\udfffc"}';
    const out = signRequest({ secretId: "AKIDexample", secretKey: "k\ud800ey", action: "DescribeImages", payload, timestamp: 1732665600 });
    assert.deepEqual(Buffer.from(out.body, "utf8"), Buffer.from(payload, "utf8"));
    assert.equal(out.body, '{"Name":"a\ufffdb\ufffdc"}');
    assert.equal(
      out.authorization,
      officialAuthorization({ url: "https://cvm.tencentcloudapi.com/", body: payload, timestamp: 1732665600, secretId: "AKIDexample", secretKey: "k\ud800ey", contentType: "application/json" }),
    );
  });
});

describe("signExportImages agrees with Sign.sign3 for random valid ExportImages requests and client profiles", () => {
  const seed = SEEDS.at(-1);
  it(`400 random clients and requests, seed ${hex(seed)}`, () => {
    const rng = makeRng(seed ^ 0x5eed);
    const failures = [];
    for (let i = 0; i < 400; i++) {
      const n = rng.int(1, 5);
      const ids = new Set();
      while (ids.size < n) ids.add("img-" + randChars(rng, LOWER_ALNUM, 8, 8));
      const params = {};
      // Given in a random order: the body must still be in API order.
      const fields = {
        BucketName: `b${randChars(rng, LOWER_ALNUM, 0, 12)}${rng.chance(0.3) ? `-${randChars(rng, LOWER_ALNUM, 1, 8)}` : ""}-${rng.int(1, 9_999_999_999)}`,
        ImageIds: [...ids],
        ExportFormat: rng.chance(0.7) ? rng.pick(["RAW", "QCOW2", "VHD", "VMDK"]) : undefined,
        FileNamePrefixList: rng.chance(0.5) ? [...ids].map(() => randText(rng, 20) || "p") : undefined,
        OnlyExportRootDisk: rng.chance(0.5) ? rng.chance(0.5) : undefined,
        DryRun: rng.chance(0.5) ? rng.chance(0.5) : undefined,
        RoleName: rng.chance(0.3) ? rng.pick(["CVM_QcsRole", "ExportRole-角色", "r"]) : undefined,
      };
      for (const k of Object.keys(fields).sort(() => rng() - 0.5)) if (fields[k] !== undefined || rng.chance(0.2)) params[k] = fields[k];

      const region = rng.pick(REGIONS);
      const apiHost = rng.pick(["cvm.tencentcloudapi.com", "cvm.intl.tencentcloudapi.com", `cvm.${region}.tencentcloudapi.com`, "cvm.ap-shanghai-fsi.tencentcloudapi.com"]);
      const kind = rng.int(0, 3);
      const httpProfile =
        kind === 0 ? {} :
        kind === 1 ? { endpoint: apiHost } :
        kind === 2 ? { endpoint: `http://127.0.0.1:${rng.int(1, 65535)}` } :
        { endpoint: "https://console.example.com/tc3-proxy/", host: apiHost };
      const signingHost = kind === 0 ? "cvm.tencentcloudapi.com" : kind === 2 ? "127.0.0.1" : apiHost;
      const url = kind === 0 ? "https://cvm.tencentcloudapi.com/" : kind === 1 ? `https://${apiHost}/` : kind === 2 ? `${httpProfile.endpoint}/` : httpProfile.endpoint;
      const secretKey = randSecretKey(rng);
      const token = rng.chance(0.5) ? randChars(rng, TOKEN_CHARS, 20, 300) : undefined;
      const signedHeaders = rng.chance(0.2) ? "content-type;host;x-tc-action" : undefined;
      const language = rng.chance(0.5) ? rng.pick(["zh-CN", "en-US"]) : undefined;
      const credential = { secretId: "AKID" + randChars(rng, ALNUM, 10, 36), secretKey, token };
      const timestamp = randTimestamp(rng);
      const diffs = [];
      try {
        const client = new CvmClient({ credential, region, profile: { language, signedHeaders, httpProfile } });
        const out = client.signExportImages(params, timestamp);
        client.free();
        const body = exportImagesBody(params);
        if (out.body !== body) diffs.push(`body ${out.body} ≠ ${body}`);
        if (out.url !== url) diffs.push(`url ${out.url} ≠ ${url}`);
        const ref = referenceSign({ host: signingHost, contentType: "application/json", action: "ExportImages", body, timestamp, secretId: credential.secretId, secretKey, signedHeaders });
        for (const stage of ["canonicalRequest", "stringToSign", "signature", "authorization"]) if (out[stage] !== ref[stage]) diffs.push(`${stage} ≠ reference`);
        if (!signedHeaders) {
          const official = officialAuthorization({ url: `https://${signingHost}/`, body, timestamp, secretId: credential.secretId, secretKey, contentType: "application/json" });
          if (out.authorization !== official) diffs.push(`authorization ≠ Sign.sign3: ${out.authorization} vs ${official}`);
        }
        const headers = {
          Authorization: ref.authorization,
          "Content-Type": "application/json",
          "X-TC-Action": "ExportImages",
          "X-TC-Region": region,
          "X-TC-RequestClient": "tc3-edge/0.1.0",
          "X-TC-Timestamp": String(timestamp),
          "X-TC-Version": "2017-03-12",
          ...(token ? { "X-TC-Token": token } : {}),
          ...(language ? { "X-TC-Language": language } : {}),
        };
        try {
          assert.deepStrictEqual({ ...out.headers }, headers);
        } catch {
          diffs.push(`headers ${JSON.stringify(out.headers)}`);
        }
      } catch (err) {
        diffs.push(`threw ${err?.code} ${err?.message}`);
      }
      if (diffs.length) failures.push(`case #${i}: ${diffs.join("; ")}\n    params=${JSON.stringify(params)} httpProfile=${JSON.stringify(httpProfile)} ts=${timestamp}`);
    }
    assert.equal(failures.length, 0, `mismatches (reproduce with TC3_DIFF_SEED=${hex(seed)}):\n${failures.slice(0, 5).join("\n")}`);
  });
});

describe("signRequest reproduces every reference vector of tests/fixtures/tc3-vectors.json", () => {
  for (const { name, input, expected } of FIXTURES.cases) {
    it(`${name}: canonicalRequest, stringToSign, signature, authorization and headers (full and sign-only modules)`, () => {
      const vectorInput = {
        secretId: input.secretId,
        secretKey: input.secretKey,
        token: input.token ?? undefined,
        action: input.action,
        version: input.version,
        service: input.service,
        host: input.host,
        region: input.region ?? undefined,
        payload: input.payload,
        timestamp: input.timestamp,
        method: input.method,
        query: input.method === "GET" ? input.query : undefined,
        contentType: input.contentType,
        signedHeaders: input.signedHeaders,
      };
      const out = signRequest(vectorInput);
      assert.deepEqual(leanSignRequest(vectorInput), out);
      assert.equal(out.canonicalRequest, expected.canonicalRequest);
      assert.equal(out.stringToSign, expected.stringToSign);
      assert.equal(out.signature, expected.signature);
      assert.equal(out.authorization, expected.authorization);

      // The intermediates signRequest does not return, tied to those it does.
      assert.equal(out.canonicalRequest.split("\n").at(-1), expected.hashedPayload);
      assert.equal(sha256Hex(Buffer.from(input.method === "GET" ? "" : input.payload, "utf8")), expected.hashedPayload);
      assert.equal(sha256Hex(out.canonicalRequest), expected.hashedCanonicalRequest);
      assert.deepEqual(out.stringToSign.split("\n").slice(1), [String(input.timestamp), expected.credentialScope, expected.hashedCanonicalRequest]);
      assert.equal(expected.credentialScope, `${expected.date}/${input.service}/tc3_request`);
      assert.equal(hmacSha256(Buffer.from(expected.secretSigning, "hex"), out.stringToSign, "hex"), out.signature);
      const ref = referenceSign({ ...input, body: input.payload });
      for (const k of ["secretDate", "secretService", "secretSigning", "date"]) assert.equal(ref[k], expected[k], k);

      // The official SDK agrees wherever it can sign the same header list.
      if (input.signedHeaders === "content-type;host") {
        const url = `https://${input.host}/${input.method === "GET" && input.query ? `?${input.query}` : ""}`;
        assert.equal(
          officialAuthorization({ ...input, url, body: input.method === "GET" ? "" : input.payload }),
          expected.authorization,
        );
      }

      const headers = {
        Authorization: expected.authorization,
        "Content-Type": input.contentType,
        "X-TC-Action": input.action,
        "X-TC-Timestamp": String(input.timestamp),
        "X-TC-Version": input.version,
      };
      if (input.region) headers["X-TC-Region"] = input.region;
      if (input.token) headers["X-TC-Token"] = input.token;
      assert.deepStrictEqual({ ...out.headers }, headers);
      assert.equal(out.method, input.method);
      assert.equal(out.url, `https://${input.host}/${input.method === "GET" && input.query ? `?${input.query}` : ""}`);
      assert.equal(out.body, input.method === "GET" ? "" : input.payload);
    });
  }
});

describe("signRequest rejects unusable input with a TencentCloudError that never echoes the SecretKey", () => {
  const secretKey = "SKEY-never-echo-ключ-🔑-0123456789";
  const base = { secretId: "AKIDexample", secretKey, action: "DescribeImages", timestamp: 1732665600 };
  const cases = [
    ["a timestamp in milliseconds", { timestamp: 1732665600000 }, "Client.InvalidOption"],
    ["a timestamp past 9999-12-31", { timestamp: MAX_TIMESTAMP + 1 }, "Client.InvalidOption"],
    ["a negative timestamp", { timestamp: -1 }, "Client.InvalidOption"],
    ["a fractional timestamp", { timestamp: 1732665600.5 }, "Client.InvalidOption"],
    ["an empty SecretKey", { secretKey: "" }, "Client.InvalidCredential"],
    ["a SecretKey that is not a string", { secretKey: 12345 }, "Client.InvalidCredential"],
    ["a SecretId with a space", { secretId: "AKID x" }, "Client.InvalidCredential"],
    ["a non-ASCII token", { token: "tök-" + secretKey }, "Client.InvalidCredential"],
    ["an unknown method", { method: "PUT" }, "Client.InvalidOption"],
    ["a GET with a body", { method: "GET", payload: "{}" }, "Client.InvalidOption"],
    ["a POST with a query", { query: "a=1" }, "Client.InvalidOption"],
    ["an unknown option", { secretkey: "x" }, "Client.InvalidOption"],
    ["an unknown language", { language: "fr-FR" }, "Client.InvalidOption"],
    ["an unknown signedHeaders", { signedHeaders: "host" }, "Client.InvalidOption"],
    ["a host with a scheme", { host: "https://cvm.tencentcloudapi.com" }, "Client.InvalidOption"],
    ["a payload that cannot be serialized", { payload: { n: 1n } }, "InvalidParameter"],
  ];
  for (const [what, patch, code] of cases) {
    it(`${what} → ${code}`, () => {
      let thrown;
      try {
        signRequest({ ...base, ...patch });
      } catch (err) {
        thrown = err;
      }
      assert.ok(thrown instanceof TencentCloudError, `expected a TencentCloudError, got ${thrown}`);
      assert.ok(thrown instanceof Error);
      assert.equal(thrown.code, code);
      for (const text of [thrown.message, String(thrown), JSON.stringify(thrown), thrown.stack]) {
        assert.ok(!text.includes(secretKey), "the SecretKey leaked into the error");
      }
    });
  }
});

describe("signRequest's input buffer (JS writes the packed input straight into wasm memory)", () => {
  const base = { secretId: "AKIDexample", secretKey: "secret-key-🔑", action: "DescribeImages", region: "ap-guangzhou", timestamp: 1732665600 };
  const official = (input, body) =>
    officialAuthorization({ url: "https://cvm.tencentcloudapi.com/", body, timestamp: input.timestamp, secretId: input.secretId, secretKey: input.secretKey, contentType: "application/json" });

  it("payloads from empty to 1 MB, ASCII and multi-byte, sign identically to Sign.sign3 (the buffer grows and shrinks back to use)", () => {
    for (const size of [0, 1, 600, 700, 2047, 2048, 5000, 65_536, 1_000_000]) {
      for (const unit of ["a", "é", "密", "😀"]) {
        const body = JSON.stringify({ Data: unit.repeat(Math.ceil(size / unit.length)).slice(0, size) });
        const input = { ...base, payload: body };
        const out = signRequest(input);
        assert.equal(out.body, body, `size ${size} unit ${unit}`);
        assert.equal(out.authorization, official(input, body), `size ${size} unit ${unit}`);
      }
    }
    // A small request after the big ones still signs correctly (nothing of the old input is read).
    const input = { ...base, payload: "{}" };
    assert.equal(signRequest(input).authorization, official(input, "{}"));
  });

  it("two instances of the module sharing one snippet file each read their own input (the memory is passed per call)", async () => {
    // A second copy of the glue (another URL) imports the SAME snippet module: the snippet must
    // not keep one instance's memory for both.
    const second = await import(new URL("../../pkg/gen/tc3_edge.js?second-instance", import.meta.url).href);
    second.initSync({ module: readFileSync(new URL("../../pkg/gen/tc3_edge_bg.wasm", import.meta.url)) });
    const a = { ...base, payload: '{"instance":"a"}' };
    const b = { ...base, secretKey: "key-of-b", payload: JSON.stringify({ instance: "b", pad: "x".repeat(5000) }) };
    for (let i = 0; i < 3; i++) {
      assert.equal(second.signRequest(b).authorization, official(b, b.payload));
      assert.equal(signRequest(a).authorization, official(a, a.payload));
      const client = new second.CvmClient({ credential: { secretId: "AKIDexample", secretKey: "k" }, region: "ap-guangzhou" });
      assert.equal(client.signExportImages({ BucketName: "b-1250000000", ImageIds: ["img-72n9mi0y"], ExportFormat: "RAW" }, 1732665600).body,
        '{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"],"ExportFormat":"RAW"}');
    }
  });

  it("a getter that throws gives Client.InvalidOption naming the failure, and the next call works", () => {
    const input = { ...base, payload: "{}" };
    Object.defineProperty(input, "region", { enumerable: true, get() { throw new Error("region store unavailable"); } });
    assert.throws(() => signRequest(input), (e) => e instanceof TencentCloudError && e.code === "Client.InvalidOption" && /region store unavailable/.test(e.message));
    const ok = { ...base, payload: "{}" };
    assert.equal(signRequest(ok).authorization, official(ok, "{}"));
  });

  it("a getter that itself calls signRequest (re-entry) gets a correct signature, and so does the outer call", () => {
    const inner = { ...base, payload: '{"inner":true}' };
    let innerOut;
    const outer = { ...base, secretKey: "another-key", payload: '{"outer":true}' };
    Object.defineProperty(outer, "action", { enumerable: true, get() { innerOut = signRequest(inner); return "DescribeImages"; } });
    const outerOut = signRequest(outer);
    assert.equal(innerOut.authorization, official(inner, '{"inner":true}'));
    assert.equal(outerOut.authorization, official({ ...base, secretKey: "another-key" }, '{"outer":true}'));
  });
});

describe("parameters with no JSON form are rejected before anything is signed", () => {
  const client = new CvmClient({ credential: { secretId: "AKIDexample", secretKey: "k" }, region: "ap-guangzhou" });
  const cyclic = { BucketName: "b-1250000000" };
  cyclic.self = cyclic;
  for (const [what, value] of [["undefined", undefined], ["a function", () => 1], ["a symbol", Symbol("s")], ["a BigInt", { n: 1n }], ["a cycle", cyclic]]) {
    it(`${what} → InvalidParameter from validateExportImages, signExportImages and request`, async () => {
      const isInvalid = (e) => e instanceof TencentCloudError && e.code === "InvalidParameter" && /JSON-serializable/.test(e.message);
      assert.throws(() => client.validateExportImages(value), isInvalid);
      assert.throws(() => client.signExportImages(value, 1732665600), isInvalid);
      if (value !== undefined) await assert.rejects(client.request("DescribeImages", value), isInvalid);
    });
  }
});
