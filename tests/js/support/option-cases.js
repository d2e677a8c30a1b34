// The corpus of tests/js/options-differential.test.js: bad (and good) inputs for the option
// objects whose shapes js/options.js checks — presignCosUrl's request, waitForExport's and
// checkExportFiles' task and options, and a call's options (ExportImages' second argument,
// request's third) — and how to run one against a built package and describe its outcome
// (the TencentCloudError's fields, another error's class and message, or what it returned).
//
// Every input is built anew for each run (getters, Dates, signals, proxies cannot be stored),
// from a case's id alone: the ids are what tests/fixtures/option-outcomes.json records.
// Record it again (only on purpose: it is the behaviour the test guards) with
//   node tests/js/support/record-option-outcomes.mjs <pkgDir>

/** The bucket every base input names (the client's region: ap-guangzhou). */
const BUCKET = "examplebucket-1250000000";
const KEY = "exports/img-1.qcow2";
/** presignCosUrl's base `timestamp`: a link signed from it is the same on every run. */
const T0 = 1_700_000_000;
/** The `Last-Modified` the fake COS reports for every file (2024-06-01T00:00:00Z). */
const MODIFIED = 1_717_200_000;

/** A getter that throws: the Rust reader took it as absent, JS code reading it plainly throws. */
const THROWS = Symbol("throws");
/** The property deleted from the base input. */
const ABSENT = Symbol("absent");

/** Values every property is tried with; each a function, so objects are fresh per run. */
const VALUES = {
  undefined: () => undefined,
  null: () => null,
  true: () => true,
  false: () => false,
  zero: () => 0,
  negZero: () => -0,
  one: () => 1,
  minusOne: () => -1,
  half: () => 1.5,
  NaN: () => NaN,
  Infinity: () => Infinity,
  minusInfinity: () => -Infinity,
  twoPow53: () => 2 ** 53,
  huge: () => 1e300,
  n9e15: () => 9e15,
  n9e15plus: () => 9.1e15,
  emptyString: () => "",
  string: () => "x",
  nul: () => "a\0b",
  loneSurrogate: () => "\ud800",
  GET: () => "GET",
  list: () => "list",
  bigint: () => 10n,
  symbol: () => Symbol("s"),
  emptyArray: () => [],
  stringArray: () => ["x"],
  numberArray: () => [1],
  emptyObject: () => ({}),
  object: () => ({ a: "b" }),
  function: () => () => {},
  date0: () => new Date(0),
  dateModified: () => new Date(MODIFIED * 1000),
  invalidDate: () => new Date(NaN),
  numberObject: () => new Number(5),
  stringObject: () => new String("x"),
  nullProto: () => Object.create(null),
  signal: () => new AbortController().signal,
  abortedSignal: () => AbortSignal.abort(),
  fakeSignal: () => ({ aborted: false, addEventListener() {}, removeEventListener() {} }),
  throws: () => THROWS,
};

/** Values of one property only (its own literals, ranges, syntax), by property name. */
const SPECIFIC = {
  method: { head: () => "HEAD", lower: () => "get", put: () => "PUT" },
  expires: { max: () => 604800, overMax: () => 604801, ten: () => 10 },
  timestamp: { t0: () => T0, far: () => 253402300800 },
  query: {
    good: () => ({ "response-content-disposition": "attachment" }),
    number: () => ({ a: 1 }),
    nullValue: () => ({ a: null }),
    undefinedValue: () => ({ a: undefined, b: "c" }),
    nulValue: () => ({ a: "x\0y" }),
    throwingValue: () => Object.defineProperty({ b: "c" }, "a", { enumerable: true, get: () => { throw new RangeError("value getter"); } }),
    nullProtoGood: () => Object.assign(Object.create(null), { a: "b" }),
    pairs: () => [["a", "b"]],
    map: () => new Map([["a", "b"]]),
    inherited: () => Object.create({ a: "b" }),
    emptyName: () => ({ "": "x" }),
    spaceName: () => ({ "a b": "x" }),
  },
  headers: {
    range: () => ({ Range: "bytes=0-0" }),
    number: () => ({ Range: 0 }),
    badName: () => ({ "bad name": "x" }),
    nulValue: () => ({ Range: "a\0b" }),
    throwingValue: () => Object.defineProperty({}, "Range", { enumerable: true, get: () => { throw new RangeError("value getter"); } }),
  },
  BucketName: { noAppId: () => "examplebucket", other: () => "other-1250000001", upper: () => "Bad-1250000000" },
  key: { slash: () => "/exports/img-1.qcow2", dotdot: () => "../x", question: () => "a?b" },
  CosPaths: {
    two: () => [KEY, "exports/img-2.qcow2"],
    mixed: () => [KEY, 1],
    sparse: () => [, KEY], // eslint-disable-line no-sparse-arrays
    keyString: () => KEY,
    arrayLike: () => ({ length: 1, 0: KEY }),
    nulKey: () => ["a\0b"],
    emptyKey: () => [""],
    throwingIndex: () => Object.defineProperty([KEY, KEY], 1, { get: () => { throw new RangeError("index getter"); } }),
    nested: () => [[KEY]],
  },
  TaskId: { text: () => "t" },
  interval: { hundredth: () => 0.01, overMax: () => 3601, max: () => 3600 },
  maxInterval: { belowInterval: () => 0.001, second: () => 1 },
  timeout: { week: () => 604800, overWeek: () => 604801, thirty: () => 30 },
  urlExpires: { week: () => 604800, overWeek: () => 604801, ten: () => 10 },
  probe: { head: () => "head", upper: () => "HEAD", other: () => "get" },
  notBefore: {
    before: () => MODIFIED - 10,
    after: () => MODIFIED + 3600,
    dateAfter: () => new Date((MODIFIED + 3600) * 1000),
    dateString: () => "2024-06-01T00:00:00Z",
    fakeDate: () => Object.create(Date.prototype),
    farFuture: () => 253402300800,
  },
  onProgress: { asyncFunction: () => async () => {} },
  context: { who: () => ({ who: "me" }) },
  signal: {},
};

/** The unknown property names tried (the error's `field` is cut from the message at a space or a colon). */
const UNKNOWN = { plain: "bogus", dotted: "a.b", spaced: "a b", colon: "a:b", empty: "", ctor: "constructor", typo: "Bucketname" };

/**
 * The targets: each a base input, its known properties, and how one runs.
 * `kind` picks the runner; `base()` is the object that is mutated.
 */
const TARGETS = {
  presign: {
    known: ["BucketName", "key", "method", "expires", "timestamp", "query", "headers"],
    base: () => ({ BucketName: BUCKET, key: KEY, timestamp: T0, expires: 900 }),
  },
  waitTask: {
    known: ["BucketName", "CosPaths", "TaskId", "RequestId"],
    base: () => ({ BucketName: BUCKET, CosPaths: [KEY], TaskId: 7, RequestId: "req-1" }),
  },
  waitOptions: {
    known: ["signal", "onProgress", "timeout", "interval", "maxInterval", "urlExpires", "notBefore", "probe"],
    base: () => ({ interval: 0.01, timeout: 30 }),
  },
  checkTask: {
    known: ["BucketName", "CosPaths", "TaskId", "RequestId"],
    base: () => ({ BucketName: BUCKET, CosPaths: [KEY], TaskId: 7, RequestId: "req-1" }),
  },
  checkOptions: {
    known: ["signal", "timeout", "urlExpires", "notBefore", "probe"],
    base: () => ({ timeout: 30 }),
  },
  exportOptions: { known: ["signal", "context"], base: () => ({ context: 1 }) },
  requestOptions: { known: ["signal", "context"], base: () => ({ context: 1 }) },
  genericOptions: { known: ["signal", "context"], base: () => ({ context: 1 }) },
};

/** `value` (a VALUES/SPECIFIC result) set as `o[key]`; THROWS: a throwing getter; ABSENT: deleted. */
function put(o, key, value) {
  if (value === ABSENT) delete o[key];
  else if (value === THROWS) {
    Object.defineProperty(o, key, { enumerable: true, configurable: true, get: () => { throw new RangeError(`getter of ${key}`); } });
  } else o[key] = value;
  return o;
}

/** A value factory by name: a SPECIFIC one of `key`, or a VALUES one. */
function value(key, name) {
  if (name === "absent") return () => ABSENT;
  const f = SPECIFIC[key]?.[name] ?? VALUES[name];
  if (!f) throw new Error(`no value ${name} for ${key}`);
  return f;
}

/** Whole replacements of the input object. */
const WHOLE = {
  nullProtoBase: (t) => Object.assign(Object.create(null), t.base()),
  nullProtoUnknown: (t) => Object.assign(Object.create(null), t.base(), { bogus: 1 }),
  inherited: (t) => Object.create(t.base()),
  classInstance: (t) => Object.assign(new (class Options {})(), t.base()),
  proxy: (t) => new Proxy(t.base(), {}),
  proxyThrowingGet: (t) => new Proxy(t.base(), { get() { throw new RangeError("get trap"); } }),
  proxyThrowingKeys: (t) => new Proxy(t.base(), { ownKeys() { throw new RangeError("ownKeys trap"); } }),
  frozen: (t) => Object.freeze(t.base()),
  nonEnumerableUnknown: (t) => Object.defineProperty(t.base(), "bogus", { value: 1, enumerable: false }),
  symbolKey: (t) => Object.assign(t.base(), { [Symbol("bogus")]: 1 }),
  unknownUndefined: (t) => Object.assign(t.base(), { bogus: undefined }),
  unknownNull: (t) => Object.assign(t.base(), { bogus: null }),
  unknownThrows: (t) => put(t.base(), "bogus", THROWS),
  twoUnknown: (t) => Object.assign(t.base(), { zeta: 1, alpha: 2 }),
  protoKey: (t) => Object.defineProperty(t.base(), "__proto__", { value: 1, enumerable: true }),
  arrayWithKeys: (t) => Object.assign([], t.base()),
  functionWithKeys: (t) => Object.assign(() => {}, t.base()),
  date: () => new Date(0),
  empty: () => ({}),
};

/**
 * Every case id, in a fixed order:
 *   `<target>/whole/<value or WHOLE name>` — the input replaced;
 *   `<target>/set/<key>/<value>`           — one property set (or "absent", deleted);
 *   `<target>/unknown/<name>/<value>`       — an unknown property added;
 *   `<target>/pair/<key>=<value>+<key>=<value>` — two properties set, in that order.
 * @returns {string[]}
 */
export function caseIds() {
  const ids = [];
  for (const [name, t] of Object.entries(TARGETS)) {
    for (const v of [...Object.keys(VALUES), ...Object.keys(WHOLE)]) ids.push(`${name}/whole/${v}`);
    for (const key of t.known) {
      for (const v of ["absent", ...Object.keys(VALUES), ...Object.keys(SPECIFIC[key] ?? {})]) ids.push(`${name}/set/${key}/${v}`);
    }
    for (const u of Object.keys(UNKNOWN)) for (const v of ["one", "undefined", "null", "throws"]) ids.push(`${name}/unknown/${u}/${v}`);
    // Pairs: the order of the errors when two properties are wrong (a shape and a value, two
    // shapes, an unknown property and a wrong one…).
    const bad = [...t.known.flatMap((k) => [`${k}=string`, `${k}=minusOne`, `${k}=emptyObject`, ...Object.keys(SPECIFIC[k] ?? {}).slice(0, 2).map((s) => `${k}=${s}`)]), "bogus=one"];
    for (const a of bad) for (const b of bad) if (a.split("=")[0] !== b.split("=")[0]) ids.push(`${name}/pair/${a}+${b}`);
  }
  // Client variants: a provider that has supplied nothing yet (presignCosUrl's credential
  // check comes after the request's), the generic client.
  for (const v of ["base", "query=number", "method=put", "expires=string"]) ids.push(`presign/provider/${v}`);
  if (new Set(ids).size !== ids.length) throw new Error("a case id is repeated (a SPECIFIC value named as a VALUES one?)");
  return ids;
}

/** The input of case `id` (for a wait: its task or its options; the other one is the base). */
export function buildInput(id) {
  const [target, how, ...rest] = id.split("/");
  const t = TARGETS[target];
  if (how === "whole") {
    const name = rest[0];
    if (WHOLE[name]) return WHOLE[name](t);
    return VALUES[name]();
  }
  if (how === "set") {
    const [key, v] = rest;
    return put(t.base(), key, value(key, v)());
  }
  if (how === "unknown") {
    const [u, v] = rest;
    return put(t.base(), UNKNOWN[u], value("", v)());
  }
  if (how === "pair" || how === "provider") {
    const o = t.base();
    if (rest[0] === "base") return o;
    for (const kv of rest.join("/").split("+")) {
      const [key, v] = kv.split("=");
      put(o, key, value(key, v)());
    }
    return o;
  }
  throw new Error(`unknown case ${id}`);
}

/**
 * A text with presigned links made stable: unless a link starts at T0 (a fixed `timestamp`),
 * its start becomes "now", its end "now+<seconds>" and its signature "<sig>".
 */
function stableLink(text) {
  if (new RegExp(`q-sign-time(=|%3D)${T0}(;|%3B)`).test(text)) return text;
  return text.replace(/(q-(?:sign|key)-time(?:=|%3D))(\d+)(;|%3B)(\d+)/g, (_, p, a, s, b) => `${p}now${s}now+${Number(b) - Number(a)}`)
    .replace(/(q-signature(?:=|%3D))[0-9a-f]{40}/g, "$1<sig>");
}

/** What an error is, as far as a caller can see it. */
function describeError(e, pkg) {
  if (e instanceof pkg.TencentCloudError) {
    const j = e.toJSON();
    return {
      error: "TencentCloudError", code: j.code, message: j.message, field: j.field, requestId: j.requestId, httpCode: j.httpCode,
      mayHaveExecuted: j.mayHaveExecuted, traceId: typeof j.traceId, attempts: j.attempts, retried: j.totalRetryDelayMs > 0,
    };
  }
  return { error: e?.constructor?.name ?? typeof e, message: String(e?.message ?? e) };
}

/** A fake COS: files exist, last modified at MODIFIED; the 2nd request on is refused (ends a pending wait at once). */
function fakeCos(seen) {
  return async (url, init) => {
    seen.push(`${init.method} ${stableLink(url).replace(/^https:\/\/[^/]+/, "")}${init.headers?.Range ? ` Range:${init.headers.Range}` : ""}`);
    const lastModified = new Date(MODIFIED * 1000).toUTCString();
    if (seen.length > 1) {
      const body = "<Error><Code>AccessDenied</Code><Message>refused by the fake</Message><RequestId>cos-req</RequestId></Error>";
      return { status: 403, headers: new Headers({ "x-cos-request-id": "cos-req" }), text: async () => body, body: null };
    }
    if (init.method === "GET" && !init.headers?.Range) {
      const key = decodeURIComponent(new URL(url).searchParams.get("prefix") ?? "");
      const body = `<ListBucketResult><Contents><Key>${key}</Key><LastModified>${new Date(MODIFIED * 1000).toISOString()}</LastModified><ETag>"e"</ETag><Size>10</Size></Contents></ListBucketResult>`;
      return { status: 200, headers: new Headers({ "x-cos-request-id": "cos-req" }), text: async () => body, body: null };
    }
    const h = { "content-length": "10", etag: '"e"', "last-modified": lastModified, "x-cos-request-id": "cos-req" };
    if (init.headers?.Range) Object.assign(h, { "content-length": "1", "content-range": "bytes 0-0/10" });
    return { status: init.headers?.Range ? 206 : 200, headers: new Headers(h), text: async () => "", body: null };
  };
}

/** A fake API: every action answers at once. */
function fakeApi(seen) {
  return async (url, init) => {
    const action = init.headers["X-TC-Action"];
    seen.push(`POST ${action}`);
    const body = action === "ExportImages"
      ? { Response: { TaskId: 7, CosPaths: [`${BUCKET}/${KEY}`], RequestId: "api-req" } }
      : { Response: { TotalCount: 0, RequestId: "api-req" } };
    return { status: 200, headers: new Headers({ "content-type": "application/json" }), text: async () => JSON.stringify(body) };
  };
}

const CREDENTIAL = { secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE" };

/** Settles `p` or says it did not within 5 s (no case should wait: the fakes answer at once). */
function bounded(p) {
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve({ late: true }), 5000)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Runs case `id` against the package `pkg` (its node entry's exports) with a fresh client, and
 * describes the outcome: `{ ok, value, sent }` or the error (`sent`: the requests made, the
 * links' times replaced by their span).
 */
export async function runCase(pkg, id) {
  const [target, how] = id.split("/");
  const input = buildInput(id);
  const seen = [];
  const outcome = async (f) => {
    try {
      const value = await bounded(f());
      return { ok: true, value: JSON.parse(stableLink(JSON.stringify(value ?? null))), sent: seen };
    } catch (e) {
      return { ...describeError(e, pkg), sent: seen };
    }
  };
  if (target === "presign") {
    const credential = how === "provider" ? async () => new Promise(() => {}) : CREDENTIAL;
    const client = new pkg.CvmClient({ credential, region: "ap-guangzhou" });
    return outcome(() => client.presignCosUrl(input));
  }
  if (target.startsWith("wait") || target.startsWith("check")) {
    const client = new pkg.CvmClient({ credential: CREDENTIAL, region: "ap-guangzhou", fetch: fakeCos(seen), rateLimit: false, retry: false });
    const once = target.startsWith("check");
    const t = TARGETS[once ? "checkTask" : "waitTask"];
    const o = TARGETS[once ? "checkOptions" : "waitOptions"];
    const [task, options] = target.endsWith("Task") ? [input, o.base()] : [t.base(), input];
    return outcome(() => (once ? client.checkExportFiles(task, options) : client.waitForExport(task, options)));
  }
  const options = { credential: CREDENTIAL, region: "ap-guangzhou", fetch: fakeApi(seen), rateLimit: false, retry: false };
  if (target === "genericOptions") {
    const client = new pkg.TencentCloudClient({ ...options, service: "cvm", version: "2017-03-12" });
    return outcome(() => client.request("DescribeRegions", {}, input));
  }
  const client = new pkg.CvmClient(options);
  if (target === "exportOptions") {
    return outcome(() => client.ExportImages({ BucketName: BUCKET, ImageIds: ["img-72n9mi0y"], ExportFormat: "QCOW2" }, input));
  }
  return outcome(() => client.request("DescribeRegions", {}, input));
}
