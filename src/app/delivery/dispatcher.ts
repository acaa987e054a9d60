// Runs the pure pickNext() (domain/agent/dispatch.ts) whenever something may have changed — a caller
// joined or left, an agent became free, a slot came back, a cool-down ran out, or another process
// (the admin CLI) changed the store — and starts the delivery. The offer itself is one store
// transition that re-checks entry and agent, so a stale snapshot can never double-book either.
import { ANY_AGENT, isAgentFree, pickNext } from '../../domain/agent/dispatch';
import type { Agent, Millis, QueueEntry } from '../../domain/model';
import type { Logger } from '../../log';
import type { AppEvents } from '../events';
import type { Clock, Store } from '../ports';
import { boundedTimeout, type TimerHandle } from '../timers';

export interface DispatcherDeps {
  store: Pick<Store, 'delivery' | 'changes'>;
  clock: Clock;
  log: Logger;
  events: AppEvents;
  /** Whether a live entry's caller is on the line in this process (others cannot be delivered). */
  hasCaller(entryId: string): boolean;
  /** False while the PBX cannot be reached: no offers then (the reconnect asks for a round). */
  canDeliver?: () => boolean;
  /** A live entry whose caller is not here: close it. */
  dropCaller(entry: QueueEntry): Promise<void>;
  /** Offers `entry` to `agent` (store transition + session); false when the offer was refused because
   *  the world moved on. Resolves once ringing started; `done` when the delivery is over. */
  deliver(entry: QueueEntry, agent: Agent): Promise<{ done: Promise<void> } | undefined>;
}

export class Dispatcher {
  private readonly inFlight = new Set<string>();
  private readonly cooldowns = new Map<string, Map<string, Millis>>();
  private readonly paused = new Map<string, Millis>();
  private running = false;
  private again = false;
  private stopped = true;
  private wake: TimerHandle | undefined;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const { events, store } = this.deps;
    this.unsubscribe.push(
      events.on('dispatch-needed', () => this.kick()),
      events.on('cooldown', ({ entryId, agentId, seconds }) => this.coolDown(entryId, agentId, seconds)),
      events.on('entry-hold', ({ entryId, seconds }) => this.coolDown(entryId, ANY_AGENT, seconds)),
      events.on('agent-pause', ({ agentId, seconds }) => {
        this.paused.set(agentId, this.deps.clock.now() + seconds * 1000);
        this.scheduleWake();
      }),
      // The admin CLI or another node changed the store (agents log in, callbacks cancelled).
      store.changes.subscribe(() => this.kick()),
    );
    this.kick();
  }

  /** No new deliveries; running ones finish on their own. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.wake?.cancel();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Entries being delivered right now (restart recovery re-adopts into these too). */
  track(entryId: string, done: Promise<void>): void {
    this.inFlight.add(entryId);
    void done.finally(() => {
      this.inFlight.delete(entryId);
      this.kick();
    });
  }

  /** Ask for a dispatch round soon; many kicks while a round runs make one more round. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    setImmediate(() => void this.rounds());
  }

  private coolDown(entryId: string, agentId: string, seconds: number): void {
    if (seconds <= 0) return;
    const forEntry = this.cooldowns.get(entryId) ?? new Map<string, Millis>();
    forEntry.set(agentId, this.deps.clock.now() + seconds * 1000);
    this.cooldowns.set(entryId, forEntry);
    this.scheduleWake();
  }

  private async rounds(): Promise<void> {
    try {
      do {
        this.again = false;
        if (this.stopped) return;
        try {
          await this.round();
        } catch (err) {
          this.deps.log.error('dispatch round failed', { error: (err as Error).message, stack: (err as Error).stack });
        }
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async round(): Promise<void> {
    for (;;) {
      if (this.stopped || this.deps.canDeliver?.() === false) return;
      const now = this.deps.clock.now();
      this.prune(now);
      const takes = (a: Agent) => !this.paused.has(a.id);
      const { entries, agents } = await this.deps.store.delivery.snapshot((all) => all.some((a) => takes(a) && isAgentFree(a)));
      const assignment = pickNext({
        entries,
        agents: agents.filter(takes),
        inFlight: this.inFlight,
        cooldowns: this.cooldowns,
        now,
      });
      if (!assignment) {
        // One wake timer serves every cool-down and pause: the one that just ran out may not have been
        // the last (a fast reject pauses the agent 10 s and cools the slot down for 60 s).
        this.scheduleWake();
        return;
      }
      const { entry, agent } = assignment;
      if (entry.kind === 'live' && !this.deps.hasCaller(entry.id)) {
        await this.deps.dropCaller(entry);
        continue;
      }
      this.inFlight.add(entry.id);
      let started: { done: Promise<void> } | undefined;
      try {
        started = await this.deps.deliver(entry, agent);
      } catch (err) {
        this.deps.log.error('delivery failed to start', { entryId: entry.id, agentId: agent.id, error: (err as Error).message });
      }
      if (!started) {
        this.inFlight.delete(entry.id);
        // Refused (the world moved on) or failed: look again with fresh data, but not in a hot loop.
        return this.kickSoon();
      }
      this.deps.log.info('offering to agent', { entryId: entry.id, kind: entry.kind, queue: entry.queue, agentId: agent.id });
      this.track(entry.id, started.done);
    }
  }

  private kickSoon(): void {
    boundedTimeout(() => this.kick(), 200, { unref: true });
  }

  private prune(now: Millis): void {
    for (const [entryId, byAgent] of this.cooldowns) {
      for (const [agentId, until] of byAgent) if (until <= now) byAgent.delete(agentId);
      if (byAgent.size === 0) this.cooldowns.delete(entryId);
    }
    for (const [agentId, until] of this.paused) if (until <= now) this.paused.delete(agentId);
  }

  /** A cool-down or pause running out can make an assignment possible: look again then. */
  private scheduleWake(): void {
    if (this.stopped) return;
    const times = [...this.paused.values(), ...[...this.cooldowns.values()].flatMap((m) => [...m.values()])];
    if (times.length === 0) return;
    this.wake?.cancel();
    this.wake = boundedTimeout(() => this.kick(), Math.max(0, Math.min(...times) - this.deps.clock.now()) + 10, { unref: true });
  }
}
