// @ts-check
// The wasm module's JS imports (both builds): the error class, writing strings straight into
// wasm memory, and packing signRequest's input and output. Mechanics only: every check that
// decides something about a request is made in Rust.
/** The error every tc3-edge failure is thrown as. */
export class TencentCloudError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {string} [requestId]
   * @param {string} [field]
   * @param {number} [httpCode]
   * @param {boolean} [mayHaveExecuted]
   */
  constructor(code, message, requestId, field, httpCode, mayHaveExecuted) {
    super(message);
    this.name = "TencentCloudError";
    this.code = code;
    this.requestId = requestId;
    this.field = field;
    this.httpCode = httpCode;
    this.mayHaveExecuted = mayHaveExecuted === true;
    /**
     * The call's `X-TC-TraceId` (undefined for an error that is not a call's, e.g. options).
     * @type {string | undefined}
     */
    this.traceId = undefined;
    /** Attempts sent before the call failed (0: nothing was sent). */
    this.attempts = 0;
    /** Backoff waited before retries, in ms. */
    this.totalRetryDelayMs = 0;
  }
  toString() {
    return `${this.name}: [${this.code}] ${this.message}` + (this.requestId ? ` (RequestId: ${this.requestId})` : "");
  }
  toJSON() {
    const { name, code, message, requestId, field, httpCode, mayHaveExecuted, traceId, attempts, totalRetryDelayMs } = this;
    return { name, code, message, requestId, field, httpCode, mayHaveExecuted, traceId, attempts, totalRetryDelayMs };
  }
}
export function errorClass() { return TencentCloudError; }

/** The packed input's field order; src/wasm/sign.rs reads the same (a native test compares them). */
export const SIGN_FIELDS = ["secretId", "secretKey", "token", "action", "version", "service", "host", "endpoint",
  "region", "language", "timestamp", "method", "query", "contentType", "signedHeaders", "requestClient", "payload"];
const SIGN_FIELD_SET = new Set(SIGN_FIELDS);
const CREDENTIAL_COUNT = 3; // secretId, secretKey, token: their type errors are Client.InvalidCredential
const TIMESTAMP = SIGN_FIELDS.indexOf("timestamp");

/**
 * Packs signRequest's input into one string (fields in SIGN_FIELDS order, NUL-separated, each
 * tagged "-" absent, "s" value, or "r" when the value holds a NUL and wasm must read the property
 * itself; the payload last), so wasm reads it in one crossing. Errors
 * come back as "!<kind><message>" and name the property, never its value.
 * (Shaped for speed: it runs on every call; for-in + hasOwn and index tests measured ~25 %
 * cheaper than Object.keys and name comparisons.)
 * @param {any} input
 * @returns {string}
 */
export function packSignInput(input) {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return "!Oinput must be an object";
  for (const key in input) {
    if (!SIGN_FIELD_SET.has(key) && Object.hasOwn(input, key) && input[key] !== undefined) {
      return `!Oinput.${key} is not a known option (known: ${SIGN_FIELDS.join(", ")})`;
    }
  }
  let out = "";
  for (let i = 0; i < SIGN_FIELDS.length - 1; i++) {
    const v = input[SIGN_FIELDS[i]];
    if (v === undefined || v === null) out += "-\0";
    else if (typeof v === "string") out += v.indexOf("\0") === -1 ? "s" + v + "\0" : "r\0"; // "r": rare, wasm reads it itself
    else if (i === TIMESTAMP && typeof v === "number") out += (Number.isFinite(v) ? "s" + v : "s-1") + "\0";
    else return `!${i < CREDENTIAL_COUNT ? "C" : "O"}input.${SIGN_FIELDS[i]} must be a ${i === TIMESTAMP ? "number" : "string"}`;
  }
  const payload = input.payload;
  if (payload === undefined || payload === null) return out + "-";
  if (typeof payload === "string") return out + "s" + payload;
  let json;
  try { json = typeof payload === "object" ? JSON.stringify(payload) : undefined; } catch { json = undefined; }
  if (json === undefined) return "!Pinput.payload must be a JSON-serializable object or the body string";
  return out + "s" + json;
}

// A byte view of the wasm memory last written to, renewed when that memory grows (growing
// detaches the old buffer) or another instance's memory is given. The memory is passed on
// every call, not kept here: two instances of the module can share this snippet (a second
// copy of the glue imports the same snippet file), and each must write into its own memory.
let wasmBytes = new Uint8Array(0);
const encoder = new TextEncoder();

// A string that did not fit the buffer wasm offered, kept for `writePending` so that it is
// computed (and its getters or toJSON run) once.
let pending = "";

/**
 * Writes `s` UTF-8 straight into wasm `memory` at [ptr, ptr + cap) with the native
 * `TextEncoder.encodeInto` — far cheaper than returning a JS string, which wasm-bindgen copies
 * one char code at a time. Returns the bytes written, or -(an upper bound of the bytes needed)
 * after keeping `s` for `writePending`.
 * @param {WebAssembly.Memory} memory
 * @param {string} s
 * @param {number} ptr
 * @param {number} cap
 */
function writeString(memory, s, ptr, cap) {
  if (wasmBytes.buffer !== memory.buffer) wasmBytes = new Uint8Array(memory.buffer);
  const { read, written } = encoder.encodeInto(s, wasmBytes.subarray(ptr, ptr + cap));
  if (read === s.length) return written;
  pending = s;
  return -3 * s.length;
}

/**
 * Writes the string kept by the last `writeString` that did not fit (wasm grew its buffer).
 * @param {WebAssembly.Memory} memory
 * @param {number} ptr
 * @param {number} cap
 */
export function writePending(memory, ptr, cap) {
  const s = pending;
  pending = "";
  return writeString(memory, s, ptr, cap);
}

/**
 * `JSON.stringify(value)` written into wasm memory (see writeString); -1 if it is not JSON.
 * @param {WebAssembly.Memory} memory
 * @param {unknown} value
 * @param {number} ptr
 * @param {number} cap
 */
export function stringifyInto(memory, value, ptr, cap) {
  let json;
  try { json = JSON.stringify(value); } catch { return -1; }
  return typeof json === "string" ? writeString(memory, json, ptr, cap) : -1;
}

/**
 * `packSignInput` written into wasm memory (see writeString). A throwing getter on `input`
 * becomes a "!O" error, so the call always returns to wasm (which wipes the buffer: it holds
 * the SecretKey).
 * @param {WebAssembly.Memory} memory
 * @param {unknown} input
 * @param {number} ptr
 * @param {number} cap
 */
export function packSignInputInto(memory, input, ptr, cap) {
  let packed;
  try {
    packed = packSignInput(input);
  } catch (e) {
    const err = /** @type {any} */ (e);
    packed = `!Oinput could not be read: ${err && typeof err.message === "string" ? err.message : "a getter threw"}`;
  }
  return writeString(memory, packed, ptr, cap);
}

/**
 * Builds signRequest's result object from the NUL-separated parts wasm packed: url, method, the
 * four stages, the header count, the headers (name, value), then the body (which may itself
 * hold NULs). Sliced in place with indexOf: measured ~25 % cheaper than split + index.
 * @param {string} packed
 */
export function unpackSigned(packed) {
  let from = 0;
  const next = () => {
    const end = packed.indexOf("\0", from);
    const part = packed.slice(from, end);
    from = end + 1;
    return part;
  };
  const url = next(), method = next(), canonicalRequest = next(), stringToSign = next(), signature = next(), authorization = next();
  /** @type {Record<string, string>} */
  const headers = {};
  for (let count = Number(next()); count > 0; count--) {
    const name = next();
    headers[name] = next();
  }
  return { url, method, headers, body: packed.slice(from), canonicalRequest, stringToSign, signature, authorization };
}
