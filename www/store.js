// The "this browser" exports list in localStorage. Only what is needed to find an export again
// is kept — TaskId, BucketName, CosPaths, startedAt, state — never a key, token or link.
const KEY = 'tc3-edge-demo:exports';
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

/** Saves the browser-mode entries (whitelisted fields only). */
export function saveEntries(entries) {
  const kept = entries.slice(0, MAX).map(({ TaskId, BucketName, CosPaths, startedAt, state }) => ({ TaskId, BucketName, CosPaths, startedAt, state }));
  try { localStorage.setItem(KEY, JSON.stringify(kept)); } catch { /* storage full or refused: the list lives for this page only */ }
}
