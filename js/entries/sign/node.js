// Source of pkg/sign/node.js, which scripts/entries.mjs generates by bundling this file with its
// glue (paths below are relative to pkg/sign/, where the generated entry sits).
// Sign-only Node >= 20.16 entry (`tc3-edge/sign`): `signRequest` from a module a third the size
// of the full one (no CvmClient: no fetch, retries or rate limit). Compiled synchronously from
// the file, so `import` alone is enough.
import { initSync, __errorClass } from "../gen/sign/tc3_edge.js";

// process.getBuiltinModule (Node >= 20.16), not `import ... from "node:fs"`: building the ESM
// facade of node:fs measured ~2 ms of a ~16 ms cold start.
if (typeof process.getBuiltinModule !== "function") {
  throw new Error("tc3-edge needs Node.js >= 20.16 (process.getBuiltinModule)");
}
const { readFileSync } = process.getBuiltinModule("node:fs");
initSync({ module: readFileSync(new URL("../gen/sign/tc3_edge_bg.wasm", import.meta.url)) });

export { signRequest } from "../gen/sign/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
