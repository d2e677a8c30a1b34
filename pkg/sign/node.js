// Sign-only Node >= 18 entry (`tc3-edge/sign`): `signRequest` from a module a third the size
// of the full one (no CvmClient: no fetch, retries or rate limit). Compiled synchronously from
// the file, so `import` alone is enough.
import { readFileSync } from "node:fs";
import { initSync, __errorClass } from "../gen/sign/tc3_edge.js";

initSync({ module: readFileSync(new URL("../gen/sign/tc3_edge_bg.wasm", import.meta.url)) });

export { signRequest } from "../gen/sign/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
