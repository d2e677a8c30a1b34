// The Exports panel: every export is an entry (TaskId, bucket, files, progress, started at,
// state), newest first, several watched at once. From this browser the list lives in
// localStorage (store.js) and every unfinished entry resumes its wait after a reload; through
// the edge Worker the list is the Worker's (GET /exports). Cancel stops watching (the export runs
// on) and offers Resume; a finished entry keeps its download buttons, whose links are minted
// when clicked (browser: presigned here; Worker: fresh from GET /exports/{TaskId}).
import { codeNode, el, errCode, errMessage, formatBytes, formatElapsed, h, plural } from './dom.js';
import { logActivity } from './activity.js';
import { waitWords } from './messages.js';
import { KEY, loadEntries, saveEntries } from './store.js';
import { waitInBrowser, waitThroughWorker } from './waits.js';
import { workerList, workerTask } from './worker.js';

const STATE_WORDS = { exporting: 'Exporting', ready: 'Ready', failed: 'Failed', 'timed-out': 'Timed out', cancelled: 'Not watched' };
const DUPLICATE_WINDOW_MS = 3600_000;
const els = { panel: el('exports'), list: el('exports-list'), source: el('exports-source'), status: el('exports-status') };

let entries = []; // newest first; { TaskId, BucketName, CosPaths, startedAt, state, source, progress, controller, error, finishedAt }
let currentMode = 'browser';
let getClient = () => null;

export function initExports(clientFn) {
  getClient = clientFn;
  setInterval(tickElapsed, 1000);
  // Another tab of this page stored an export: shown here too, and watched if unfinished (as
  // after a reload), so no tab shows a list without it.
  window.addEventListener('storage', (ev) => {
    if (ev.key !== KEY || currentMode !== 'browser') return;
    const known = new Set(entries.map((e) => e.TaskId));
    const added = loadEntries().filter((e) => !known.has(e.TaskId)).map((e) => ({ ...e, source: 'browser' }));
    if (!added.length) return;
    entries = [...entries, ...added].sort((a, b) => b.startedAt - a.startedAt);
    render();
    for (const e of added) if (e.state === 'exporting') watch(e);
  });
}

const persist = () => saveEntries(entries.filter((e) => e.source === 'browser'));
const pendingProgress = (paths) => ({ ready: 0, total: paths.length, files: paths.map((key) => ({ key, state: 'pending' })) });

function tickElapsed() {
  for (const e of entries) {
    if (e.state !== 'exporting') continue;
    const node = els.list.querySelector(`[data-task-id="${e.TaskId}"] [data-testid="entry-elapsed"]`);
    if (node) node.textContent = formatElapsed(Date.now() - e.startedAt);
  }
}

function statusLine(e) {
  const n = e.CosPaths.length;
  switch (e.state) {
    case 'exporting': return `Writing ${plural(n, 'file')} to ${e.BucketName}…`;
    case 'ready': return n === 1 ? `The file is in ${e.BucketName}.` : `All ${n} files are in ${e.BucketName}.`;
    case 'cancelled': return 'Not watching this export any more; it runs on. Resume to look again.';
    default: return e.error ? waitWords(e.error) : 'The export did not finish.';
  }
}

function fileRow(e, f) {
  const ready = f.state === 'ready';
  const button = ready ? h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'file-download', 'data-key': f.key, text: 'Download' }) : null;
  button?.addEventListener('click', () => download(e, f.key));
  return h('li', { class: 'file-row', 'data-testid': 'file-row', 'data-key': f.key, 'data-state': ready ? 'ready' : 'pending' },
    h('span', {},
      h('span', { class: 'file-key', text: f.key }),
      ready && f.size != null ? h('span', { class: 'file-size', 'data-testid': 'file-size', text: ` · ${formatBytes(f.size)}` }) : null),
    h('span', { class: 'file-state', 'data-testid': 'file-state', text: ready ? 'ready' : 'pending' }),
    button);
}

function entryNode(e) {
  const p = e.progress ?? pendingProgress(e.CosPaths);
  const action = e.state === 'exporting'
    ? h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'entry-cancel', text: 'Cancel' })
    : e.state !== 'ready' ? h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'entry-resume', text: 'Resume' }) : null;
  action?.addEventListener('click', () => (e.state === 'exporting' ? cancel(e) : resume(e)));
  const started = new Date(e.startedAt);
  return h('li', { class: 'export-entry', 'data-testid': 'export-entry', 'data-task-id': e.TaskId, 'data-state': e.state, 'data-ready': p.ready, 'data-total': p.total },
    h('div', { class: 'entry-head' },
      h('span', { class: 'entry-title' }, 'Task ', h('span', { class: 'mono', 'data-testid': 'entry-task-id', text: String(e.TaskId) })),
      h('span', { class: 'entry-state', 'data-testid': 'entry-state', text: STATE_WORDS[e.state] }),
      action),
    h('p', { class: 'entry-meta muted', text: `${e.BucketName} · started ${started.toLocaleTimeString([], { hour12: false })}${started.toDateString() === new Date().toDateString() ? '' : ` ${started.toLocaleDateString()}`}` }),
    h('p', { class: 'entry-status', 'data-testid': 'entry-status' }, statusLine(e),
      e.error && e.state !== 'cancelled' ? [' ', codeNode(errCode(e.error), { 'data-testid': 'entry-error-code' })] : null),
    h('div', { class: 'files-progress' },
      h('progress', { 'data-testid': 'entry-progress', max: p.total || 1, value: p.ready, 'aria-label': `Task ${e.TaskId} progress` }),
      h('span', { class: 'files-meta' },
        h('span', { 'data-testid': 'entry-count', text: `${p.ready} of ${plural(p.total, 'file')} ready` }),
        // How long it has run (or took, when the end is known: a finished entry from storage has none).
        e.state === 'exporting' || e.finishedAt ? [' · ', h('span', { 'data-testid': 'entry-elapsed', text: formatElapsed((e.finishedAt ?? Date.now()) - e.startedAt) })] : null)),
    h('ul', { class: 'files-list' }, p.files.map((f) => fileRow(e, f))));
}

function render() {
  const shown = entries.filter((e) => e.source === currentMode);
  els.list.replaceChildren(...(shown.length ? shown.map(entryNode) : [h('li', { class: 'muted empty', text: 'No exports yet.' })]));
  els.panel.dataset.count = String(shown.length);
}

function update(e) {
  const old = els.list.querySelector(`[data-task-id="${e.TaskId}"]`);
  if (old) old.replaceWith(entryNode(e)); else render();
}

async function download(e, key) {
  let url;
  try {
    if (e.source === 'worker') {
      url = (await workerTask(e.TaskId)).files?.find((f) => f.key === key)?.url;
    } else {
      const signed = await getClient()?.presignCosUrl({ BucketName: e.BucketName, key });
      url = signed?.url;
    }
  } catch (err) {
    logActivity('error', 'Download', errCode(err), err?.requestId);
    return;
  }
  if (!url) return;
  const a = document.createElement('a'); // detached: the link (and any token in it) never enters the document
  a.href = url;
  a.download = key.split('/').pop() || 'export';
  a.rel = 'noopener';
  a.click();
}

function finish(e, state, error) {
  e.state = state;
  e.error = error ?? null;
  // Ready: when the last file was written (known also for an export that finished while unwatched).
  const written = (e.progress?.files ?? []).map((f) => Date.parse(f.lastModified ?? '')).filter(Number.isFinite);
  e.finishedAt = state === 'ready' && written.length ? Math.max(e.startedAt, ...written) : Date.now();
  e.controller = null;
  if (e.source === 'browser') persist();
  update(e);
}

/** Starts (or restarts) watching an entry. */
function watch(e) {
  e.controller?.abort();
  const controller = new AbortController();
  e.controller = controller;
  e.state = 'exporting';
  e.error = null;
  e.finishedAt = undefined;
  const mine = () => e.controller === controller;
  const onProgress = (p) => { if (mine()) { e.progress = p; update(e); } };
  update(e);
  const client = e.source === 'browser' ? getClient() : null;
  if (e.source === 'browser' && !client) {
    finish(e, 'failed', { code: 'Client.InvalidOption', message: 'fix the connection settings, then Resume' });
    return;
  }
  const done = e.source === 'worker'
    ? waitThroughWorker(e, { signal: controller.signal, onProgress })
    : waitInBrowser(client, e, { signal: controller.signal, onProgress });
  done.then((res) => {
    if (!mine()) return;
    if (e.source === 'worker') {
      e.progress = { ready: res.ready ?? 0, total: res.total ?? e.CosPaths.length, files: res.files ?? [] };
      finish(e, res.state, res.state === 'ready' ? null : { code: res.code ?? res.error?.code ?? `Worker.${res.state}`, message: res.state });
    } else {
      e.progress = { ready: res.length, total: res.length, files: res.map((f) => ({ ...f, state: 'ready' })) };
      finish(e, 'ready');
    }
    logActivity(e.state === 'ready' ? 'ok' : 'error', e.source === 'worker' ? 'GET /exports/{TaskId}' : 'waitForExport', e.state === 'ready' ? `${plural(e.CosPaths.length, 'file')} ready` : errCode(e.error));
  }, (err) => {
    if (!mine()) return;
    const code = errCode(err);
    if (code === 'Client.Aborted') finish(e, 'cancelled');
    else finish(e, code === 'Client.WaitTimeout' ? 'timed-out' : 'failed', { code, message: errMessage(err), requestId: err?.requestId });
    logActivity(code === 'Client.Aborted' ? 'ok' : 'error', e.source === 'worker' ? 'GET /exports/{TaskId}' : 'waitForExport', code, err?.requestId);
  });
}

function cancel(e) {
  e.controller?.abort(); // the wait settles as cancelled (Client.Aborted)
}

function resume(e) {
  e.progress = e.progress ?? pendingProgress(e.CosPaths);
  if (e.source === 'browser') { e.state = 'exporting'; persist(); }
  watch(e);
}

/** A new export: its entry goes on top, is watched at once and scrolled into view. */
export function addExport({ TaskId, BucketName, CosPaths, startedAt, imageIds, prefixes }, source) {
  const e = { TaskId, BucketName, CosPaths, startedAt, state: 'exporting', source, imageIds, prefixes, progress: pendingProgress(CosPaths) };
  entries = [e, ...entries.filter((x) => !(x.TaskId === TaskId && x.source === source))];
  if (source === 'browser') persist();
  render();
  watch(e);
  // Instant: a smooth scroll is cut short when a progress update replaces the entry's node.
  els.list.querySelector(`[data-task-id="${TaskId}"]`)?.scrollIntoView({ block: 'center' });
}

/**
 * An entry for the same images (with the same prefixes) and bucket that is running or finished
 * within the hour: ExportImages is not idempotent, so a second one is asked about first.
 */
export function findDuplicate(params, source) {
  const ids = [...params.ImageIds].sort().join(',');
  return entries.find((e) => {
    if (e.source !== source || e.BucketName !== params.BucketName) return false;
    if (e.state !== 'exporting' && !(e.state === 'ready' && Date.now() - (e.finishedAt ?? e.startedAt) < DUPLICATE_WINDOW_MS)) return false;
    const theirs = [...new Set(e.CosPaths.flatMap((p) => p.match(/img-[a-z0-9]{8}/g) ?? []))].sort().join(',');
    if (theirs !== ids) return false;
    // Same prefixes: each image's files start with `/<prefix>_` (or with the image ID when none).
    return params.ImageIds.every((id, i) => {
      const prefix = params.FileNamePrefixList?.[i];
      return e.CosPaths.some((p) => p.includes(id) && p.startsWith(prefix ? `/${prefix}_` : `/${id}`));
    });
  });
}

/** Shows the list of `mode` ("browser" or "worker") and watches its unfinished entries. */
export async function showExports(mode) {
  currentMode = mode;
  for (const e of entries) if (e.source !== mode && e.controller) { e.controller.abort(); e.controller = null; }
  entries = entries.filter((e) => e.source === mode);
  els.source.textContent = mode === 'worker' ? 'kept by the edge Worker' : 'kept in this browser';
  els.status.hidden = true;
  if (mode === 'browser') {
    entries = loadEntries().map((e) => ({ ...e, source: 'browser' }));
  } else {
    try {
      const res = await workerList();
      if (currentMode !== 'worker') return;
      entries = (res?.exports ?? []).map((x) => ({
        TaskId: x.TaskId, BucketName: x.BucketName, CosPaths: x.CosPaths, startedAt: Date.parse(x.createdAt), state: x.state, source: 'worker',
        progress: { ready: x.ready ?? 0, total: x.total ?? x.CosPaths.length, files: x.CosPaths.map((key) => ({ key, state: 'pending' })) },
      }));
      logActivity('ok', 'GET /exports', plural(entries.length, 'export'));
    } catch (err) {
      els.status.replaceChildren('Could not list the Worker\'s exports: ', errMessage(err), ' ', codeNode(errCode(err)));
      els.status.hidden = false;
      logActivity('error', 'GET /exports', errCode(err), err?.requestId);
    }
  }
  render();
  for (const e of entries) {
    // Unfinished ones resume; a Worker's finished ones get their files (and links) once.
    if (e.state === 'exporting' || (mode === 'worker' && e.state === 'ready')) watch(e);
  }
}
