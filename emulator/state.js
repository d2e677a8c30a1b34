// Everything the emulator remembers between requests; /__admin/reset empties it.
import { fileReadyAt } from './cos.js';

export const FIRST_TASK_ID = 105591590; // the TaskId of the API documentation's example
const RECENT_MAX = 100;

export function createState(config) {
  const initial = structuredClone(config);
  const state = {
    config, // { maxRunningExportTasks, exportTaskMs, rateLimit: { max, windowMs } }
    tasks: [],
    nextTaskId: FIRST_TASK_ID,
    requests: { total: 0, byAction: {}, byCode: {}, byFault: {} },
    recent: [], // the last RECENT_MAX API requests, newest last: what a client actually sent
    admitted: new Map(), // SecretId → times (ms) of ExportImages requests admitted in the window
    faults: {},
    cos: { total: 0, byCode: {} }, // COS requests (emulator/cos.js), counted like `requests`
    recentCos: [], // the last RECENT_MAX COS requests, newest last

    reset() {
      // Also undoes POST /__admin/config: the configuration the emulator was started with.
      Object.assign(state, { config: structuredClone(initial), tasks: [], nextTaskId: FIRST_TASK_ID, requests: { total: 0, byAction: {}, byCode: {}, byFault: {} }, recent: [], faults: {}, cos: { total: 0, byCode: {} }, recentCos: [] });
      state.admitted.clear();
    },

    /**
     * Sliding-window limiter on ARRIVAL times: true if one more ExportImages by this SecretId,
     * arrived at `at`, keeps every window of `windowMs` at `max` or fewer. Requests are handled
     * in a slightly different order than they arrived (bodies are read concurrently), so the
     * check covers every window that contains `at`, not only the one ending there.
     */
    admit(secretId, at) {
      const { max, windowMs } = state.config.rateLimit;
      const times = (state.admitted.get(secretId) ?? []).filter((t) => t > at - 2 * windowMs);
      const starts = [at, ...times.filter((t) => t > at - windowMs && t <= at)];
      const ok = starts.every((s) => times.filter((t) => t >= s && t < s + windowMs).length < max);
      if (ok) times.push(at); // refused requests do not count, so waiting one window always helps
      state.admitted.set(secretId, times);
      return ok;
    },

    /**
     * A task is in progress for its ExportMs (config.exportTaskMs when it was created) after its
     * creation, then SUCCESS; its files appear in COS one by one meanwhile (emulator/cos.js).
     */
    taskStatus: (task, now) => (now - task.CreatedAt < (task.ExportMs ?? state.config.exportTaskMs) ? 'RUNNING' : 'SUCCESS'),
    runningTasks: (now) => state.tasks.filter((t) => state.taskStatus(t, now) === 'RUNNING').length,

    record(entry) {
      const r = state.requests;
      r.total++;
      if (entry.action) r.byAction[entry.action] = (r.byAction[entry.action] ?? 0) + 1;
      if (entry.code) r.byCode[entry.code] = (r.byCode[entry.code] ?? 0) + 1; // null: a fault answered first
      if (entry.fault) r.byFault[entry.fault] = (r.byFault[entry.fault] ?? 0) + 1;
      state.recent.push(entry);
      if (state.recent.length > RECENT_MAX) state.recent.shift();
    },

    recordCos(entry) {
      state.cos.total++;
      state.cos.byCode[entry.code] = (state.cos.byCode[entry.code] ?? 0) + 1;
      state.recentCos.push(entry);
      if (state.recentCos.length > RECENT_MAX) state.recentCos.shift();
    },

    ledger(now) {
      return {
        tasks: state.tasks.map((t) => ({
          ...t, CreatedTime: new Date(t.CreatedAt).toISOString(), Status: state.taskStatus(t, now),
          // When each file appears in COS (emulator/cos.js).
          Files: t.CosPaths.map((path, i) => ({ CosPath: path, ReadyAt: new Date(fileReadyAt(t, i)).toISOString(), Ready: fileReadyAt(t, i) <= now })),
        })),
        taskCount: state.tasks.length,
        requests: state.requests,
        recent: state.recent,
        cos: { ...state.cos, recent: state.recentCos },
        faults: state.faults,
      };
    },
  };
  return state;
}
