// Everything the emulator remembers between requests; /__admin/reset empties it.
export const FIRST_TASK_ID = 105591590; // the TaskId of the API documentation's example
const RECENT_MAX = 100;

export function createState(config) {
  const state = {
    config, // { maxRunningExportTasks, exportTaskMs, rateLimit: { max, windowMs } }
    tasks: [],
    nextTaskId: FIRST_TASK_ID,
    requests: { total: 0, byAction: {}, byCode: {}, byFault: {} },
    recent: [], // the last RECENT_MAX API requests, newest last: what a client actually sent
    admitted: new Map(), // SecretId → times (ms) of ExportImages requests admitted in the window
    faults: {},

    reset() {
      Object.assign(state, { tasks: [], nextTaskId: FIRST_TASK_ID, requests: { total: 0, byAction: {}, byCode: {}, byFault: {} }, recent: [], faults: {} });
      state.admitted.clear();
    },

    /** Sliding-window limiter: true if one more ExportImages by this SecretId fits in the window. */
    admit(secretId, now) {
      const { max, windowMs } = state.config.rateLimit;
      const times = (state.admitted.get(secretId) ?? []).filter((t) => t > now - windowMs);
      const ok = times.length < max;
      if (ok) times.push(now); // refused requests do not count, so waiting one window always helps
      state.admitted.set(secretId, times);
      return ok;
    },

    /** A task is in progress for config.exportTaskMs after its creation, then SUCCESS. */
    taskStatus: (task, now) => (now - task.CreatedAt < state.config.exportTaskMs ? 'RUNNING' : 'SUCCESS'),
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

    ledger(now) {
      return {
        tasks: state.tasks.map((t) => ({ ...t, CreatedTime: new Date(t.CreatedAt).toISOString(), Status: state.taskStatus(t, now) })),
        taskCount: state.tasks.length,
        requests: state.requests,
        recent: state.recent,
        faults: state.faults,
      };
    },
  };
  return state;
}
