// SQLite's failures in the Store port's vocabulary (src/app/store-errors.ts); messages name the
// database path where one is involved.
import Database from 'better-sqlite3';
import { StoreError } from '../../app/store-errors';

export { StoreError, type StoreErrorCode } from '../../app/store-errors';

/** SQLite's primary result code, e.g. 'SQLITE_CONSTRAINT' for 'SQLITE_CONSTRAINT_CHECK'. */
function primaryCode(err: unknown): string | undefined {
  if (!(err instanceof Database.SqliteError)) return undefined;
  const m = /^SQLITE_[A-Z]+/.exec(err.code);
  return m ? m[0] : err.code;
}

/**
 * Maps a failure while opening/preparing the database to a StoreError. Anything not recognisably
 * corruption or locking is reported as an open failure, keeping the original error as `cause`.
 */
export function openError(path: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  switch (primaryCode(err)) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new StoreError('STORE_CORRUPT', `database ${path} is corrupt or not an SQLite database: ${detail}`, { cause: err });
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StoreError('STORE_LOCKED', `database ${path} is locked by another process: ${detail}`, { cause: err });
    default:
      return new StoreError('STORE_OPEN_FAILED', `cannot open database ${path}: ${detail}`, { cause: err });
  }
}

/** Another connection holds the lock (SQLITE_BUSY / SQLITE_LOCKED): worth retrying later. */
export function isLockError(err: unknown): boolean {
  const code = primaryCode(err);
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Re-throws constraint violations as STORE_CONSTRAINT with context; everything else unchanged. */
export function rethrowConstraint(err: unknown, what: string): never {
  if (primaryCode(err) === 'SQLITE_CONSTRAINT') {
    const detail = err instanceof Error ? err.message : String(err);
    throw new StoreError('STORE_CONSTRAINT', `${what} rejected by the database: ${detail}`, { cause: err });
  }
  throw err;
}
