// Opening the SQLite file: connection pragmas and schema migrations. Every way this can fail ends as a
// StoreError naming the path, because it is the first thing an operator sees when the daemon won't start.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, openError } from './errors';
import { migrations as allMigrations, type Migration } from './migrations';

export type Db = Database.Database;

/** A database we create is the owner's alone (the daemon's user; run the CLI as that user too). */
export const DB_MODE = 0o600;

/** Default for short-lived processes (the CLI): wait up to 5 s for another process's write lock. */
const BUSY_TIMEOUT_MS = 5000;

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

export function openDatabase(
  path: string,
  migrations: readonly Migration[] = allMigrations,
  opts: { busyTimeoutMs?: number; integrityCheck?: boolean } = {},
): Db {
  let db: Db | undefined;
  try {
    const created = !isMemory(path) && !existsSync(path);
    if (!isMemory(path)) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
      refuseEmptyFile(path);
    }
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    // Caller phone numbers are in here: owner only (the -wal/-shm files SQLite adds take this mode).
    if (created) chmodSync(path, DB_MODE);
    configure(db, path, BUSY_TIMEOUT_MS);
    if (opts.integrityCheck) checkIntegrity(db, path);
    migrate(db, path, migrations);
    // Opening may wait for a CLI's lock like any short process; afterwards the daemon's statements
    // must not block its event loop that long (it retries asynchronously instead).
    if (opts.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${opts.busyTimeoutMs}`);
    return db;
  } catch (err) {
    db?.close();
    throw openError(path, err);
  }
}

/** SQLite treats a 0-byte file as a new empty database; for a file that had our data (a truncated copy,
 *  a full disk) that would silently start over with no callbacks. A new database is a missing file. */
function refuseEmptyFile(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return; // does not exist yet: created below
  }
  if (size === 0) {
    throw new StoreError(
      'STORE_CORRUPT',
      `database ${path} is an empty (0-byte) file; restore it from a backup, or delete it to start a new database`,
    );
  }
}

/** Damaged pages would otherwise surface mid-call as failed writes. quick_check reads every page once. */
function checkIntegrity(db: Db, path: string): void {
  let problems: string[];
  try {
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  } catch (err) {
    // Damage in the schema pages stops the check itself ("database disk image is malformed").
    if (openError(path, err).code !== 'STORE_CORRUPT') throw err;
    problems = [(err as Error).message];
  }
  if (problems.length > 0) {
    throw new StoreError('STORE_CORRUPT', `database ${path} is damaged (${problems.slice(0, 3).join('; ')}); restore it from a backup`);
  }
}

function configure(db: Db, path: string, busyTimeoutMs: number): void {
  // Set first so that the journal-mode switch below already waits for other processes.
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // This is also the first statement that reads the file header, so a non-database fails here
  // (SQLITE_NOTADB -> STORE_CORRUPT).
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal' && !isMemory(path)) {
    // e.g. a filesystem without shared-memory support; silently running in another mode would change
    // the durability and concurrency guarantees the daemon relies on.
    throw new StoreError('STORE_OPEN_FAILED', `database ${path} could not be switched to WAL mode (got '${String(mode)}')`);
  }
  // FULL: in WAL mode NORMAL may lose the last commits on power loss. A caller is told "we will call you
  // back" only after the commit, so that commit must be on disk.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

function migrate(db: Db, path: string, migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError(
        'STORE_MIGRATION_FAILED',
        `migration list is not contiguous: index ${i} has version ${m.version} (database ${path})`,
      );
    }
  });
  const latest = migrations.length;
  const userVersion = (): number => db.pragma('user_version', { simple: true }) as number;

  const current = userVersion();
  if (current > latest) throw tooNew(path, current, latest);
  for (const m of migrations) {
    if (m.version <= current) continue;
    try {
      // IMMEDIATE takes the write lock up front; re-reading user_version inside it makes two daemons
      // (or daemon + CLI) starting at the same time apply each migration exactly once.
      db.transaction(() => {
        const now = userVersion();
        if (now > latest) throw tooNew(path, now, latest);
        if (now >= m.version) return;
        db.exec(m.up);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const e = openError(path, err);
      // Locking and corruption are more useful to the operator than "migration failed".
      if (e.code !== 'STORE_OPEN_FAILED') throw e;
      const detail = err instanceof Error ? err.message : String(err);
      throw new StoreError('STORE_MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed on database ${path}: ${detail}`, {
        cause: err,
      });
    }
  }
}

function tooNew(path: string, found: number, known: number): StoreError {
  return new StoreError(
    'STORE_TOO_NEW',
    `database ${path} has schema version ${found}, but this callbackd only knows up to ${known}; upgrade callbackd or use another database`,
  );
}
