// Watching one export until its files are in the bucket.
// - From this browser: the library's waitForExport (signed COS polls), passing `notBefore` = the
//   export's start, so a file an earlier export left under the same key stays pending. A build
//   of the library without `notBefore` rejects the option; then the page applies the same rule
//   itself (a file older than the start − 60 s is not this export's) and looks again.
//   It also asks for `probe: "list"` (a signed GET Bucket per pending file: 200 whether or not the
//   file is there, so the browser console is not filled with the 404s of HEAD polls).
// - Through the edge Worker: GET /exports/{TaskId}, which answers from the state the Worker keeps
//   (it watches COS itself; polling it costs no COS request) with fresh download links.
import { workerTask } from './worker.js';

// The emulator writes an export's files within seconds: poll every second at first and at least
// every 5 s (the library's defaults, 5 s and 120 s, are for real exports that take hours).
const WAIT = { interval: 1, maxInterval: 5, timeout: 3600 };
const SKEW_MS = 60_000; // the leeway notBefore allows (COS's clock vs this one)
const WORKER_POLL_MS = [1000, 2000, 3000, 5000];

const features = new WeakMap(); // client → { notBefore, probeList }

/** Whether an option is known to this build: an aborted wait checks its options, sends nothing. */
async function accepts(client, options) {
  const signal = AbortSignal.abort();
  try {
    await client.waitForExport({ BucketName: 'probe-1250000000', CosPaths: ['/probe'] }, { ...options, signal });
    return true;
  } catch (err) {
    return err?.code !== 'Client.InvalidOption';
  }
}

/** { notBefore, probeList }: the library's optional wait features, detected once per client. */
export async function waitFeatures(client) {
  if (!features.has(client)) {
    features.set(client, { notBefore: await accepts(client, { notBefore: 0 }), probeList: await accepts(client, { probe: 'list' }) });
  }
  return features.get(client);
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); reject(Object.assign(new Error('stopped watching'), { code: 'Client.Aborted' })); }, { once: true });
});

/** A ready file older than the export's start is an earlier export's: still pending for this one. */
const isStale = (f, startedAt) => f.state !== 'pending' && f.lastModified && Date.parse(f.lastModified) < startedAt - SKEW_MS;
function freshOnly(progress, startedAt) {
  const files = progress.files.map((f) => (isStale(f, startedAt) ? { key: f.key, state: 'pending' } : f));
  return { ...progress, files, ready: files.filter((f) => f.state === 'ready').length };
}

/**
 * Waits in the browser. Resolves to the files (all ready); rejects with the library's error
 * (Client.Aborted when `signal` fires, Client.WaitTimeout, COS's error).
 */
export async function waitInBrowser(client, entry, { signal, onProgress }) {
  const task = { TaskId: entry.TaskId, BucketName: entry.BucketName, CosPaths: entry.CosPaths };
  const { notBefore, probeList } = await waitFeatures(client);
  const extra = { ...(notBefore ? { notBefore: new Date(entry.startedAt) } : {}), ...(probeList ? { probe: 'list' } : {}) };
  const deadline = Date.now() + WAIT.timeout * 1000;
  for (let round = 0; ; round++) {
    const timeout = Math.max(1, Math.round((deadline - Date.now()) / 1000));
    const files = await client.waitForExport(task, {
      ...WAIT, ...extra, timeout, signal,
      onProgress: (p) => onProgress(notBefore ? p : freshOnly(p, entry.startedAt)),
    });
    const withState = files.map((f) => ({ ...f, state: 'ready' }));
    if (notBefore || !withState.some((f) => isStale(f, entry.startedAt))) return files;
    // Without notBefore in the library: an earlier export's file was taken for this one's. Look again.
    onProgress(freshOnly({ ready: files.length, total: files.length, files: withState }, entry.startedAt));
    if (Date.now() >= deadline) throw Object.assign(new Error('the files did not appear in time'), { code: 'Client.WaitTimeout' });
    await sleep(Math.min(WAIT.maxInterval, WAIT.interval * 2 ** round) * 1000, signal);
  }
}

/**
 * Watches an export the Worker keeps. Calls onProgress with { ready, total, files } on each
 * answer; resolves to the Worker's final answer ({ state: ready | failed | timed-out, ... }).
 */
export async function waitThroughWorker(entry, { signal, onProgress }) {
  for (let round = 0; ; round++) {
    const task = await workerTask(entry.TaskId, signal);
    const files = Array.isArray(task?.files) ? task.files : [];
    onProgress({ ready: task?.ready ?? files.filter((f) => f.state === 'ready').length, total: task?.total ?? files.length, files });
    if (task?.state && task.state !== 'exporting') return task;
    await sleep(WORKER_POLL_MS[Math.min(round, WORKER_POLL_MS.length - 1)], signal);
  }
}
