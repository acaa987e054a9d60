// The Store port's error vocabulary. Every adapter (SQLite, PostgreSQL) translates its driver's failures
// into these codes, so callers (CLI, daemon start-up, call flows, web) branch on `code`, never on a
// driver's error class or message text. Codes are stable API; messages are for humans.
import { CallbackdError } from '../errors';

export type StoreErrorCode =
  | 'STORE_OPEN_FAILED' // the database could not be opened or reached (permissions, missing volume, server down)
  | 'STORE_CORRUPT' // the file is not an SQLite database or is damaged
  | 'STORE_LOCKED' // another process held the database longer than we may wait
  | 'STORE_UNAVAILABLE' // the database server is unreachable right now (worth retrying later)
  | 'STORE_MIGRATION_FAILED' // a schema migration failed and was rolled back
  | 'STORE_TOO_NEW' // the database was written by a newer callbackd; refusing rather than guessing
  | 'STORE_CONSTRAINT' // a write violated a schema constraint (CHECK, FOREIGN KEY, UNIQUE, NOT NULL)
  | 'ENTRY_NOT_WAITING'; // a callback was requested for an entry that is not a waiting live caller

export class StoreError extends CallbackdError<StoreErrorCode> {}
