// Runs the pure pickNext() whenever something may have changed (a caller joined, an agent freed up,
// a decline, a wrap-up ended, a sysadmin changed agents from the CLI) and starts the delivery.
import type { Logger } from '../log';
import { type Assignment, pickNext } from '../domain/agent/dispatch';
import type { Millis, QueueEntry } from '../domain/model';
import type { Clock, Store } from './ports';

export interface Delivery {
  /** Starts ringing the agent; resolves when the delivery is over (connected call ended, declined…). */
  run(): Promise<void>;
}

export type DeliveryFactory = (assignment: Assignment, dispatcher: Dispatcher) => Delivery | undefined;

export class Dispatcher {
  private readonly inFlight = new Set<string>();
  private readonly cooldowns = new Map<string, Map<string, Millis>>();
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly deliver: DeliveryFactory,
    private readonly log: Logger,
    /** Also look every so often: the CLI changes agents in the DB without telling us. */
    private readonly pollMs = 2000,
  ) {}

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(loop, this.pollMs);
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Ask for a dispatch round soon; many kicks in one tick make one round. */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return; // kicked just before shutdown: the store may be closed already
      try {
        this.round();
      } catch (err) {
        this.log.error('dispatch round failed', { error: (err as Error).message, stack: (err as Error).stack });
      }
    });
  }

  /** This agent declined this entry: don't offer it to them again for a while. */
  coolDown(entryId: string, agentId: string, seconds: number): void {
    if (seconds <= 0) return;
    const forEntry = this.cooldowns.get(entryId) ?? new Map<string, Millis>();
    forEntry.set(agentId, this.clock.now() + seconds * 1000);
    this.cooldowns.set(entryId, forEntry);
  }

  isInFlight(entryId: string): boolean {
    return this.inFlight.has(entryId);
  }

  private openEntries(): QueueEntry[] {
    return this.store.queues.list().flatMap((q) => this.store.entries.open(q.name));
  }

  private round(): void {
    this.pruneCooldowns();
    for (;;) {
      const assignment = pickNext({
        entries: this.openEntries(),
        agents: this.store.agents.list(),
        inFlight: this.inFlight,
        cooldowns: this.cooldowns,
        now: this.clock.now(),
      });
      if (!assignment) return;
      const { entry, agent } = assignment;
      this.inFlight.add(entry.id);
      const delivery = this.deliver(assignment, this);
      if (!delivery) {
        // Not deliverable (e.g. a live entry whose call is gone); the factory has fixed the entry up.
        this.inFlight.delete(entry.id);
        continue;
      }
      this.log.info('offering to agent', { entryId: entry.id, kind: entry.kind, queue: entry.queue, agentId: agent.id });
      delivery
        .run()
        .catch((err) => this.log.error('delivery failed', { entryId: entry.id, agentId: agent.id, error: (err as Error).message }))
        .finally(() => {
          this.inFlight.delete(entry.id);
          this.kick();
        });
    }
  }

  private pruneCooldowns(): void {
    const now = this.clock.now();
    for (const [entryId, byAgent] of this.cooldowns) {
      for (const [agentId, until] of byAgent) if (until <= now) byAgent.delete(agentId);
      if (byAgent.size === 0) this.cooldowns.delete(entryId);
    }
  }
}
