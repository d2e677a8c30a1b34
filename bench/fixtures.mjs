// The one request every candidate signs or sends, and the canned answer the stubbed transports
// return. Shared by run.mjs and the cold-start child processes.
//
// The credentials are the documentation's placeholder keys: nothing here is a real secret.

export const TIMESTAMP = 1700000000; // 2023-11-14T22:13:20Z

export const CREDENTIAL = Object.freeze({
  secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
  secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
});

export const REGION = "ap-guangzhou";
export const HOST = "cvm.tencentcloudapi.com";
export const URL_ = `https://${HOST}/`;
export const SERVICE = "cvm";
export const ACTION = "ExportImages";
export const VERSION = "2017-03-12";

/** The ExportImages parameters (fresh object each call, so no candidate sees another's mutation). */
export function params() {
  return {
    BucketName: "backup-1250000000",
    ImageIds: ["img-72n9mi0y", "img-pq5pau1w"],
    ExportFormat: "QCOW2",
    FileNamePrefixList: ["nightly", "nightly"],
    DryRun: false,
  };
}

/** The body every candidate signs: JSON.stringify of the parameters, in API field order. */
export const BODY = JSON.stringify(params());

/** `signRequest` input (string body). */
export function signInput(timestamp = TIMESTAMP) {
  return {
    secretId: CREDENTIAL.secretId,
    secretKey: CREDENTIAL.secretKey,
    region: REGION,
    action: ACTION,
    version: VERSION,
    service: SERVICE,
    host: HOST,
    payload: BODY,
    timestamp,
    contentType: "application/json",
  };
}

/** `Sign.sign3` input (the official SDK hashes JSONbig.stringify(payload) for an object). */
export function sign3Input(timestamp = TIMESTAMP, payload = params()) {
  return {
    method: "POST",
    url: URL_,
    payload,
    timestamp,
    service: SERVICE,
    secretId: CREDENTIAL.secretId,
    secretKey: CREDENTIAL.secretKey,
    headers: { "Content-Type": "application/json" },
  };
}

/** What the stubbed transports answer: a successful ExportImages response envelope. */
export const CANNED_RESPONSE = JSON.stringify({
  Response: {
    TaskId: 1234567,
    CosPaths: [
      "backup-1250000000/nightly-img-72n9mi0y.qcow2",
      "backup-1250000000/nightly-img-pq5pau1w.qcow2",
    ],
    RequestId: "6ef60bec-0242-43af-bb20-270359fb54a7",
  },
});

export const CANNED_HEADERS = Object.freeze({
  "content-type": "application/json",
  "x-tc-traceid": "2c5ba3e4-40b6-4d0b-a2d4-ec5d4f6a2b90",
});
