// Source of pkg/sign/browser.js, which scripts/entries.mjs generates by bundling this file with its
// glue (paths below are relative to pkg/sign/, where the generated entry sits).
// Sign-only browser / bundler entry (`tc3-edge/sign`): fetches and instantiates the sign-only
// wasm at module load (top-level await). `new URL(..., import.meta.url)` is the form bundlers
// recognise as an asset reference.
import init, { __errorClass } from "../gen/sign/tc3_edge.js";

await init({ module_or_path: new URL("../gen/sign/tc3_edge_bg.wasm", import.meta.url) });

export { signRequest } from "../gen/sign/tc3_edge.js";
/** @type {typeof import("./index.d.ts").TencentCloudError} */
export const TencentCloudError = __errorClass();
