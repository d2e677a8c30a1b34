// Types of the sign-only entries (`tc3-edge/sign`): `signRequest` and its input/output types,
// generated from the Rust sources (gen/sign/tc3_edge.d.ts), and the error class.
// `presignCosUrl` (COS links) is not here but on `CvmClient` of the full entry (`tc3-edge`):
// COS's SHA-1 signer would take each sign-only entry from 22.1 to 35.8 KiB gzip (measured as bench/size.mjs counts),
// past this entry's 24 KiB budget.
export { signRequest } from "../gen/sign/tc3_edge.js";
export type { SignRequestInput, SignedRequestOutput } from "../gen/sign/tc3_edge.js";

/**
 * Every failure of `signRequest` (`Client.InvalidOption`, `Client.InvalidCredential`,
 * `InvalidParameter`). Never contains the SecretKey or session token. The sign-only module
 * has its own class: check errors with the `TencentCloudError` of the entry that threw them.
 */
export { TencentCloudError } from "../index.js";
