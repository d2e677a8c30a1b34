// A plain-JS TC3-HMAC-SHA256 signer on WebCrypto (crypto.subtle), as a browser or Worker
// would write it without tc3-edge: the baseline tc3-edge is compared with.
//
// Same canonical request as the official SDK (POST, path "/", empty query, signed headers
// "content-type;host"). The derived signing key (HMAC chain "TC3"+SecretKey → date → service →
// "tc3_request") is cached per UTC date, so a request costs two SHA-256 digests, one HMAC and
// the promise turns between them — the shape every hand-written WebCrypto signer ends up with.
//
// Works wherever globalThis.crypto.subtle exists (Node ≥ 19 global, browsers, workerd).

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** `YYYY-MM-DD` (UTC) of a Unix timestamp in seconds. */
export function utcDate(timestamp) {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

async function hmacKey(raw) {
  return subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

async function hmac(key, message) {
  return subtle.sign("HMAC", key, encoder.encode(message));
}

export class WebCryptoTc3Signer {
  #secretId;
  #secretKey;
  /** `${date}/${service}` → Promise<CryptoKey> of the derived signing key (one date kept). */
  #keys = new Map();

  constructor({ secretId, secretKey }) {
    this.#secretId = secretId;
    this.#secretKey = secretKey;
  }

  /** The derived signing key for `date`/`service`, computed once per date. */
  #signingKey(date, service) {
    const id = `${date}/${service}`;
    let key = this.#keys.get(id);
    if (!key) {
      if (this.#keys.size > 8) this.#keys.clear(); // old dates: bounded, never grows
      key = (async () => {
        const kDate = await hmac(await hmacKey(encoder.encode("TC3" + this.#secretKey)), date);
        const kService = await hmac(await hmacKey(kDate), service);
        const kSigning = await hmac(await hmacKey(kService), "tc3_request");
        return hmacKey(kSigning);
      })();
      // Don't cache a failure.
      key.catch(() => this.#keys.delete(id));
      this.#keys.set(id, key);
    }
    return key;
  }

  /**
   * Signs one POST. Returns `{ authorization, signature, canonicalRequest, stringToSign, headers }`.
   * `body` is the exact JSON string that will be sent.
   */
  async sign({ host, service, action, version, region, timestamp, body, contentType = "application/json" }) {
    const date = utcDate(timestamp);
    const payloadHash = hex(await subtle.digest("SHA-256", encoder.encode(body)));
    const canonicalRequest =
      `POST\n/\n\ncontent-type:${contentType}\nhost:${host}\n\ncontent-type;host\n${payloadHash}`;
    const scope = `${date}/${service}/tc3_request`;
    const stringToSign =
      `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${hex(await subtle.digest("SHA-256", encoder.encode(canonicalRequest)))}`;
    const signature = hex(await hmac(await this.#signingKey(date, service), stringToSign));
    const authorization =
      `TC3-HMAC-SHA256 Credential=${this.#secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
    const headers = {
      Authorization: authorization,
      "Content-Type": contentType,
      "X-TC-Action": action,
      "X-TC-Timestamp": String(timestamp),
      "X-TC-Version": version,
    };
    if (region) headers["X-TC-Region"] = region;
    return { authorization, signature, canonicalRequest, stringToSign, headers };
  }
}
