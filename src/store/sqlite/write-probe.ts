// Readiness probe "can the daemon write to its database right now?", on the daemon's own connection.
//
// What it does: BEGIN IMMEDIATE (takes the write lock), rewrites PRAGMA user_version with the value it
// already has (a real page write, so a connection SQLite silently opened read-only — wrong owner of the
// file or its directory, a read-only mount — fails with SQLITE_READONLY), then ROLLBACK. Nothing
// reaches the disk: the one dirty page stays in the page cache and is discarded.
//
// Why it is bounded: better-sqlite3 is synchronous, so the probe runs on the event loop. The only wait
// is for the write lock while another connection (the CLI, a backup) holds it; for the probe the busy
// timeout is lowered to PROBE_BUSY_TIMEOUT_MS and restored right after (no other statement can run in
// between on this single-threaded connection). So one probe blocks calls for at most about that long,
// and only while someone else is writing — a writer that blocks the daemon's own writes anyway.
// What it does not prove: that the disk has free space (only a commit would show that, and an fsync'd
// commit per probe could block the event loop for an unbounded time on a sick disk).
import type { Db } from './db';

export const PROBE_BUSY_TIMEOUT_MS = 100;

export interface WriteProbeResult {
  ok: boolean;
  /** Why not, e.g. "SQLITE_BUSY: database is locked". */
  detail?: string;
}

export type WriteProbe = () => Promise<WriteProbeResult>;

export function createWriteProbe(db: Db, busyTimeoutMs: number = PROBE_BUSY_TIMEOUT_MS): WriteProbe {
  return () => Promise.resolve(probeWrite(db, busyTimeoutMs));
}

function probeWrite(db: Db, busyTimeoutMs: number): WriteProbeResult {
  if (!db.open) return { ok: false, detail: 'database is closed' };
  let previous: number | undefined;
  try {
    previous = db.pragma('busy_timeout', { simple: true }) as number;
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.exec('BEGIN IMMEDIATE');
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      db.pragma(`user_version = ${version}`);
    } finally {
      db.exec('ROLLBACK');
    }
    return { ok: true };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, detail: typeof code === 'string' ? `${code}: ${message}` : message };
  } finally {
    if (previous !== undefined && db.open) db.pragma(`busy_timeout = ${previous}`);
  }
}
