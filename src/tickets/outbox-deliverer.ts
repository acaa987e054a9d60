// Drains the ticket outbox rows of one sink (webhook, Zendesk) through that sink's `send`. The rows
// were written in the same transaction as the ticket, so while the receiver is down or failing nothing
// is lost: rows stay undelivered and are retried with exponential backoff, or after Retry-After on a
// 429. A receiver that refuses a row (4xx) makes it a dead letter, logged once, kept with its error
// until an operator retries it (callbackd tickets outbox retry).
import type { Logger } from '../log';
import type { OutboxItem, OutboxStore, TicketSinkName } from '../app/ports';
import { describe, type SendOutcome } from './send-outcome';

export interface OutboxDelivererOptions {
  sink: TicketSinkName;
  send: (item: OutboxItem) => Promise<SendOutcome>;
  outbox: OutboxStore;
  clock: { now(): number };
  log: Logger;
  /** Every configured sink. Rows written without a sink are copied to these before each run, so a
   *  deliverer that runs first does not take a row away from the others. Default: [sink]. */
  sinks?: readonly TicketSinkName[];
  maxBackoffMs?: number;
}

export interface DeliveryRun {
  delivered: number;
  /** Attempts that failed and will be retried. */
  failed: number;
  /** Rows the receiver refused, now dead letters. */
  dead: number;
}

const BASE_BACKOFF_MS = 5000;
/** A Retry-After beyond this is not believed (a misconfigured proxy must not park rows for days). */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
const BATCH = 50;
const PURGE_EVERY_MS = 60 * 60 * 1000;
const KEEP_DELIVERED_MS = 7 * 24 * 60 * 60 * 1000;

/** Delay before the next try after the n-th failed attempt (n ≥ 1): 5 s, 10 s, 20 s, ... capped. */
export function backoffMs(failedAttempt: number, maxBackoffMs: number): number {
  return Math.min(maxBackoffMs, BASE_BACKOFF_MS * 2 ** Math.max(0, failedAttempt - 1));
}

export class OutboxDeliverer {
  readonly sink: TicketSinkName;
  private readonly send: (item: OutboxItem) => Promise<SendOutcome>;
  private readonly outbox: OutboxStore;
  private readonly clock: { now(): number };
  private readonly log: Logger;
  private readonly sinks: readonly TicketSinkName[];
  private readonly maxBackoffMs: number;

  private current: Promise<DeliveryRun> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private generation = 0;
  private running = false;
  private lastPurgeAt: number | undefined;
  /** After a 429 the whole sink waits: the receiver's limit is not per row. */
  private pausedUntil = 0;

  constructor(opts: OutboxDelivererOptions) {
    this.sink = opts.sink;
    this.send = opts.send;
    this.outbox = opts.outbox;
    this.clock = opts.clock;
    this.log = opts.log;
    this.sinks = opts.sinks ?? [opts.sink];
    this.maxBackoffMs = opts.maxBackoffMs ?? 600_000;
  }

  /**
   * Sends every due row of this sink once, oldest first. Stops early when the receiver is unreachable
   * (connection error, timeout) or rate-limits us: the remaining rows are not attempted and keep their
   * schedule; after a 429 no row of this sink is sent before its Retry-After has passed. A call while a run is in progress joins that run instead of sending rows twice.
   */
  deliverDue(): Promise<DeliveryRun> {
    if (!this.current) {
      this.current = this.run().finally(() => {
        this.current = undefined;
      });
    }
    return this.current;
  }

  /** Runs deliverDue now and then every `intervalMs` after the previous run ended; never overlapping. */
  start(intervalMs: number): void {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    const tick = async (): Promise<void> => {
      this.timer = undefined;
      try {
        await this.deliverDue();
      } catch (err) {
        this.log.error(`ticket ${this.sink} delivery run failed`, { error: describe(err) });
      }
      try {
        await this.purgeIfDue();
      } catch (err) {
        this.log.error('ticket outbox purge failed', { error: describe(err) });
      }
      if (this.running && generation === this.generation) this.schedule(tick, intervalMs);
    };
    this.schedule(tick, 0);
  }

  /** Stops the timer; resolves once a run in progress has finished (the store may be closed then). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    await this.current?.catch(() => undefined);
  }

  private schedule(tick: () => Promise<void>, ms: number): void {
    // unref: a forgotten stop() must not keep a CLI or test process alive.
    this.timer = setTimeout(() => {
      // tick() never rejects: every failure inside is caught and logged.
      this.ticking = tick().finally(() => {
        this.ticking = undefined;
      });
    }, ms).unref();
  }

  private async run(): Promise<DeliveryRun> {
    const result: DeliveryRun = { delivered: 0, failed: 0, dead: 0 };
    await this.outbox.assign(this.sinks);
    if (this.clock.now() < this.pausedUntil) return result;
    for (const item of await this.outbox.due(this.sink, this.clock.now(), BATCH)) {
      const outcome = await this.attempt(item);
      const stop = await this.record(item, outcome, result);
      if (stop) break;
    }
    return result;
  }

  /** A send that throws is a bug or a local failure; the row is kept and retried like a 5xx. */
  private async attempt(item: OutboxItem): Promise<SendOutcome> {
    try {
      return await this.send(item);
    } catch (err) {
      return { kind: 'retry', unreachable: false, error: describe(err) };
    }
  }

  /** Stores the outcome; true when the run should stop (receiver unreachable or rate-limiting). */
  private async record(item: OutboxItem, outcome: SendOutcome, result: DeliveryRun): Promise<boolean> {
    const at = this.clock.now();
    const ids = { sink: this.sink, outboxId: item.id, kind: item.kind, ticketId: item.ticketId };
    if (outcome.kind === 'delivered') {
      await this.outbox.delivered(item.id, at);
      result.delivered++;
      this.log.debug('ticket delivered', ids);
      return false;
    }
    const attempt = item.attempts + 1;
    if (outcome.kind === 'refused') {
      await this.outbox.dead(item.id, at, outcome.error);
      result.dead++;
      // Logged once: the row is not attempted again until someone retries it.
      this.log.error('ticket delivery refused, kept as dead letter (callbackd tickets outbox retry <id> after fixing it)', {
        ...ids,
        attempt,
        error: outcome.error,
      });
      return false;
    }
    const waitMs =
      outcome.kind === 'rate-limited' && outcome.retryAfterMs !== undefined
        ? Math.min(outcome.retryAfterMs, MAX_RETRY_AFTER_MS)
        : backoffMs(attempt, this.maxBackoffMs);
    await this.outbox.failed(item.id, at, outcome.error, at + waitMs);
    if (outcome.kind === 'rate-limited') this.pausedUntil = at + waitMs;
    result.failed++;
    this.log.warn(outcome.kind === 'rate-limited' ? 'ticket delivery rate-limited, will retry' : 'ticket delivery failed, will retry', {
      ...ids,
      attempt,
      retryInMs: waitMs,
      error: outcome.error,
    });
    return outcome.kind === 'rate-limited' || outcome.unreachable;
  }

  private async purgeIfDue(): Promise<void> {
    const now = this.clock.now();
    if (this.lastPurgeAt !== undefined && now - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = now;
    const purged = await this.outbox.purgeDelivered(now - KEEP_DELIVERED_MS);
    if (purged > 0) this.log.debug('purged delivered ticket outbox rows', { purged });
  }
}
