// One SQLite file as the adapter's synchronous repos (used by the admin CLI and tests; the daemon wraps
// them into the async Store port in sqlite-app-store.ts). Repos share the connection; closing the
// store closes it.
import { createAgentsRepo } from './agents-repo';
import { openDatabase, type Db } from './db';
import { createDeliveryRepo, type DeliveryRepo } from './delivery-repo';
import { createEntriesRepo } from './entries-repo';
import { createGreetingsRepo } from './greetings-repo';
import { createLegsRepo } from './legs-repo';
import { createNumbersRepo } from './numbers-repo';
import { createOpsRepo, type OpsRepo } from './ops-repo';
import { createOutboxRepo, type OutboxRepo } from './outbox-repo';
import { createQueuesRepo } from './queues-repo';
import { createReportsRepo, type ReportsRepo } from './reports-repo';
import { createSettingsRepo } from './settings-repo';
import type { AgentsRepo, EntriesRepo, GreetingsRepo, LegsRepo, NumbersRepo, QueuesRepo, SettingsRepo, TicketsRepo } from './repos';
import { createTicketsRepo } from './tickets-repo';

export interface SqliteStore {
  numbers: NumbersRepo;
  greetings: GreetingsRepo;
  queues: QueuesRepo;
  settings: SettingsRepo;
  entries: EntriesRepo;
  agents: AgentsRepo;
  tickets: TicketsRepo;
  legs: LegsRepo;
  /** Multi-table business transitions of dispatch and delivery. */
  delivery: DeliveryRepo;
  outbox: OutboxRepo;
  reports: ReportsRepo;
  /** Read-only figures for operations (outbox backlog, agents per state). */
  ops: OpsRepo;
  /** The connection itself, for the daemon's adapter (external-change watch, write probe). */
  db: Db;
  close(): void;
}

export interface StoreOptions {
  /** Queue every ticket and comment for an external ticket system (ticket_outbox). Default off. */
  ticketOutbox?: boolean;
  /** How long a statement waits for another process's write lock INSIDE SQLite (blocking). The daemon
   *  keeps this tiny and retries asynchronously; the CLI may wait longer. */
  busyTimeoutMs?: number;
  /** Run PRAGMA quick_check before use (the daemon does at start; `callbackd doctor` too). */
  integrityCheck?: boolean;
}

export function openStore(path: string, opts: StoreOptions = {}): SqliteStore {
  const db = openDatabase(path, undefined, { busyTimeoutMs: opts.busyTimeoutMs, integrityCheck: opts.integrityCheck });
  try {
    const entries = createEntriesRepo(db);
    const agents = createAgentsRepo(db);
    const legs = createLegsRepo(db);
    const tickets = createTicketsRepo(db, { outbox: opts.ticketOutbox ?? false });
    return {
      numbers: createNumbersRepo(db),
      greetings: createGreetingsRepo(db),
      queues: createQueuesRepo(db),
      settings: createSettingsRepo(db),
      entries,
      agents,
      tickets,
      legs,
      delivery: createDeliveryRepo(db, { entries, agents, legs, tickets }),
      outbox: createOutboxRepo(db),
      reports: createReportsRepo(db),
      ops: createOpsRepo(db),
      db,
      close: () => {
        if (db.open) db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

export { StoreError } from './errors';
export type { StoreErrorCode } from './errors';
export type { OutboxItem, OutboxRepo } from './outbox-repo';
