// Source of pkg/node.js, which scripts/entries.mjs generates by bundling this file with its glue
// (paths below are relative to pkg/, where the generated entry sits).
// Node >= 20.16 entry: compiles the wasm synchronously from the file next to this one, so
// `import` alone is enough — no init() call.
import { initSync, __errorClass, __memory, CvmClient, installCallPath, installWaitPath, genericClient } from "./gen/tc3_edge.js";

// process.getBuiltinModule (Node >= 20.16), not `import ... from "node:fs"`: building the ESM
// facade of node:fs measured ~2 ms of a ~16 ms cold start.
if (typeof process.getBuiltinModule !== "function") {
  throw new Error("tc3-edge needs Node.js >= 20.16 (process.getBuiltinModule)");
}
const { readFileSync } = process.getBuiltinModule("node:fs");
initSync({ module: readFileSync(new URL("./gen/tc3_edge_bg.wasm", import.meta.url)) });

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
