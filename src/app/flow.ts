// Runs one pure call-flow machine (domain/…/*-machine.ts): events in, in arrival order, one at a time;
// the machine's commands carried out in order by the session's executor; an event that results from a
// command (a save outcome, say) fed back at once. One command failing is logged and the rest still run,
// so a half-failed step never freezes the flow; a channel that is already gone is not a failure.
import type { Logger } from '../log';
import { SerialQueue } from './serial';
import { isChannelGone } from './telephony';

export interface FlowSpec<S extends { phase: string }, E extends { type: string }, C extends { type: string }> {
  /** For log lines: "caller", "callback", "live delivery". */
  name: string;
  transition(state: S, event: E): { state: S; commands: C[] };
  /** Carries out one command; may return an event that results from it. */
  execute(command: C): Promise<E | void> | E | void;
  /** Called after every event, with the state it led to (e.g. to finish the session once ended). */
  afterEvent?(state: S, event: E): void | Promise<void>;
}

export class Flow<S extends { phase: string }, E extends { type: string }, C extends { type: string }> {
  private current: S;
  private readonly serial: SerialQueue;

  constructor(
    private readonly spec: FlowSpec<S, E, C>,
    initial: S,
    private readonly log: Logger,
  ) {
    this.current = initial;
    this.serial = new SerialQueue((err) =>
      log.error(`${spec.name} flow step failed`, { error: (err as Error).message, stack: (err as Error).stack }),
    );
  }

  get state(): S {
    return this.current;
  }

  /** Queues an event behind everything already queued for this flow. */
  dispatch(event: E): Promise<void> {
    return this.serial.push(async () => {
      await this.feed(event);
      await this.spec.afterEvent?.(this.current, event);
    });
  }

  /** Queues arbitrary work in the flow's order (e.g. a question about its state). */
  run<T>(work: () => T | Promise<T>): Promise<T> {
    let result: T;
    return this.serial
      .push(async () => {
        result = await work();
      })
      .then(() => result);
  }

  private async feed(event: E): Promise<void> {
    const before = this.current.phase;
    const { state, commands } = this.spec.transition(this.current, event);
    this.current = state;
    if (state.phase !== before) this.log.debug(`${this.spec.name} phase`, { from: before, to: state.phase, event: event.type });
    for (const command of commands) {
      let next: E | void;
      try {
        next = await this.spec.execute(command);
      } catch (err) {
        if (isChannelGone(err)) continue; // the hangup event follows
        this.log.error(`${this.spec.name} command failed`, { command: command.type, error: (err as Error).message });
        continue;
      }
      if (next) await this.feed(next);
    }
  }
}
