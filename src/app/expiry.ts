// Callback expiry (DESIGN.md §1 step 8): a callback not executed within callback.expiryMinutes of its
// request leaves the queue and becomes a "Callback" ticket for later follow-up.
//
// Exactly once, also across a crash: the ticket is created first (idempotent per entry and reason in
// the store), the entry is closed second. A crash between the two leaves a pending entry with its
// ticket; the next sweep finds the same entry, gets the same ticket back and closes it.
import { schedule as cronSchedule } from 'node-cron';
import type { Logger } from '../log';
import type { ExpiryCandidate, ReportsRepo } from '../store/reports-repo';
import type { Clock, Store } from './ports';

export interface ExpiryDeps {
  store: Pick<Store, 'entries' | 'tickets'>;
  reports: Pick<ReportsRepo, 'expiryCandidates'>;
  clock: Clock;
  expiryMinutes: number;
  log: Logger;
}

/** Expires every pending callback requested at or before now − expiry; returns how many it closed. */
export function sweepExpired(deps: ExpiryDeps): number {
  const now = deps.clock.now();
  const cutoff = now - deps.expiryMinutes * 60_000;
  let expired = 0;
  for (const c of deps.reports.expiryCandidates(cutoff)) {
    try {
      if (expireOne(deps, c, now)) expired++;
    } catch (err) {
      // One bad row must not keep every later callback in the queue forever; it is retried next minute.
      deps.log.error('callback expiry failed', { entryId: c.id, queue: c.queue, error: (err as Error).message });
    }
  }
  return expired;
}

function expireOne(deps: ExpiryDeps, c: ExpiryCandidate, now: number): boolean {
  // Re-checked right before acting: all store calls are synchronous, so between this read and the close
  // below no call flow of this process can offer the slot to an agent.
  const current = deps.store.entries.get(c.id);
  if (!current || current.kind !== 'callback' || current.state !== 'pending') return false;
  const waitedSeconds = Math.max(0, Math.floor((now - c.requestedAt) / 1000));
  const ticket = deps.store.tickets.create({
    subject: 'Callback',
    requester: c.callbackNumber,
    reason: 'callback-expired',
    queue: c.queue,
    did: c.did,
    entryId: c.id,
    agentId: null,
    waitedSeconds,
    createdAt: now,
  });
  const closed = deps.store.entries.close(c.id, 'expired', now, `not executed within ${deps.expiryMinutes} minutes`);
  deps.log.info('callback expired', { entryId: c.id, queue: c.queue, ticketId: ticket.id, waitedSeconds });
  return closed;
}

export interface ExpirySweepOptions extends ExpiryDeps {
  /** Injected for tests; node-cron's schedule by default. */
  schedule?: (expression: string, fn: () => void) => { stop(): void | Promise<void> };
  /** Also sweep once right away (default true): after a restart, overdue callbacks are expired before
   *  dispatch could still hand them to an agent. */
  runNow?: boolean;
  /** node-cron expression; every minute by default. */
  cron?: string;
}

/** Sweeps every minute until the returned function is called. Never throws from the timer. */
export function startExpirySweep(opts: ExpirySweepOptions): () => void {
  const run = () => {
    try {
      const n = sweepExpired(opts);
      if (n > 0) opts.log.info('expiry sweep done', { expired: n });
    } catch (err) {
      opts.log.error('expiry sweep failed', { error: (err as Error).message });
    }
  };
  const schedule = opts.schedule ?? ((expr, fn) => cronSchedule(expr, fn, { name: 'callbackd-expiry', noOverlap: true }));
  const task = schedule(opts.cron ?? '* * * * *', run);
  if (opts.runNow !== false) run();
  return () => {
    void Promise.resolve(task.stop()).catch(() => undefined);
  };
}
