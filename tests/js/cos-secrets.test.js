// presignCosUrl's secrets in wasm memory: the SignKey (HMAC-SHA1(SecretKey, KeyTime), as hex,
// secret-equivalent until the link expires) is wiped after every call; the SecretKey and the
// session token (which the link itself carries) are gone once the client is freed. Fresh random
// secrets each run, searched for by their random tail, as tests/resilience/hygiene.test.js does.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { test } from "node:test";

// Before the package entry: captures the instance it creates.
import { entryMemory } from "../support/entry-instance.js";
import { CvmClient } from "../../pkg/node.js";

// The instance pkg/node.js created (captured by tests/support/entry-instance.js).
const wasmInstance = () => ({ memory: entryMemory() });

const T = 1_732_665_600;
const fresh = (p, len) => `${p}${randomBytes(len).toString("hex").slice(0, len - 1)}`;

// Lengths: 16 (short test values) and 300 (STS session tokens are several hundred characters;
// a SecretKey over 64 bytes is hashed by HMAC, on the stack).
for (const len of [16, 300]) {
  test(`wasm memory: no ${len}-character SecretKey, token or SignKey left by presignCosUrl`, () => {
    const memory = () => Buffer.from(wasmInstance().memory.buffer); // the instance pkg/node.js initialized
    const left = [];
    for (let round = 0; round < 4; round++) {
      const secretKey = fresh("K", len);
      const token = fresh("T", len);
      const client = new CvmClient({ credential: { secretId: "AKIDmemscan", secretKey, token }, region: "ap-guangzhou" });
      const signKeys = [];
      for (let i = 0; i < 3; i++) {
        const expires = 60 + i;
        const { url } = client.presignCosUrl({
          BucketName: "backup-1250000000", key: `/file-${i}.raw`, timestamp: T, expires,
          query: { "response-content-disposition": "x".repeat(round * 500) }, // longer links on some rounds
        });
        assert.ok(url.endsWith(`&x-cos-security-token=${token}`), "the link carries the token");
        signKeys.push(createHmac("sha1", secretKey).update(`${T};${T + expires}`).digest("hex"));
      }
      // While the client lives it holds the SecretKey and token; the SignKeys must already be gone.
      for (const k of signKeys) if (memory().indexOf(Buffer.from(k)) !== -1) left.push("SignKey");
      client.free();
      const mem = memory();
      if (mem.indexOf(Buffer.from(secretKey.slice(-12))) !== -1) left.push("SecretKey");
      if (mem.indexOf(Buffer.from(token.slice(-12))) !== -1) left.push("token");
    }
    assert.deepEqual(left, [], "secret bytes left in wasm memory");
  });
}
