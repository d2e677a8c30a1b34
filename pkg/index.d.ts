/// <reference lib="esnext.disposable" />
// Types of every entry (node, browser, workerd). The API's types are generated from the Rust
// sources by wasm-bindgen + tsify (gen/tc3_edge.d.ts); only the JS-native error class is
// declared here.
export { CvmClient, signRequest, SlidingWindow } from "./gen/tc3_edge.js";
export type {
  CvmClientOptions,
  TencentCloudClientOptions,
  TencentCloudEvent,
  TencentCloudEventBase,
  CallOptions,
  RetryOptions,
  RateLimitOptions,
  SharedRateLimiter,
  ProvidedCredential,
  ClientProfile,
  HttpProfile,
  CredentialInput,
  ExportImagesRequest,
  ExportImagesResponse,
  ExportFormat,
  SignRequestInput,
  SignedRequestOutput,
  PresignCosUrlRequest,
  PresignedCosUrl,
  ExportTask,
  WaitForExportOptions,
  CheckExportFilesOptions,
  ExportProgress,
  ExportFileState,
  ExportFile,
  ExportFilesState,
} from "./gen/tc3_edge.js";

/**
 * Every failure of tc3-edge: validation (before anything is sent), API errors
 * (`Response.Error`), and client-side failures (`Client.*` codes). Never contains the
 * SecretKey or session token.
 */
export declare class TencentCloudError extends Error {
  readonly name: "TencentCloudError";
  /** The API's error code (e.g. `InvalidImageId.Malformed`), or `Client.<Kind>`. */
  readonly code: string;
  /** The server's RequestId, for API errors. */
  readonly requestId?: string;
  /** The request field at fault, for validation errors (`ImageIds.0`, `BucketName`, …). */
  readonly field?: string;
  /** The HTTP status the error came with, when there was a response. */
  readonly httpCode?: number;
  /**
   * True when the server may have executed the request although the call failed (timeout,
   * reset connection, 5xx, unreadable answer, abort in flight). ExportImages is not idempotent:
   * check the task list before exporting again.
   */
  readonly mayHaveExecuted: boolean;
  /** The call's `X-TC-TraceId` (a UUID sent with every attempt); undefined for an error that is not a call's (options). */
  readonly traceId?: string;
  /** Attempts sent before the call failed (0: nothing was sent). */
  readonly attempts: number;
  /** Backoff waited before retries, in milliseconds. */
  readonly totalRetryDelayMs: number;
  toJSON(): {
    name: string; code: string; message: string; requestId?: string; field?: string; httpCode?: number; mayHaveExecuted: boolean;
    traceId?: string; attempts: number; totalRetryDelayMs: number;
  };
}

/**
 * A client of any Tencent Cloud API 3.0 service (STS, CBS, CAM, TAG…): the same options,
 * retries, clock-skew correction, rate limiter, credential provider, events and errors as
 * `CvmClient` (which is this client for `cvm`/`2017-03-12` plus the typed ExportImages and COS
 * methods).
 *
 * ```js
 * const sts = new TencentCloudClient({ service: "sts", version: "2018-08-13", region: "ap-guangzhou", credential });
 * const { Credentials, ExpiredTime } = await sts.request("GetFederationToken", { Name: "console", Policy });
 * ```
 */
export declare class TencentCloudClient {
  /** Checks the options (throws `TencentCloudError` `Client.InvalidOption`/`Client.InvalidCredential`). The endpoint defaults to `<service>.tencentcloudapi.com`. */
  constructor(options: import("./gen/tc3_edge.js").TencentCloudClientOptions);
  /**
   * Calls `action` with `payload` as its parameters; resolves to the parsed `Response` object
   * (which includes `RequestId`). Only read actions (`Describe*`, `Get*`, `List*`, `Inquiry*`)
   * are resent after a failure whose outcome is unknown; any action after one that says it
   * was not executed (throttling, a refused connection, a clock-skew re-sign).
   */
  request(action: string, payload?: Record<string, unknown>, options?: import("./gen/tc3_edge.js").CallOptions): Promise<Record<string, any>>;
  /** Seconds added to the local clock when signing (learned from the server's `Date`). */
  readonly clockOffset: number;
  /** Frees the wasm side now (otherwise when garbage-collected). */
  free(): void;
}
