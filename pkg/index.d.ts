/// <reference lib="esnext.disposable" />
// Types of every entry (node, browser, workerd). The API's types are generated from the Rust
// sources by wasm-bindgen + tsify (gen/tc3_edge.d.ts); only the JS-native error class is
// declared here.
export { CvmClient, signRequest, SlidingWindow } from "./gen/tc3_edge.js";
export type {
  CvmClientOptions,
  CallOptions,
  RetryOptions,
  RateLimitOptions,
  ProvidedCredential,
  ClientProfile,
  HttpProfile,
  CredentialInput,
  ExportImagesRequest,
  ExportImagesResponse,
  ExportFormat,
  SignRequestInput,
  SignedRequestOutput,
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
  toJSON(): {
    name: string; code: string; message: string; requestId?: string; field?: string; httpCode?: number; mayHaveExecuted: boolean;
  };
}
