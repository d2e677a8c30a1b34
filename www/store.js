// The "this browser" exports list in localStorage. Only what is needed to find an export again
// is kept — TaskId, BucketName, CosPaths, startedAt, state — never a key, token or link.
export const KEY = 'tc3-edge-demo:exports';
const MAX = 50;
export const STATES = ['exporting', 'ready', 'failed', 'timed-out', 'cancelled'];

/** The stored entries, newest first; anything malformed is dropped. */
export function loadEntries() {
  let raw;
  try { raw = JSON.parse(localStorage.getItem(KEY) ?? '[]'); } catch { return []; }
  if (!Array.isArray(raw)) return [];
  return raw.filter((e) => e && Number.isFinite(e.TaskId) && typeof e.BucketName === 'string' &&
    Array.isArray(e.CosPaths) && e.CosPaths.every((p) => typeof p === 'string') &&
    Number.isFinite(e.startedAt) && STATES.includes(e.state))
    .sort((a, b) => b.startedAt - a.startedAt);
}

/**
 * Saves the browser-mode entries (whitelisted fields only). Another tab of the page may have
 * stored exports since this one read the list: they are kept (the last writer would otherwise
 * erase them), and an export another tab saw finish stays "ready".
 */
export function saveEntries(entries) {
  const stored = new Map(loadEntries().map((e) => [e.TaskId, e]));
  const mine = entries.map((e) => (e.state === 'exporting' && stored.get(e.TaskId)?.state === 'ready' ? stored.get(e.TaskId) : e));
  const known = new Set(entries.map((e) => e.TaskId));
  const all = [...mine, ...[...stored.values()].filter((e) => !known.has(e.TaskId))].sort((a, b) => b.startedAt - a.startedAt);
  const kept = all.slice(0, MAX).map(({ TaskId, BucketName, CosPaths, startedAt, state }) => ({ TaskId, BucketName, CosPaths, startedAt, state }));
  try { localStorage.setItem(KEY, JSON.stringify(kept)); } catch { /* storage full or refused: the list lives for this page only */ }
}
