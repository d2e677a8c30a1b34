// CPU time of the example Worker (examples/worker) per ExportImages request in workerd, measured
// as the workerd process's own CPU time (/proc/<pid>/stat utime+stime, Linux) over N requests —
// workerd freezes its clocks while JavaScript runs, so the Worker cannot time itself.
//
// The Worker is built from the packed package as wrangler would (tests/workers/support) and calls
// the local CVM emulator on loopback; each request is a valid ExportImages DryRun (the full path:
// validate, sign, fetch, parse; the emulator answers DryRunOperation, which the Worker returns as
// 200 { DryRun: true }). The same number of CORS preflights (OPTIONS, answered without tc3-edge)
// gives workerd's own per-request floor; the difference is the call.
//
//   node bench/worker-cpu.mjs [N=200]
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { CREDENTIALS } from "../emulator/account.js";
import { startEmulator } from "../emulator/server.js";
import { accessBindings, buildExampleWorker, EXAMPLE_DURABLE_OBJECTS, ORIGIN, startWorker, WORKER_URL } from "../tests/workers/support/worker.js";

const N = Number(process.argv[2] ?? 200);
const TICK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU seconds (user + system) of a process. */
function cpuSecs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

/** The workerd process Miniflare started (a child of this process). */
function workerdPid() {
  const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" });
  const line = out.split("\n").find((l) => /workerd/.test(l));
  if (!line) throw new Error(`no workerd child process:\n${out}`);
  return Number(line.trim().split(/\s+/)[0]);
}

const emu = await startEmulator({ port: 0 });
const worker = await buildExampleWorker();
const perm = CREDENTIALS.permanent;
const mf = await startWorker(worker.scriptPath, {
  TC_SECRET_ID: perm.secretId,
  TC_SECRET_KEY: perm.secretKey,
  TC_REGION: "ap-guangzhou",
  TC_ENDPOINT: emu.url,
  ALLOWED_ORIGINS: ORIGIN,
  CALLER_LIMIT_PER_MINUTE: String(100 * N),
  ...accessBindings(emu),
}, { options: { durableObjects: { EXPORT_TASKS: EXAMPLE_DURABLE_OBJECTS.EXPORT_TASKS } } });
// Every request carries an Access token (the Worker verifies it: part of the cost measured).
const token = await emu.access.sign();
try {
  const pid = workerdPid();
  let ip = 0;
  const exportOnce = async () => {
    const res = await mf.dispatchFetch(WORKER_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": `198.51.100.${ip++ % 250}`, "Cf-Access-Jwt-Assertion": token },
      body: JSON.stringify({ BucketName: "backup-1250000000", ImageIds: ["img-72n9mi0y"], DryRun: true }),
    });
    const body = await res.json();
    if (res.status !== 200 || body.DryRun !== true) throw new Error(`unexpected answer ${res.status} ${JSON.stringify(body)}`);
  };
  const preflight = async () => {
    const res = await mf.dispatchFetch(WORKER_URL, { method: "OPTIONS", headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST" } });
    await res.arrayBuffer();
  };
  // Warm up (first call: lazy compilation, key derivation).
  for (let i = 0; i < 20; i++) await exportOnce();
  for (let i = 0; i < 20; i++) await preflight();
  const rounds = { export: [], preflight: [] };
  for (let r = 0; r < 3; r++) {
    for (const [k, fn] of [["preflight", preflight], ["export", exportOnce]]) {
      const c0 = cpuSecs(pid);
      const t0 = performance.now();
      // One at a time: the client's rate limiter (20/s) paces the exports, which only adds idle time.
      for (let i = 0; i < N; i++) await fn();
      rounds[k].push({ cpuMs: ((cpuSecs(pid) - c0) * 1000) / N, wallMs: (performance.now() - t0) / N });
    }
  }
  const med = (xs) => xs.map((x) => x.cpuMs).sort((a, b) => a - b)[1];
  console.log(`| request (workerd process CPU, median of 3 rounds of ${N}) | CPU ms / request |\n| --- | --- |`);
  console.log(`| ExportImages DryRun through the example Worker (validate, sign, fetch to the emulator, parse) | ${med(rounds.export).toFixed(3)} |`);
  console.log(`| CORS preflight (the Worker answers without tc3-edge) | ${med(rounds.preflight).toFixed(3)} |`);
  console.log(`| difference: the ExportImages call (incl. workerd's outbound HTTP) | ${(med(rounds.export) - med(rounds.preflight)).toFixed(3)} |`);
  console.log(`(clock tick ${1000 / TICK} ms; rounds: ${JSON.stringify(rounds)})`);
} finally {
  await mf.dispose();
  await emu.close();
  await worker.cleanup();
}
