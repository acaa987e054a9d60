// PostgreSQL's failures in the Store port's vocabulary (src/app/store-errors.ts). The driver reports
// two kinds: server errors with an SQLSTATE `code` (constraint, lock, shutdown) and socket/timeout
// errors from node or pg itself (no SQLSTATE). Messages name the database by its URL WITHOUT userinfo,
// so a password given in the URL never reaches a log line or an error.
import { StoreError } from '../../app/store-errors';

export { StoreError, type StoreErrorCode } from '../../app/store-errors';

/** postgres://user:secret@host/db?sslmode=require → postgres://host/db?sslmode=require */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    // Not parseable: show nothing of it rather than risk echoing a password.
    return '(unparseable database URL)';
  }
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/** Messages pg gives for a dead or unreachable server without an error code. */
const SOCKET_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|Client was closed|not queryable|Cannot use a pool after calling end/i;

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The server cannot be reached or went away: worth retrying later (STORE_UNAVAILABLE). */
export function isUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined)
    return state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03' || state === '53300';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  return err instanceof Error && SOCKET_MESSAGES.test(err.message);
}

/** Another transaction won a conflict; the same transaction run again will usually succeed. */
export function isRetryableConflict(err: unknown): boolean {
  const state = sqlState(err);
  return state === '40001' || state === '40P01';
}

const detailOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Any failure of one verb (`what`) as a StoreError; unrecognised errors are returned unchanged. */
export function translate(err: unknown, what: string, url: string): unknown {
  if (err instanceof StoreError) return err;
  const where = redactUrl(url);
  const detail = detailOf(err);
  const state = sqlState(err);
  if (isUnavailable(err)) {
    return new StoreError('STORE_UNAVAILABLE', `${what}: database ${where} is unreachable: ${detail}`, { cause: err });
  }
  if (state?.startsWith('23')) return new StoreError('STORE_CONSTRAINT', `${what} rejected by the database: ${detail}`, { cause: err });
  // Lock not available, deadlock, serialization failure after retries, or statement_timeout (which in
  // practice is a lock wait behind another transaction or an overloaded server).
  if (state === '55P03' || state === '40001' || state === '40P01' || state === '57014') {
    return new StoreError('STORE_LOCKED', `${what}: database ${where} did not answer in time (${detail})`, { cause: err });
  }
  if (state?.startsWith('28') || state === '3D000') {
    return new StoreError('STORE_OPEN_FAILED', `cannot open database ${where}: ${detail}`, { cause: err });
  }
  return err;
}

/** A failure while connecting or migrating at start-up: always a StoreError. */
export function openError(err: unknown, url: string): StoreError {
  const t = translate(err, 'opening the database', url);
  if (t instanceof StoreError) return t;
  return new StoreError('STORE_OPEN_FAILED', `cannot open database ${redactUrl(url)}: ${detailOf(err)}`, { cause: err });
}
