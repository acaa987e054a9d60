// How the adapter reaches PostgreSQL: pool settings from db.url (host, port, database, user and TLS via
// sslmode=… as pg understands them) plus the password from db.password, or PGPASSWORD (pg's own
// fallback) when neither the URL nor the config has one. Every client gets server- and client-side
// time limits, so a stuck server fails a request with a StoreError instead of holding it forever.
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

export interface PgConnectOptions {
  url: string;
  /** Used when the URL carries no password; '' = none (then PGPASSWORD, then no password). */
  password?: string;
  /** Longest a statement may run on the server (statement_timeout), and the client waits for it. */
  statementTimeoutMs?: number;
  /** Longest to wait for a connection (new socket, or a free client of the pool). */
  connectTimeoutMs?: number;
  poolSize?: number;
  applicationName?: string;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

// BIGINT (int8, our millisecond timestamps and ids) and NUMERIC (sum()) arrive as strings by default;
// every value we store fits a double exactly (ms since 1970 < 2^53), so they become numbers here,
// for this adapter's clients only (pg.types would change it for the whole process).
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const toNumber = (v: string): number => Number(v);
const defaultParser = (oid: number): unknown => pg.types.getTypeParser(oid, 'text') as unknown;
const TYPES = {
  getTypeParser: (oid: number) => (oid === INT8_OID || oid === NUMERIC_OID ? toNumber : defaultParser(oid)),
};

export function clientConfig(opts: PgConnectOptions): pg.ClientConfig {
  const fromUrl = parseIntoClientConfig(opts.url);
  const statementTimeout = opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const config: pg.ClientConfig = {
    ...fromUrl,
    types: TYPES,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: statementTimeout,
    // The client gives up a little after the server would have: covers a server that stopped answering.
    query_timeout: statementTimeout + 1000,
    // A transaction left open by a crashed node must not hold its row locks for long.
    idle_in_transaction_session_timeout: Math.max(10_000, statementTimeout * 2),
    application_name: opts.applicationName ?? 'callbackd',
    keepAlive: true,
  };
  if (!fromUrl.password && opts.password) config.password = opts.password;
  return config;
}

export function createPool(opts: PgConnectOptions): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(opts), max: opts.poolSize ?? 10 });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would crash the
  // daemon. The pool drops that client by itself; the next request connects anew (or fails typed).
  pool.on('error', () => undefined);
  // A client whose server goes away while it is checked out also emits 'error' (besides failing its
  // query, which the verb turns into STORE_UNAVAILABLE); the pool only listens while it is idle.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
