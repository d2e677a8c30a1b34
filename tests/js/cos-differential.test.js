// Differential test of tc3-edge's COS signer (the built package: CvmClient#presignCosUrl) against
// the official COS SDK's `COS.getAuthorization` (cos-nodejs-sdk-v5), byte for byte with the same
// KeyTime: every case of tests/fixtures/cos-cases.json, and fresh seeded random cases each run.
// The link's path is compared with the SDK's own (unsigned) getObjectUrl, and its query with the
// signature's fields, the token and the signed parameters.
//
// Reproduce a failure: COS_DIFF_SEED=<seed printed in the failure> node --test tests/js/cos-differential.test.js
// More cases:          COS_DIFF_CASES=20000 node --test tests/js/cos-differential.test.js
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it } from "node:test";

import { CvmClient, TencentCloudError } from "../../pkg/node.js";
import { cosHost, generateCosCases, official } from "./support/cos-cases.js";

const COS = createRequire(import.meta.url)("cos-nodejs-sdk-v5");
const FIXTURE = JSON.parse(readFileSync(new URL("../fixtures/cos-cases.json", import.meta.url), "utf8"));
const CASES_PER_SEED = Number(process.env.COS_DIFF_CASES ?? 1500);
const SEED = process.env.COS_DIFF_SEED ? Number(process.env.COS_DIFF_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const hex = (n) => `0x${n.toString(16).padStart(8, "0")}`;

/** Signs a case with tc3-edge: a client with the case's credential and region. */
function presign(c) {
  const client = new CvmClient({ credential: { secretId: c.secretId, secretKey: c.secretKey, token: c.token }, region: c.region });
  return client.presignCosUrl({
    BucketName: c.bucket, key: c.key, method: c.method, expires: c.expires, timestamp: c.start,
    query: Object.fromEntries(c.query), headers: Object.fromEntries(c.headers),
  });
}

/** The object URL the SDK builds (unsigned; its API wrapper drops one leading `/` of a Key, as tc3-edge does). */
function sdkObjectUrl(c) {
  const cos = new COS({ SecretId: "x", SecretKey: "y" });
  return cos.getObjectUrl({ Bucket: c.bucket, Region: c.region, Key: c.key, Sign: false });
}

function check(c, label) {
  const expected = c.expected ?? official(c);
  let got;
  try {
    got = presign(c);
  } catch (e) {
    assert.fail(`${label}: threw ${e.code} ${e.message}\n${JSON.stringify(c)}`);
  }
  assert.equal(got.authorization, expected.authorization, `${label}: authorization differs\n${JSON.stringify(c)}`);
  const q = got.url.indexOf("?");
  assert.equal(got.url.slice(0, q), sdkObjectUrl(c), `${label}: object URL differs`);
  assert.ok(got.url.startsWith(`https://${cosHost(c)}/`));
  const params = new URLSearchParams(got.url.slice(q + 1));
  const fields = Object.fromEntries(expected.authorization.split("&").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  for (const [k, v] of Object.entries(fields)) assert.equal(params.get(k), v, `${label}: ${k} in the link`);
  assert.equal(params.get("x-cos-security-token"), c.token ?? null, `${label}: token in the link`);
  for (const [k, v] of c.query) assert.equal(params.get(k), v, `${label}: query ${k}`);
  const names = [...params.keys()];
  assert.equal(names.length, 7 + (c.token ? 1 : 0) + c.query.length, `${label}: no other parameters`);
}

describe("COS signature vs the official COS SDK", () => {
  it(`every fixture case (${FIXTURE.cases.length}, ${FIXTURE.sdk})`, () => {
    assert.ok(FIXTURE.cases.length >= 1000);
    FIXTURE.cases.forEach((c, i) => check(c, `fixture case ${i}`));
  });

  it(`${CASES_PER_SEED} fresh random cases, seed ${hex(SEED)}`, () => {
    const cases = generateCosCases(SEED, CASES_PER_SEED);
    cases.forEach((c, i) => check({ ...c, expected: undefined }, `seed ${hex(SEED)} case ${i}`));
  });

  it("the fixture is what the committed SDK version produces today", () => {
    // Guards against a fixture edited by hand or an SDK upgrade that changed the algorithm.
    const sdk = createRequire(import.meta.url)("cos-nodejs-sdk-v5/package.json");
    assert.equal(FIXTURE.sdk, `${sdk.name}@${sdk.version}`);
    for (const c of FIXTURE.cases.slice(0, 200)) assert.deepEqual(official(c), c.expected);
  });
});

describe("presignCosUrl input checks", () => {
  const SECRET = "S3cr3t-KEY-must-never-leak-0123456789";
  const TOKEN = "session-TOKEN-must-never-leak-abcdef";
  const client = new CvmClient({ credential: { secretId: "AKIDx", secretKey: SECRET, token: TOKEN }, region: "ap-guangzhou" });
  const base = { BucketName: "backup-1250000000", key: "/a.raw" };
  const cases = [
    [{ ...base, BucketName: undefined }, "MissingParameter", "BucketName"],
    [{ ...base, BucketName: "backup" }, "InvalidParameterValue.InvalidAppIdFormat", "BucketName"],
    [{ ...base, BucketName: "Backup-1250000000" }, "InvalidParameterValue", "BucketName"],
    [{ ...base, key: "" }, "MissingParameter", "key"],
    [{ ...base, key: "/" }, "MissingParameter", "key"],
    [{ ...base, key: "a/../b" }, "InvalidParameterValue", "key"],
    [{ ...base, key: "k".repeat(851) }, "InvalidParameterValue", "key"],
    [{ ...base, method: "PUT" }, "InvalidParameterValue", "method"],
    [{ ...base, expires: 0 }, "InvalidParameterValue", "expires"],
    [{ ...base, expires: 604801 }, "InvalidParameterValue", "expires"],
    [{ ...base, expires: 1.5 }, "InvalidParameter", "expires"],
    [{ ...base, expires: "60" }, "InvalidParameter", "expires"],
    [{ ...base, timestamp: 1.7e12 }, "Client.InvalidOption", "timestamp"],
    [{ ...base, key: 42 }, "InvalidParameter", "key"],
    [{ ...base, query: { "q-signature": "x" } }, "InvalidParameterValue", "query"],
    [{ ...base, query: { a: 1 } }, "InvalidParameter", "query"],
    [{ ...base, headers: { Host: "evil" } }, "InvalidParameterValue", "headers"],
    [{ ...base, headers: { Range: " bytes=0-1" } }, "InvalidParameterValue", "headers"],
    [{ ...base, Key: "a" }, "Client.InvalidOption", "Key"],
  ];
  for (const [input, code, field] of cases) {
    it(`${JSON.stringify(input).slice(0, 90)} → ${code} (${field})`, () => {
      assert.throws(() => client.presignCosUrl(input), (e) => {
        assert.ok(e instanceof TencentCloudError, String(e));
        assert.equal(e.code, code, e.message);
        assert.equal(e.field, field, e.message);
        const text = JSON.stringify(e) + e.message + e.stack;
        assert.ok(!text.includes(SECRET) && !text.includes(TOKEN), "no secret in the error");
        return true;
      });
    });
  }

  it("a client without region, a bad cosEndpoint, a provider that has not run yet", () => {
    const noRegion = new CvmClient({ credential: { secretId: "AKIDx", secretKey: SECRET } });
    assert.throws(() => noRegion.presignCosUrl(base), (e) => e.code === "MissingParameter" && e.field === "Region");
    for (const cosEndpoint of ["ftp://x/{Bucket}", "http://x/{bucket}", "http://x/{Bucket}?a=1", 42]) {
      assert.throws(
        () => new CvmClient({ credential: { secretId: "AKIDx", secretKey: SECRET }, region: "ap-guangzhou", profile: { cosEndpoint } }),
        (e) => e.code === "Client.InvalidOption" && e.field === "profile.cosEndpoint",
        String(cosEndpoint),
      );
    }
    const provided = new CvmClient({ credential: async () => ({ secretId: "AKIDx", secretKey: SECRET }), region: "ap-guangzhou" });
    assert.throws(() => provided.presignCosUrl(base), (e) => e.code === "Client.InvalidCredential");
  });

  it("defaults: GET, 900 s from a second ago (as the COS SDKs: COS refuses a start in its future), the real host; cosEndpoint moves the link, not the signature", () => {
    const before = Math.floor(Date.now() / 1000);
    const { url, authorization } = client.presignCosUrl(base);
    const after = Math.floor(Date.now() / 1000);
    const [start, end] = /q-sign-time=(\d+);(\d+)/.exec(authorization).slice(1).map(Number);
    assert.ok(start >= before - 1 && start <= after - 1, `${start} in [${before - 1}, ${after - 1}]`);
    assert.equal(end - start, 900);
    assert.ok(url.startsWith("https://backup-1250000000.cos.ap-guangzhou.myqcloud.com/a.raw?q-sign-algorithm=sha1&q-ak=AKIDx&"));
    const local = new CvmClient({
      credential: { secretId: "AKIDx", secretKey: SECRET, token: TOKEN }, region: "ap-guangzhou",
      profile: { cosEndpoint: "http://127.0.0.1:8787/cos/{Bucket}" },
    });
    const input = { ...base, method: "HEAD", timestamp: 1_700_000_000, expires: 60 };
    const there = local.presignCosUrl(input);
    assert.equal(there.authorization, client.presignCosUrl(input).authorization, "signed for the real host either way");
    assert.ok(there.url.startsWith("http://127.0.0.1:8787/cos/backup-1250000000/a.raw?"), there.url);
    assert.equal(
      there.authorization,
      COS.getAuthorization({
        SecretId: "AKIDx", SecretKey: SECRET, Method: "head", Key: "/a.raw",
        Headers: { Host: "backup-1250000000.cos.ap-guangzhou.myqcloud.com" }, KeyTime: "1700000000;1700000060",
      }),
    );
  });
});
