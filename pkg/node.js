// Node >= 18 entry: compiles the wasm synchronously from the file next to this one, so
// `import` alone is enough — no init() call.
import { readFileSync } from "node:fs";
import { initSync, __errorClass } from "./gen/tc3_edge.js";

initSync({ module: readFileSync(new URL("./gen/tc3_edge_bg.wasm", import.meta.url)) });

export { CvmClient, signRequest } from "./gen/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
