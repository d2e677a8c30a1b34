// Browser / bundler entry: fetches and instantiates the wasm at module load (top-level
// await), so `import` alone is enough. `new URL(..., import.meta.url)` is the form bundlers
// (Vite, esbuild, webpack) recognise as an asset reference.
import init, { __errorClass, __memory, CvmClient } from "./gen/tc3_edge.js";
import { installCallPath } from "./gen/driver.js";

await init({ module_or_path: new URL("./gen/tc3_edge_bg.wasm", import.meta.url) });

export { CvmClient, signRequest, SlidingWindow } from "./gen/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
// ExportImages / request: the call path's driver (js/driver.js) runs the state machine.
installCallPath(CvmClient, __memory(), TencentCloudError);
