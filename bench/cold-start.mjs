// Cold start: fresh Node processes, round-robin over the kinds (see cold-start-child.mjs),
// median of `processes` runs per kind.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./throughput.mjs";

const CHILD = fileURLToPath(new URL("./cold-start-child.mjs", import.meta.url));

export const KINDS = [
  { kind: "node-baseline", label: "empty Node process (bootstrap only)" },
  { kind: "tc3-sign", label: "tc3-edge: `import` pkg/node.js → first `signRequest`", checked: true },
  { kind: "tc3-sign-lean", label: "tc3-edge/sign: `import` pkg/sign/node.js (sign-only module) → first `signRequest`", checked: true },
  { kind: "sdk-sign3", label: "official: `require` common/sign.js → first `Sign.sign3`", checked: true },
  { kind: "tc3-client", label: "tc3-edge: `import` → `new CvmClient` → first `ExportImages` (stub fetch)", checked: true },
  { kind: "sdk-client", label: "official: `require` tencentcloud-sdk-nodejs-cvm → `new Client` → first `ExportImages` (stub)", checked: true },
  { kind: "node-first-response", label: "Node's global `Response` (undici), first use — a transport cost, for reference" },
];

function runChild(kind, cwd, pkgDir) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, kind, pkgDir], { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`cold-start child ${kind} failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").pop()));
      } catch (e) {
        reject(new Error(`cold-start child ${kind}: unreadable output ${stdout}`));
      }
    });
  });
}

export async function coldStart({ processes, expected, cwd, pkgDir, onProgress }) {
  const runs = new Map(KINDS.map((k) => [k.kind, []]));
  for (let i = 0; i < processes; i++) {
    const order = KINDS.map((_, j) => KINDS[(i + j) % KINDS.length]);
    for (const { kind, checked } of order) {
      const r = await runChild(kind, cwd, pkgDir);
      if (checked && r.authorization !== expected) {
        throw new Error(`cold-start child ${kind} signed a different Authorization: ${r.authorization}`);
      }
      runs.get(kind).push(r);
    }
    onProgress?.(i + 1);
  }
  return KINDS.map(({ kind, label }) => {
    const rs = runs.get(kind);
    return {
      kind,
      label,
      n: rs.length,
      startMs: median(rs.map((r) => r.startMs)),
      importMs: median(rs.map((r) => r.importMs)),
      firstMs: median(rs.map((r) => r.firstMs)),
      totalMs: median(rs.map((r) => r.totalMs)),
      firstMsMin: Math.min(...rs.map((r) => r.firstMs)),
      firstMsMax: Math.max(...rs.map((r) => r.firstMs)),
    };
  });
}
