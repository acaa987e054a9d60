// Flow runs a pure machine: events one at a time in arrival order, commands in order, an event that
// results from a command fed back at once, and one failing command never freezes the rest. AppEvents
// delivers to every listener even when one fails.
import { expect } from 'chai';
import { AppEvents, type AppEvent } from '../../../src/app/events';
import { Flow } from '../../../src/app/flow';
import { TelephonyError } from '../../../src/app/telephony';
import { recordingLogger } from './fixtures';

type E = { type: 'go'; n: number } | { type: 'result'; of: string };
type C = { type: 'step'; name: string };
interface S {
  phase: string;
  seen: string[];
}

describe('app/flow', () => {
  const make = (execute: (c: C) => Promise<E | void> | E | void) => {
    const logs = recordingLogger();
    const after: string[] = [];
    const flow = new Flow<S, E, C>(
      {
        name: 'test',
        transition: (state, event) =>
          event.type === 'go'
            ? {
                state: { phase: `went-${event.n}`, seen: [...state.seen, `go ${event.n}`] },
                commands: [
                  { type: 'step', name: `a${event.n}` },
                  { type: 'step', name: `b${event.n}` },
                ],
              }
            : { state: { ...state, seen: [...state.seen, `result of ${event.of}`] }, commands: [] },
        execute,
        afterEvent: (state) => void after.push(state.phase),
      },
      { phase: 'start', seen: [] },
      logs.log,
    );
    return { flow, logs, after };
  };

  it('handles events one at a time, in order, even when a command takes a while', async () => {
    const done: string[] = [];
    const { flow, after } = make(async (c) => {
      await new Promise((resolve) => setImmediate(resolve));
      done.push(c.name);
    });
    await Promise.all([flow.dispatch({ type: 'go', n: 1 }), flow.dispatch({ type: 'go', n: 2 })]);
    expect(done).to.deep.equal(['a1', 'b1', 'a2', 'b2']);
    expect(after).to.deep.equal(['went-1', 'went-2']);
  });

  it('feeds an event that results from a command back before the next command', async () => {
    const { flow } = make((c) => (c.name === 'a1' ? { type: 'result', of: c.name } : undefined));
    await flow.dispatch({ type: 'go', n: 1 });
    expect(flow.state.seen).to.deep.equal(['go 1', 'result of a1']);
  });

  it('logs a failing command and still runs the next one; a gone channel is not even a failure', async () => {
    const done: string[] = [];
    const { flow, logs } = make((c) => {
      if (c.name === 'a1') throw new Error('PBX said no');
      if (c.name === 'a2') throw new TelephonyError('CHANNEL_GONE', 'channel not found');
      done.push(c.name);
    });
    await flow.dispatch({ type: 'go', n: 1 });
    await flow.dispatch({ type: 'go', n: 2 });
    expect(done).to.deep.equal(['b1', 'b2']);
    expect(logs.lines('error', 'test command failed').map((r) => r.error)).to.deep.equal(['PBX said no']);
  });

  it('runs other work in the flow’s order', async () => {
    const { flow } = make(() => new Promise((resolve) => setImmediate(resolve)));
    void flow.dispatch({ type: 'go', n: 1 });
    expect(await flow.run(() => flow.state.seen.length)).to.equal(1);
  });

  it('AppEvents: a failing listener is reported and the others still hear the event', () => {
    const failures: AppEvent[] = [];
    const events = new AppEvents((_err, event) => failures.push(event));
    const heard: string[] = [];
    events.on('agent-changed', () => {
      throw new Error('listener bug');
    });
    const off = events.on('agent-changed', (e) => heard.push(e.agentId));
    events.emit({ type: 'agent-changed', agentId: 'alice' });
    off();
    events.emit({ type: 'agent-changed', agentId: 'bob' });
    expect(heard).to.deep.equal(['alice']);
    expect(failures).to.have.length(2);
  });
});
