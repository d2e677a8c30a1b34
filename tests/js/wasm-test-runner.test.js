// The Chromium wasm-bindgen-test stage hung on about half of its runs: the runner's HTTP server
// (tiny_http 0.12.0 inside wasm-bindgen-test-runner 0.2.130) strands a connection when more
// connections arrive at once than it has idle threads (a thread woken for an earlier one, but not
// yet running, still counts as idle), and Chromium opens four at once for wasm_boundary's five
// snippet modules. scripts/setup.sh builds the runner with that fixed
// (scripts/patches/tiny_http-0.12.0-task-pool.patch). This checks the runner cargo runs (the one
// on PATH, as .cargo/config.toml names it) against a burst of connections, as Chromium's page
// load makes, without a browser: on the unpatched runner most bursts leave some unanswered.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BURST = 16;
// A stranded connection is never answered; a served one is answered in milliseconds.
const ANSWER_WITHIN_MS = 5_000;

/** The wasm_cos test module (built by the wasm stages before this one; else built here). */
function testModule() {
  const r = spawnSync(
    "cargo",
    ["test", "--target", "wasm32-unknown-unknown", "--test", "wasm_cos", "--no-run", "--message-format=json"],
    { cwd: ROOT, encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 },
  );
  assert.equal(r.status, 0, r.stderr);
  const artifact = r.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .find((m) => m.reason === "compiler-artifact" && m.target?.name === "wasm_cos" && m.executable);
  assert.ok(artifact, "cargo named no wasm_cos test module");
  return artifact.executable;
}

/** Starts the runner's server (interactive mode: it serves the test page and waits). */
function startRunner(wasm) {
  const child = spawn("wasm-bindgen-test-runner", [wasm], {
    cwd: ROOT,
    env: { ...process.env, NO_HEADLESS: "1", WASM_BINDGEN_USE_BROWSER: "1", WASM_BINDGEN_TEST_ADDRESS: "127.0.0.1:0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const port = new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the runner's server did not start within 60 s:\n${out}`)), 60_000);
    const read = (chunk) => {
      out += chunk;
      const m = /available at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the runner exited (${code}) before serving:\n${out}`));
    });
  });
  return { port, stop: () => (child.kill(), exited) };
}

/** Opens `n` connections at once, one GET each; resolves with how many got an answer in time. */
async function burst(port, n) {
  // The race needs the woken server threads to be slow to run, as on a loaded machine (Chromium
  // itself loads both cores while it opens those connections): two spinning workers make that
  // likely here too.
  const spinners = [0, 1].map(() => new Worker("const end = Date.now() + 1500; while (Date.now() < end);", { eval: true }));
  await Promise.all(spinners.map((w) => new Promise((resolve) => w.once("online", resolve))));
  const sockets = [];
  try {
    const answered = await Promise.all(
      Array.from({ length: n }, () =>
        new Promise((resolve) => {
          const s = net.connect(port, "127.0.0.1", () => s.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
          sockets.push(s);
          const timer = setTimeout(() => resolve(false), ANSWER_WITHIN_MS);
          let head = "";
          s.on("data", (d) => {
            head += d;
            if (head.startsWith("HTTP/1.1 200")) {
              clearTimeout(timer);
              resolve(true);
            }
          });
          s.on("error", () => {
            clearTimeout(timer);
            resolve(false);
          });
        }),
      ),
    );
    return answered.filter(Boolean).length;
  } finally {
    for (const s of sockets) s.destroy();
    await Promise.all(spinners.map((w) => w.terminate()));
  }
}

test("the wasm-bindgen-test runner's server answers every connection of a burst (the Chromium stage's hang)", { timeout: 660_000 }, async () => {
  const wasm = testModule();
  // A fresh server each time: it starts with the 4 threads the race is about.
  for (let round = 1; round <= 3; round++) {
    const runner = startRunner(wasm);
    try {
      const port = await runner.port;
      assert.equal(await burst(port, BURST), BURST, `round ${round}: connections left unanswered by the runner's server`);
    } finally {
      await runner.stop();
    }
  }
});
