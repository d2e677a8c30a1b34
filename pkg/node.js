// Node >= 20.16 entry: compiles the wasm synchronously from the file next to this one, so
// `import` alone is enough — no init() call.
import { initSync, __errorClass, __memory, CvmClient } from "./gen/tc3_edge.js";
import { installCallPath } from "./gen/driver.js";

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
// ExportImages / request: the call path's driver (js/driver.js) runs the state machine.
installCallPath(CvmClient, __memory(), TencentCloudError);
