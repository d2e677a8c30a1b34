// Cloudflare Workers (workerd) entry: workerd refuses to compile wasm bytes at run time, so
// the .wasm is imported as a module (compiled at deploy/load) and instantiated synchronously.
import wasmModule from "./gen/tc3_edge_bg.wasm";
import { initSync, __errorClass, __memory, CvmClient } from "./gen/tc3_edge.js";
import { installCallPath } from "./gen/driver.js";

initSync({ module: wasmModule });

export { CvmClient, signRequest, SlidingWindow } from "./gen/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
// ExportImages / request: the call path's driver (js/driver.js) runs the state machine.
installCallPath(CvmClient, __memory(), TencentCloudError);
