// Which Store the configuration asks for: PostgreSQL when db.url is set, else the SQLite file db.path
// (the embedded default). The daemon and the CLI open it here with their own time limits, so both
// always agree on which database they use.
import type { Store } from '../app/ports';
import type { Config } from '../config/schema';
import { ticketOutboxEnabled } from '../tickets/delivery';
import { openPostgresStore } from './postgres/pg-app-store';
import { createAppStore } from './sqlite/sqlite-app-store';
import { openStore, type SqliteStore } from './sqlite/sqlite-store';

export type StoreKind = 'sqlite' | 'postgres';

export type ConfiguredStore = Store & {
  kind: StoreKind;
  /** The SQLite repos under the port (integration tests peek at rows); undefined on PostgreSQL. */
  sqlite?: SqliteStore;
};

export interface OpenRole {
  role: 'daemon' | 'cli';
}

/** The daemon keeps SQLite's own lock wait tiny and retries on a timer (sqlite-app-store.ts). */
const DAEMON_BUSY_TIMEOUT_MS = 20;
/** A callback request and a connection record: what someone waits for on the line in silence. */
const REQUEST_DEADLINE_MS = 5000;
/** A CLI call may wait for the daemon longer than the daemon waits for the CLI. */
const CLI_LOCK_DEADLINE_MS = 10_000;

export function storeKind(config: Pick<Config, 'db'>): StoreKind {
  return config.db.url === '' ? 'sqlite' : 'postgres';
}

export async function openConfiguredStore(config: Pick<Config, 'db' | 'tickets'>, { role }: OpenRole): Promise<ConfiguredStore> {
  const ticketOutbox = role === 'daemon' && ticketOutboxEnabled(config.tickets);
  if (storeKind(config) === 'postgres') {
    const store = await openPostgresStore({
      url: config.db.url,
      password: config.db.password,
      ticketOutbox,
      applicationName: `callbackd-${role}`,
      // A request someone waits for on the line must not wait longer than it does on SQLite.
      statementTimeoutMs: role === 'daemon' ? REQUEST_DEADLINE_MS : CLI_LOCK_DEADLINE_MS,
    });
    return Object.assign(store, { kind: 'postgres' as const });
  }
  if (role === 'cli') {
    return Object.assign(createAppStore(openStore(config.db.path), { lockDeadlineMs: CLI_LOCK_DEADLINE_MS }), { kind: 'sqlite' as const });
  }
  const sqlite = openStore(config.db.path, { ticketOutbox, busyTimeoutMs: DAEMON_BUSY_TIMEOUT_MS, integrityCheck: true });
  const store = createAppStore(sqlite, {
    lockDeadlineMs: config.db.lockTimeoutSeconds * 1000,
    requestDeadlineMs: REQUEST_DEADLINE_MS,
    probeBusyTimeoutMs: DAEMON_BUSY_TIMEOUT_MS,
  });
  return Object.assign(store, { kind: 'sqlite' as const, sqlite });
}
