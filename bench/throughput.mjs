// Round-robin throughput: every round runs one timed batch of every candidate (the order
// rotating from round to round), so a burst of load from other processes hits all candidates
// alike; each candidate's result is the median of its per-round ops/s, and ratios are also
// computed per round (same round = same machine conditions).

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

let sink = 0; // results feed this so no call can be optimized away
export const getSink = () => sink;

function consume(r) {
  sink = (sink + (typeof r === "string" ? r.length : r?.authorization?.length ?? r?.TaskId ?? 1)) | 0;
}

/**
 * Runs `n` operations of candidate `c`; returns elapsed wall-clock ms. If `cpu` is given, the
 * process CPU time of the batch (µs, all threads: GC helpers and the libuv pool included) is
 * stored in `cpu.us` — unlike wall time, it does not count time this process spent descheduled
 * while other processes ran.
 */
export async function runBatch(c, n, cpu) {
  if (!cpu) return runBatchWall(c, n);
  const u0 = process.cpuUsage();
  const ms = await runBatchWall(c, n);
  const u = process.cpuUsage(u0);
  cpu.us = u.user + u.system;
  return ms;
}

async function runBatchWall(c, n) {
  if (c.kind === "sync") {
    const f = c.fn;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) consume(f());
    return performance.now() - t0;
  }
  if (c.inFlight) {
    let started = 0;
    const f = c.fn;
    const lane = async () => {
      while (started < n) {
        started++;
        consume(await f());
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: Math.min(c.inFlight, n) }, lane));
    return performance.now() - t0;
  }
  const f = c.fn;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) consume(await f());
  return performance.now() - t0;
}

/** Warms a candidate up for ~`warmMs` and returns the batch size that takes ~`batchMs`. */
export async function calibrate(c, { warmMs, batchMs }) {
  let n = 16;
  let spent = 0;
  let rate = 0;
  while (spent < warmMs) {
    const ms = await runBatch(c, n);
    spent += ms;
    rate = n / Math.max(ms, 0.001);
    if (ms < warmMs / 4) n *= 2;
  }
  return Math.max(16, Math.round(rate * batchMs));
}

/**
 * Runs the rounds. Returns { results: Map id → { batch, opsPerSec: number[] }, rounds }.
 * `onRound(r)` is called after each round (progress).
 */
export async function roundRobin(candidates, { rounds, warmMs, batchMs, onRound }) {
  const results = new Map();
  for (const c of candidates) {
    results.set(c.id, { batch: await calibrate(c, { warmMs, batchMs }), opsPerSec: [], cpuUsPerOp: [] });
  }
  for (let r = 0; r < rounds; r++) {
    const order = candidates.map((_, i) => candidates[(i + r) % candidates.length]);
    for (const c of order) {
      const res = results.get(c.id);
      const cpu = {};
      const ms = await runBatch(c, res.batch, cpu);
      res.opsPerSec.push((res.batch / ms) * 1000);
      res.cpuUsPerOp.push(cpu.us / res.batch);
    }
    onRound?.(r);
  }
  return { results, rounds };
}

/**
 * Ratio of medians a/b (a faster → > 1), plus the per-round ratios' median, min and max, and
 * the same ratio on CPU time per operation.
 */
export function ratio(results, a, b) {
  const ra = results.get(a).opsPerSec;
  const rb = results.get(b).opsPerSec;
  const perRound = ra.map((x, i) => x / rb[i]);
  return {
    ofMedians: median(ra) / median(rb),
    cpu: median(results.get(b).cpuUsPerOp) / median(results.get(a).cpuUsPerOp),
    perRoundMedian: median(perRound),
    perRoundMin: Math.min(...perRound),
    perRoundMax: Math.max(...perRound),
  };
}
