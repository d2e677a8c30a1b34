// Source of pkg/sign/workerd.js, which scripts/entries.mjs generates by bundling this file with its
// glue (paths below are relative to pkg/sign/, where the generated entry sits).
// Sign-only Cloudflare Workers (workerd) entry (`tc3-edge/sign`): the .wasm is imported as a
// module (workerd refuses to compile wasm bytes at run time) and instantiated synchronously.
import wasmModule from "../gen/sign/tc3_edge_bg.wasm";
import { initSync, __errorClass } from "../gen/sign/tc3_edge.js";

initSync({ module: wasmModule });

export { signRequest } from "../gen/sign/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
