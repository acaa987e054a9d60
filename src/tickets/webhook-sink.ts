// Delivers the ticket outbox to an external ticket system as JSON webhooks. The outbox row is written
// in the same transaction as the ticket, so while the endpoint is down or failing nothing is lost: rows
// stay undelivered and are retried with exponential backoff. A 2xx answer is the only success.
import type { Logger } from '../log';
import type { OutboxItem, OutboxRepo } from '../store/outbox-repo';

export interface WebhookDelivererOptions {
  url: string;
  outbox: OutboxRepo;
  clock: { now(): number };
  log: Logger;
  fetchImpl?: typeof fetch;
  /** Per request, including reading the answer. */
  timeoutMs?: number;
  maxBackoffMs?: number;
}

const BASE_BACKOFF_MS = 5000;
const BATCH = 50;
const PURGE_EVERY_MS = 60 * 60 * 1000;
const KEEP_DELIVERED_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_ERROR_BODY = 200;

/** Delay before the next try after the n-th failed attempt (n ≥ 1): 5 s, 10 s, 20 s, ... capped. */
export function backoffMs(failedAttempt: number, maxBackoffMs: number): number {
  return Math.min(maxBackoffMs, BASE_BACKOFF_MS * 2 ** Math.max(0, failedAttempt - 1));
}

type Attempt = { ok: true } | { ok: false; error: string; unreachable: boolean };

export class WebhookDeliverer {
  private readonly url: string;
  private readonly outbox: OutboxRepo;
  private readonly clock: { now(): number };
  private readonly log: Logger;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxBackoffMs: number;

  private current: Promise<{ delivered: number; failed: number }> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private generation = 0;
  private running = false;
  private lastPurgeAt: number | undefined;

  constructor(opts: WebhookDelivererOptions) {
    this.url = opts.url;
    this.outbox = opts.outbox;
    this.clock = opts.clock;
    this.log = opts.log;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 600_000;
  }

  /**
   * Posts every due outbox row once, oldest first. Stops early when the endpoint is unreachable
   * (connection error or timeout): the remaining rows are not attempted and keep their schedule. A call
   * while a run is in progress joins that run instead of sending rows twice.
   */
  deliverDue(): Promise<{ delivered: number; failed: number }> {
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
        this.log.error('ticket webhook delivery run failed', { error: describe(err) });
      }
      try {
        this.purgeIfDue();
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

  private async run(): Promise<{ delivered: number; failed: number }> {
    let delivered = 0;
    let failed = 0;
    for (const item of this.outbox.due(this.clock.now(), BATCH)) {
      const result = await this.post(item);
      const at = this.clock.now();
      if (result.ok) {
        this.outbox.delivered(item.id, at);
        delivered++;
        this.log.debug('ticket webhook delivered', { outboxId: item.id, kind: item.kind, ticketId: item.ticketId });
        continue;
      }
      const attempt = item.attempts + 1;
      const next = at + backoffMs(attempt, this.maxBackoffMs);
      this.outbox.failed(item.id, at, result.error, next);
      failed++;
      this.log.warn('ticket webhook delivery failed, will retry', {
        outboxId: item.id,
        kind: item.kind,
        ticketId: item.ticketId,
        attempt,
        retryInMs: next - at,
        error: result.error,
      });
      if (result.unreachable) break;
    }
    return { delivered, failed };
  }

  private async post(item: OutboxItem): Promise<Attempt> {
    let res: Response;
    let body: string;
    try {
      res = await this.fetchImpl(this.url, {
        method: 'POST',
        // Delivery is at-least-once (e.g. a 2xx lost to a timeout is sent again); the key lets the
        // receiver drop repeats. Outbox ids are never reused (AUTOINCREMENT).
        headers: { 'content-type': 'application/json', 'idempotency-key': `callbackd-outbox-${item.id}` },
        body: JSON.stringify({ type: item.kind, ...item.payload }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Read the answer in full (within the timeout) so the connection is released.
      body = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return { ok: false, unreachable: true, error: timedOut ? `no answer within ${this.timeoutMs} ms` : describe(err) };
    }
    if (res.status >= 200 && res.status < 300) return { ok: true };
    const snippet = body.trim().slice(0, MAX_ERROR_BODY);
    return { ok: false, unreachable: false, error: `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}` };
  }

  private purgeIfDue(): void {
    const now = this.clock.now();
    if (this.lastPurgeAt !== undefined && now - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = now;
    const purged = this.outbox.purgeDelivered(now - KEEP_DELIVERED_MS);
    if (purged > 0) this.log.debug('purged delivered ticket outbox rows', { purged });
  }
}

/** fetch() reports network failures as "fetch failed" with the useful part in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause ? `${err.message} (${cause})` : err.message;
}
