// The Store port backed by one SQLite file. Repos share the connection; closing the store closes it.
import type { Store } from '../app/ports';
import { createAgentsRepo } from './agents-repo';
import { openDatabase } from './db';
import { createEntriesRepo } from './entries-repo';
import { createGreetingsRepo } from './greetings-repo';
import { createNumbersRepo } from './numbers-repo';
import { createOutboxRepo, type OutboxRepo } from './outbox-repo';
import { createQueuesRepo } from './queues-repo';
import { createReportsRepo, type ReportsRepo } from './reports-repo';
import { createSettingsRepo } from './settings-repo';
import { createTicketsRepo } from './tickets-repo';

/** The Store plus what only the daemon's own parts and the CLI need: the ticket deliverer reads the
 *  outbox; stats, metrics and the expiry sweep read reports. */
export type SqliteStore = Store & { outbox: OutboxRepo; reports: ReportsRepo };

export interface StoreOptions {
  /** Queue every ticket and comment for an external ticket system (ticket_outbox). Default off. */
  ticketOutbox?: boolean;
}

export function openStore(path: string, opts: StoreOptions = {}): SqliteStore {
  const db = openDatabase(path);
  try {
    return {
      numbers: createNumbersRepo(db),
      greetings: createGreetingsRepo(db),
      queues: createQueuesRepo(db),
      settings: createSettingsRepo(db),
      entries: createEntriesRepo(db),
      agents: createAgentsRepo(db),
      tickets: createTicketsRepo(db, { outbox: opts.ticketOutbox ?? false }),
      outbox: createOutboxRepo(db),
      reports: createReportsRepo(db),
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
