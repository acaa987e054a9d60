// Callback expiry (DESIGN.md §1 step 8): a callback not executed within callback.expiryMinutes of its
// (latest) request leaves the queue and becomes a "Callback" ticket for later follow-up. Each expiry is
// one store transition (ticket + slot closed + slot linked to its ticket), and the ticket is idempotent
// per slot, so a crash or a second sweep can never create two tickets or lose one.
import { schedule as cronSchedule } from 'node-cron';
import type { Logger } from '../log';
import type { Clock, ExpiryCandidate, Store } from './ports';

export interface ExpiryDeps {
  store: Pick<Store, 'expiry'>;
  clock: Clock;
  expiryMinutes: number;
  log: Logger;
  /** The subject of the follow-up ticket in the request's language (tickets.subjectTemplate). */
  subject?: (language: string | null, fields: { number: string; queue: string; did: string }) => string;
}

/** Expires every pending callback requested at or before now − expiry; returns how many it closed. */
export async function sweepExpired(deps: ExpiryDeps): Promise<number> {
  const now = deps.clock.now();
  const cutoff = now - deps.expiryMinutes * 60_000;
  let expired = 0;
  for (const c of await deps.store.expiry.candidates(cutoff)) {
    try {
      if (await expireOne(deps, c, now)) expired++;
    } catch (err) {
      // One bad row must not keep every later callback in the queue forever; it is retried next time.
      deps.log.error('callback expiry failed', { entryId: c.id, queue: c.queue, error: (err as Error).message });
    }
  }
  return expired;
}

async function expireOne(deps: ExpiryDeps, c: ExpiryCandidate, now: number): Promise<boolean> {
  const waitedSeconds = Math.max(0, Math.floor((now - c.requestedAt) / 1000));
  const minutes = deps.expiryMinutes === 1 ? '1 minute' : `${deps.expiryMinutes} minutes`;
  const ticket = await deps.store.expiry.expire(
    c.id,
    {
      subject: deps.subject?.(c.language, { number: c.callbackNumber, queue: c.queue, did: c.did }) ?? 'Callback',
      requester: c.callbackNumber,
      reason: 'callback-expired',
      queue: c.queue,
      did: c.did,
      entryId: c.id,
      agentId: null,
      waitedSeconds,
      createdAt: now,
    },
    now,
    `not executed within ${minutes}`,
  );
  if (!ticket) return false; // offered to an agent or cancelled meanwhile
  deps.log.info('callback expired', { entryId: c.id, queue: c.queue, ticketId: ticket.id, waitedSeconds });
  return true;
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

/** Sweeps on the cron schedule until the returned function is called (idempotent). Never throws from
 *  the timer; runs never overlap. */
export function startExpirySweep(opts: ExpirySweepOptions): { stop: () => void; first: Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= sweepExpired(opts)
      .then(
        (n) => {
          if (n > 0) opts.log.info('expiry sweep done', { expired: n });
        },
        (err: unknown) => {
          opts.log.error('expiry sweep failed', { error: (err as Error).message });
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const schedule = opts.schedule ?? ((expr, fn) => cronSchedule(expr, fn, { name: 'callbackd-expiry', noOverlap: true }));
  const task = schedule(opts.cron ?? '* * * * *', () => void run());
  const first = opts.runNow !== false ? run() : Promise.resolve();
  return {
    first,
    stop: () => {
      if (stopped) return;
      stopped = true;
      void Promise.resolve(task.stop()).catch(() => undefined);
    },
  };
}
