// Cloudflare Workers (workerd) entry: workerd refuses to compile wasm bytes at run time, so
// the .wasm is imported as a module (compiled at deploy/load) and instantiated synchronously.
import wasmModule from "./gen/tc3_edge_bg.wasm";
import { initSync, __errorClass } from "./gen/tc3_edge.js";

initSync({ module: wasmModule });

export { CvmClient, signRequest, SlidingWindow } from "./gen/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
