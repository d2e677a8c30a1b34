// Source of pkg/workerd.js, which scripts/entries.mjs generates by bundling this file with its glue
// (paths below are relative to pkg/, where the generated entry sits).
// Cloudflare Workers (workerd) entry: workerd refuses to compile wasm bytes at run time, so
// the .wasm is imported as a module (compiled at deploy/load) and instantiated synchronously.
import wasmModule from "./gen/tc3_edge_bg.wasm";
import { initSync, __errorClass, __memory, CvmClient, installCallPath, installWaitPath, genericClient } from "./gen/tc3_edge.js";

initSync({ module: wasmModule });

export { CvmClient, signRequest, SlidingWindow } from "./gen/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
// ExportImages / request: the call path's driver (js/driver.js, bundled into the glue) runs the
// state machine.
installCallPath(CvmClient, __memory(), TencentCloudError);
// waitForExport / checkExportFiles: the export waiter's driver (js/wait.js).
installWaitPath(CvmClient, __memory(), TencentCloudError);
// Any service (STS, CBS, CAM…): `request` only, over the same machine and driver.
/** @type {typeof import("./index.d.ts").TencentCloudClient} */
export const TencentCloudClient = /** @type {any} */ (genericClient(CvmClient));
