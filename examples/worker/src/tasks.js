// ExportTasks: one Durable Object per CALLER (idFromName(identity)), holding that caller's
// export tasks in its SQLite storage and watching their files in COS with an alarm.
//
// Why one object per owner: ownership holds by construction. The Worker only ever asks the
// caller's own object, so another caller's TaskId is simply unknown there — the same 404 as a
// TaskId that never existed, with no owner check to forget. (The owner is stored too, and
// compared on read, as a second lock.)
//
// Why the object watches, not the console: a console polling GET /exports/{TaskId} reads the
// stored state (no COS request per poll, however many tabs poll), and the export's progress
// survives a reload, an isolate restart and a redeploy (storage is durable).
//
// The watch: ONE alarm per object, set to the earliest next look among its unfinished tasks.
// A task is looked at once at once, then after 1 s, 2 s, 4 s … at most 2 min, until every file is
// ready (state "ready"), COS gives a definite error ("failed", with COS's code), or
// TASK_TIMEOUT_HOURS (default 24) have passed ("timed-out"). Transient COS trouble (5xx,
// network, timeout) just means another look later.
import { DurableObject } from "cloudflare:workers";
import { TencentCloudError } from "tc3-edge";
import { getClient } from "./client.js";

export const LIST_MAX = 100;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 120_000;
const DEFAULT_TIMEOUT_HOURS = 24;
// A file counts as this export's only if COS wrote it no earlier than the task's creation minus
// this slack (clock skew between the Worker and COS): an older object under the same key is an
// earlier export's file, and offering it as this one's would hand out the wrong image.
export const FRESHNESS_SLACK_MS = 60_000;
// One alarm run looks at this many due tasks at most (each look is one HEAD per file); the rest
// are still due and the alarm comes straight back for them.
const TASKS_PER_ALARM = 10;
const CHECK_TIMEOUT_SECS = 20;

export class ExportTasks extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS tasks (
      task_id INTEGER PRIMARY KEY,
      owner TEXT NOT NULL,
      bucket TEXT NOT NULL,
      cos_paths TEXT NOT NULL,      -- JSON array, ExportImages' CosPaths
      created_at TEXT NOT NULL,     -- ISO 8601, the Worker's clock
      created_ms INTEGER NOT NULL,
      state TEXT NOT NULL,          -- exporting | ready | failed | timed-out
      code TEXT,                    -- COS's error code when failed
      files TEXT NOT NULL,          -- JSON array [{ key, state, size?, etag?, lastModified? }]
      looks INTEGER NOT NULL DEFAULT 0,
      next_look_ms INTEGER          -- when the alarm looks again (exporting only)
    )`);
  }

  /** Records a new task (first look at once). Idempotent per TaskId. */
  async record({ TaskId, BucketName, CosPaths, owner, createdAt }) {
    const createdMs = Date.parse(createdAt);
    const files = CosPaths.map((key) => ({ key, state: "pending" }));
    this.sql.exec(
      `INSERT OR IGNORE INTO tasks (task_id, owner, bucket, cos_paths, created_at, created_ms, state, files, next_look_ms)
       VALUES (?, ?, ?, ?, ?, ?, 'exporting', ?, ?)`,
      TaskId, owner, BucketName, JSON.stringify(CosPaths), createdAt, createdMs, JSON.stringify(files), Date.now());
    await this.schedule();
    return true;
  }

  /** The owner's tasks, newest first, at most LIST_MAX. */
  list(owner) {
    return this.sql.exec(`SELECT * FROM tasks WHERE owner = ? ORDER BY created_ms DESC, task_id DESC LIMIT ?`, owner, LIST_MAX)
      .toArray().map(view);
  }

  /** One task of the owner, or null (unknown, or someone else's: the same answer). */
  get(owner, taskId) {
    const row = this.sql.exec(`SELECT * FROM tasks WHERE task_id = ? AND owner = ?`, taskId, owner).toArray()[0];
    return row ? view(row) : null;
  }

  async alarm() {
    const now = Date.now();
    const due = this.sql.exec(
      `SELECT * FROM tasks WHERE state = 'exporting' AND next_look_ms <= ? ORDER BY next_look_ms LIMIT ?`, now, TASKS_PER_ALARM).toArray();
    await Promise.all(due.map((row) => this.look(row, now)));
    await this.schedule();
  }

  /** Looks at one task's files in COS and stores what it learned. */
  async look(row, now) {
    const timeoutMs = timeoutHours(this.env) * 3_600_000;
    if (now - row.created_ms >= timeoutMs) {
      this.sql.exec(`UPDATE tasks SET state = 'timed-out', next_look_ms = NULL WHERE task_id = ?`, row.task_id);
      return;
    }
    const cvm = getClient(this.env);
    const looks = row.looks + 1;
    const later = now + Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (looks - 1));
    if (!cvm) {
      console.error("tc3-edge worker: cannot watch exports: TC_SECRET_ID, TC_SECRET_KEY and TC_REGION must be set");
      this.sql.exec(`UPDATE tasks SET looks = ?, next_look_ms = ? WHERE task_id = ?`, looks, later, row.task_id);
      return;
    }
    try {
      const seen = await cvm.checkExportFiles({ BucketName: row.bucket, CosPaths: JSON.parse(row.cos_paths) },
        { timeout: CHECK_TIMEOUT_SECS, urlExpires: 60 });
      const files = seen.files.map((f) => fresh(f, row.created_ms)
        ? { key: f.key, state: "ready", size: f.size, etag: f.etag, lastModified: f.lastModified }
        : { key: f.key, state: "pending" });
      const done = files.every((f) => f.state === "ready");
      this.sql.exec(`UPDATE tasks SET files = ?, looks = ?, state = ?, next_look_ms = ? WHERE task_id = ?`,
        JSON.stringify(files), looks, done ? "ready" : "exporting", done ? null : later, row.task_id);
    } catch (err) {
      if (!(err instanceof TencentCloudError)) throw err;
      if (definite(err)) {
        console.error(`tc3-edge worker: export ${row.task_id} failed: ${err.code} requestId=${err.requestId ?? "-"}`);
        this.sql.exec(`UPDATE tasks SET state = 'failed', code = ?, looks = ?, next_look_ms = NULL WHERE task_id = ?`, err.code, looks, row.task_id);
      } else {
        console.warn(`tc3-edge worker: export ${row.task_id}: COS check failed (${err.code}); looking again later`);
        this.sql.exec(`UPDATE tasks SET looks = ?, next_look_ms = ? WHERE task_id = ?`, looks, later, row.task_id);
      }
    }
  }

  /** One alarm, at the earliest next look (none when nothing is being watched). */
  async schedule() {
    const next = this.sql.exec(`SELECT MIN(next_look_ms) AS at FROM tasks WHERE state = 'exporting'`).one().at;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }
}

/** A file is this export's only if COS wrote it at or after createdAt − FRESHNESS_SLACK_MS. */
export function fresh(file, createdMs) {
  if (file.state !== "ready") return false;
  const at = Date.parse(file.lastModified ?? "");
  return Number.isFinite(at) && at >= createdMs - FRESHNESS_SLACK_MS;
}

/**
 * A COS error that looking again will not fix: a 4xx (no such bucket, access denied, a
 * signature or key the Worker cannot fix by waiting), or input the client refused. Timeouts,
 * 5xx and network failures are transient.
 */
function definite(err) {
  if (err.code === "Client.InvalidOption" || err.code.startsWith("InvalidParameter") || err.code === "MissingParameter") return true;
  const status = err.httpCode;
  return Number.isInteger(status) && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function timeoutHours(env) {
  const n = Number(env.TASK_TIMEOUT_HOURS ?? "");
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_TIMEOUT_HOURS;
}

/** A stored row as the routes answer it (links are added by the Worker when answering). */
function view(row) {
  const files = JSON.parse(row.files);
  const out = {
    TaskId: row.task_id,
    BucketName: row.bucket,
    CosPaths: JSON.parse(row.cos_paths),
    createdAt: row.created_at,
    state: row.state,
    ready: files.filter((f) => f.state === "ready").length,
    total: files.length,
    files,
  };
  if (row.code) out.code = row.code;
  return out;
}
