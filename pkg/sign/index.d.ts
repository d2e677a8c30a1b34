// Types of the sign-only entries (`tc3-edge/sign`): `signRequest` and its input/output types,
// generated from the Rust sources (gen/sign/tc3_edge.d.ts), and the error class.
export { signRequest } from "../gen/sign/tc3_edge.js";
export type { SignRequestInput, SignedRequestOutput } from "../gen/sign/tc3_edge.js";

/**
 * Every failure of `signRequest` (`Client.InvalidOption`, `Client.InvalidCredential`,
 * `InvalidParameter`). Never contains the SecretKey or session token. The sign-only module
 * has its own class: check errors with the `TencentCloudError` of the entry that threw them.
 */
export { TencentCloudError } from "../index.js";
