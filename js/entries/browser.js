// Source of pkg/browser.js, which scripts/entries.mjs generates by bundling this file with its glue
// (paths below are relative to pkg/, where the generated entry sits).
// Browser / bundler entry: fetches and instantiates the wasm at module load (top-level
// await), so `import` alone is enough. `new URL(..., import.meta.url)` is the form bundlers
// (Vite, esbuild, webpack) recognise as an asset reference.
import init, { __errorClass, __memory, CvmClient, installCallPath, installWaitPath, genericClient } from "./gen/tc3_edge.js";

await init({ module_or_path: new URL("./gen/tc3_edge_bg.wasm", import.meta.url) });

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
