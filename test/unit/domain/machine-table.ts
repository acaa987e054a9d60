// Table-driven tests for the pure call-flow machines: reach a state by a path of events, apply one
// event, and compare the exact commands and state fields. Shared by every machine's test file.
import { expect } from 'chai';

export interface MachineUnderTest<From, State, Event, Command> {
  /** The state the case's path leads to. */
  reach(from: From): State;
  /** One transition from `state`, with the case's settings. */
  step(state: State, event: Event, from: From): { state: State; commands: Command[] };
}

export type TableCase<From, State, Event, Command> = From & {
  name: string;
  event: Event;
  commands: Command[];
  /** Fields the resulting state must have. */
  state?: Partial<State>;
};

export type IgnoredCase<From, Event> = From & { name: string; events: Event[] };

export function machineTables<From, State, Event, Command>(m: MachineUnderTest<From, State, Event, Command>) {
  return {
    /** One `it` per case: from the state `path` leads to, `event` yields exactly `commands` and `state`. */
    table(cases: TableCase<From, State, Event, Command>[]): void {
      for (const c of cases) {
        it(c.name, () => {
          const out = m.step(m.reach(c), c.event, c);
          expect(out.commands).to.deep.equal(c.commands);
          if (c.state) expect(out.state).to.deep.include(c.state);
        });
      }
    },
    /** One `it` per case: each of `events` leaves the state untouched and commands nothing. */
    ignored(cases: IgnoredCase<From, Event>[]): void {
      for (const c of cases) {
        it(c.name, () => {
          const before = m.reach(c);
          for (const event of c.events) {
            const out = m.step(before, event, c);
            expect(out.commands, JSON.stringify(event)).to.deep.equal([]);
            expect(out.state, JSON.stringify(event)).to.deep.equal(before);
          }
        });
      }
    },
  };
}
