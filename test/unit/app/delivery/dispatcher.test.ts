// The dispatcher over a real SQLite store: who gets which place, when it looks again (events, cool-downs
// and pauses running out, changes made by another connection) and that a stale decision can never
// book an agent twice. Delivery itself is replaced by the real offer transition plus a held session.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Dispatcher } from '../../../../src/app/delivery/dispatcher';
import { AppEvents } from '../../../../src/app/events';
import type { Store } from '../../../../src/app/ports';
import type { Agent, QueueEntry } from '../../../../src/domain/model';
import {
  dispatcherDeps,
  fakeTime,
  recordingLogger,
  RULES,
  seedAgent,
  seedEntry,
  seedNumber,
  seedQueue,
  T0,
  testStore,
  type FakeTime,
  type TestStore,
} from '../fixtures';

const settle = async () => {
  for (let i = 0; i < 30; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

interface Delivery {
  entryId: string;
  agentId: string;
  finish(): void;
}

describe('app/delivery: the dispatcher', () => {
  let time: FakeTime;
  let db: TestStore;
  let events: AppEvents;
  let dispatchers: Dispatcher[];
  let delivered: Delivery[];
  let refused: string[];
  let callersHere: Set<string>;

  /** A dispatcher of one daemon over `store`; `before` runs between its decision and the offer. */
  const dispatcher = (store: Store = db.store, before: (entry: QueueEntry, agent: Agent) => void = () => undefined) => {
    const d = new Dispatcher(
      dispatcherDeps(store, events, recordingLogger().log, {
        hasCaller: (entryId) => callersHere.has(entryId),
        dropCaller: (entry) => store.callers.leave(entry.id, Date.now(), 'abandoned'),
        deliver: async (entry, agent) => {
          before(entry, agent);
          const leg = { id: randomUUID(), entryId: entry.id, role: 'agent' as const, agentId: agent.id, at: Date.now() };
          if (!(await store.delivery.offer(entry, agent.id, leg, RULES))) {
            refused.push(`${entry.id}→${agent.id}`);
            return undefined;
          }
          let finish!: () => void;
          const done = new Promise<void>((resolve) => (finish = resolve));
          delivered.push({ entryId: entry.id, agentId: agent.id, finish });
          return { done };
        },
      }),
    );
    dispatchers.push(d);
    return d;
  };
  const pairs = () => delivered.map((d) => `${d.entryId}→${d.agentId}`);
  /** The delivery of `entryId` is over (connected), and its agent free again. */
  const finish = async (entryId: string) => {
    const d = delivered.find((x) => x.entryId === entryId)!;
    db.sqlite.entries.close(entryId, 'done', Date.now(), 'connected');
    db.sqlite.legs.endAllOf(entryId, Date.now(), 'call ended');
    db.sqlite.agents.setState(d.agentId, 'available', Date.now());
    d.finish();
    await settle();
  };

  beforeEach(() => {
    time = fakeTime(settle);
    db = testStore();
    seedQueue(db.sqlite);
    seedNumber(db.sqlite);
    events = new AppEvents((err) => {
      throw err;
    });
    dispatchers = [];
    delivered = [];
    refused = [];
    callersHere = new Set();
  });
  afterEach(() => {
    for (const d of dispatchers) d.stop();
    time.restore();
    db.close();
  });

  describe('who gets which place', () => {
    it('the oldest place goes first, a callback slot older than a live caller included', async () => {
      seedEntry(db.sqlite, 'live', { enteredAt: T0 - 50_000 });
      seedEntry(db.sqlite, 'slot', { enteredAt: T0 - 100_000, callback: '+4915112345679' });
      callersHere.add('live');
      seedAgent(db.sqlite, 'alice');
      dispatcher().start();
      await settle();
      expect(pairs()).to.deep.equal(['slot→alice']);
      await finish('slot');
      expect(pairs(), 'the live caller next, once the agent is free').to.deep.equal(['slot→alice', 'live→alice']);
    });

    it('a live caller older than a callback slot goes first', async () => {
      seedEntry(db.sqlite, 'live', { enteredAt: T0 - 100_000 });
      seedEntry(db.sqlite, 'slot', { enteredAt: T0 - 50_000, callback: '+4915112345679' });
      callersHere.add('live');
      seedAgent(db.sqlite, 'alice');
      dispatcher().start();
      await settle();
      expect(pairs()).to.deep.equal(['live→alice']);
    });

    it('the longest-idle agent gets the oldest place, the next one the next place', async () => {
      seedEntry(db.sqlite, 'first', { enteredAt: T0 - 100_000, callback: '+4915112345671' });
      seedEntry(db.sqlite, 'second', { enteredAt: T0 - 50_000, callback: '+4915112345672' });
      seedAgent(db.sqlite, 'alice', { at: T0 - 10_000 });
      seedAgent(db.sqlite, 'bob', { at: T0 - 60_000 });
      dispatcher().start();
      await settle();
      expect(pairs()).to.deep.equal(['first→bob', 'second→alice']);
    });

    it('a waiting place whose caller is not on the line here is closed, and the next one delivered', async () => {
      seedEntry(db.sqlite, 'orphan', { enteredAt: T0 - 100_000 });
      seedEntry(db.sqlite, 'here', { enteredAt: T0 - 50_000 });
      callersHere.add('here');
      seedAgent(db.sqlite, 'alice');
      dispatcher().start();
      await settle();
      expect(db.sqlite.entries.get('orphan')).to.include({ state: 'left' });
      expect(pairs()).to.deep.equal(['here→alice']);
    });
  });

  describe('cool-downs and pauses', () => {
    beforeEach(() => {
      seedEntry(db.sqlite, 'slot', { enteredAt: T0 - 100_000, callback: '+4915112345679' });
      seedAgent(db.sqlite, 'alice');
    });

    it('an agent cooling down for a slot is not offered it until the cool-down has run out, then at once', async () => {
      const d = dispatcher();
      d.start();
      events.emit({ type: 'cooldown', entryId: 'slot', agentId: 'alice', seconds: 30 });
      await settle();
      expect(pairs()).to.deep.equal([]);
      await time.advance(29.9);
      expect(pairs()).to.deep.equal([]);
      await time.advance(0.2);
      expect(pairs()).to.deep.equal(['slot→alice']);
    });

    it('another agent gets the slot during the first one’s cool-down', async () => {
      seedAgent(db.sqlite, 'bob', { at: T0 + 1 });
      dispatcher().start();
      events.emit({ type: 'cooldown', entryId: 'slot', agentId: 'alice', seconds: 30 });
      await settle();
      expect(pairs()).to.deep.equal(['slot→bob']);
    });

    it('a pause shorter than the slot’s cool-down (a phone rejecting at once): offered when the cool-down ends', async () => {
      dispatcher().start();
      events.emit({ type: 'cooldown', entryId: 'slot', agentId: 'alice', seconds: 60 });
      events.emit({ type: 'agent-pause', agentId: 'alice', seconds: 10 });
      await settle();
      await time.advance(59.9);
      expect(pairs()).to.deep.equal([]);
      await time.advance(0.2);
      expect(pairs(), 'the wake for the pause must not have been the last one').to.deep.equal(['slot→alice']);
    });

    it('a paused agent is offered nothing until the pause is over', async () => {
      dispatcher().start();
      events.emit({ type: 'agent-pause', agentId: 'alice', seconds: 10 });
      await settle();
      expect(pairs()).to.deep.equal([]);
      await time.advance(10.1);
      expect(pairs()).to.deep.equal(['slot→alice']);
    });
  });

  describe('never double-booked', () => {
    it('two daemons on one database deciding on the same snapshot: one offer, the other refused by the store', async () => {
      seedEntry(db.sqlite, 'a', { enteredAt: T0 - 100_000, callback: '+4915112345671' });
      seedEntry(db.sqlite, 'b', { enteredAt: T0 - 50_000, callback: '+4915112345672' });
      seedAgent(db.sqlite, 'alice');
      // Both take their snapshot before either offers: the second decision is stale when it lands.
      let release!: () => void;
      const bothLooked = new Promise<void>((resolve) => (release = resolve));
      let looked = 0;
      const stale = (store: Store): Store => ({
        ...store,
        delivery: {
          ...store.delivery,
          snapshot: async (wantEntries) => {
            const snapshot = await store.delivery.snapshot(wantEntries);
            if (++looked === 2) release();
            await bothLooked;
            return snapshot;
          },
        },
      });
      dispatcher(stale(db.store)).start();
      dispatcher(stale(db.otherDaemon())).start();
      await time.advance(1);
      expect(refused, 'the second offer of a→alice').to.deep.equal(['a→alice']);
      expect(pairs()).to.deep.equal(['a→alice']);
      expect(db.sqlite.legs.open()).to.have.length(1);
      expect(db.sqlite.agents.get('alice')!.state).to.equal('ringing');
      expect(db.sqlite.entries.get('b')).to.include({ state: 'pending' });
    });

    it('an agent logged out between the decision and the offer is not booked; the place waits for the next agent', async () => {
      seedEntry(db.sqlite, 'slot', { enteredAt: T0 - 100_000, callback: '+4915112345679' });
      seedAgent(db.sqlite, 'alice');
      const cli = db.other();
      let once = true;
      dispatcher(db.store, () => {
        if (once) cli.agents.apply('alice', { type: 'logout' }, Date.now(), RULES);
        once = false;
      }).start();
      await time.advance(1);
      expect(refused).to.deep.equal(['slot→alice']);
      expect(pairs()).to.deep.equal([]);
      expect(db.sqlite.entries.get('slot')).to.include({ state: 'pending', agentId: null });
      expect(db.sqlite.legs.open()).to.deep.equal([]);
      seedAgent(db.sqlite, 'bob');
      events.emit({ type: 'dispatch-needed', reason: 'agent bob available' });
      await time.advance(1);
      expect(pairs()).to.deep.equal(['slot→bob']);
    });
  });

  it('a change made by another connection (the admin CLI logs an agent in) starts a round', async () => {
    seedEntry(db.sqlite, 'slot', { enteredAt: T0 - 100_000, callback: '+4915112345679' });
    seedAgent(db.sqlite, 'alice', { state: 'logged-out' });
    dispatcher().start();
    await time.advance(5);
    expect(pairs()).to.deep.equal([]);
    db.other().agents.apply('alice', { type: 'login' }, Date.now(), RULES);
    await time.advance(5);
    expect(pairs()).to.deep.equal(['slot→alice']);
  });

  it('stop() is idempotent, and a stopped dispatcher offers nothing more', async () => {
    seedAgent(db.sqlite, 'alice');
    const d = dispatcher();
    d.start();
    d.stop();
    d.stop();
    seedEntry(db.sqlite, 'slot', { enteredAt: T0 - 100_000, callback: '+4915112345679' });
    events.emit({ type: 'dispatch-needed', reason: 'test' });
    db.other().agents.apply('alice', { type: 'logout' }, Date.now(), RULES);
    await time.advance(30);
    expect(pairs()).to.deep.equal([]);
  });
});
