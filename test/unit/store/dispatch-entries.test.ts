import { expect } from 'chai';
import type { EntriesRepo } from '../../../src/store/sqlite/repos';
import { openDatabase, type Db } from '../../../src/store/sqlite/db';
import { createEntriesRepo } from '../../../src/store/sqlite/entries-repo';
import { migration001 } from '../../../src/store/sqlite/migrations/001-initial';
import { migrations } from '../../../src/store/sqlite/migrations';
import { openStore } from '../../../src/store/sqlite/sqlite-store';
import { makeTmpDir, type TmpDir } from './tmp-db';

const Q = 'sales';
const DID = '+4930123456';

interface DispatchColumns {
  state: string;
  attempts: number;
  agent_id: string | null;
  agent_call_started_at: number | null;
  ticket_id: number | null;
  outcome: string | null;
  closed_at: number | null;
  entered_at: number;
}

describe('store/entries repo: dispatch of callbacks', () => {
  let tmp: TmpDir;
  let db: Db;
  let entries: EntriesRepo;

  const columns = (id: string): DispatchColumns =>
    db
      .prepare<[string], DispatchColumns>(
        'SELECT state, attempts, agent_id, agent_call_started_at, ticket_id, outcome, closed_at, entered_at FROM queue_entries WHERE id = ?',
      )
      .get(id) as DispatchColumns;
  const live = (id: string, enteredAt: number) =>
    entries.addLive({ id, queue: Q, did: DID, channelId: `chan-${id}`, callerId: null, enteredAt });
  /** A callback slot at place `enteredAt`, state pending. */
  const callback = (id: string, enteredAt: number) => {
    live(id, enteredAt);
    entries.requestCallback({ entryId: id, number: `+4917000${enteredAt}`, requestedAt: enteredAt + 100, language: 'de' });
  };
  const positions = (ids: string[]) => ids.map((id) => entries.position(id));

  beforeEach(() => {
    tmp = makeTmpDir();
    db = openDatabase(tmp.file());
    entries = createEntriesRepo(db);
  });
  afterEach(() => {
    if (db.open) db.close();
    tmp.cleanup();
  });

  it('offers only a pending callback, recording the agent', () => {
    callback('cb', 1000);
    live('w', 2000);

    expect(entries.markOffered('cb', 'alice', 5000)).to.equal(true);
    expect(columns('cb')).to.include({ state: 'offered', agent_id: 'alice' });

    expect(entries.markOffered('cb', 'bob', 5001), 'already offered').to.equal(false);
    expect(entries.markOffered('w', 'bob', 5001), 'live caller').to.equal(false);
    expect(entries.markOffered('nope', 'bob', 5001), 'unknown').to.equal(false);
    expect(columns('cb').agent_id).to.equal('alice');
    expect(columns('w')).to.include({ state: 'waiting', agent_id: null });
  });

  it('returns a declined slot to its original place, positions unchanged for all three entries', () => {
    callback('A', 1000);
    callback('B', 2000);
    callback('C', 3000);
    expect(positions(['A', 'B', 'C'])).to.deep.equal([1, 2, 3]);

    entries.markOffered('B', 'alice', 5000);
    expect(positions(['A', 'B', 'C']), 'while offered').to.deep.equal([1, 2, 3]);
    entries.returnToQueue('B', 6000);

    expect(positions(['A', 'B', 'C'])).to.deep.equal([1, 2, 3]);
    expect(columns('B')).to.include({ state: 'pending', agent_id: null, entered_at: 2000 });
    expect(entries.open(Q).map((e) => e.id)).to.deep.equal(['A', 'B', 'C']);
  });

  it('returns a dialing slot to pending too (customer did not answer, retries left)', () => {
    callback('cb', 1000);
    entries.markOffered('cb', 'alice', 5000);
    entries.markDialing('cb', { at: 6000, agentId: 'alice', ticketId: 7 });
    entries.returnToQueue('cb', 7000);
    expect(columns('cb')).to.include({ state: 'pending', agent_id: null, entered_at: 1000 });
    expect(entries.markOffered('cb', 'bob', 8000), 'can be offered again').to.equal(true);
  });

  it('marks an offered slot dialing with agent, ticket and the time the agent call started', () => {
    callback('cb', 1000);
    entries.markOffered('cb', 'alice', 5000);

    entries.markDialing('cb', { at: 6000, agentId: 'alice', ticketId: 42 });

    expect(columns('cb')).to.include({ state: 'dialing', agent_id: 'alice', agent_call_started_at: 6000, ticket_id: 42 });
    expect(entries.position('cb'), 'still open while dialing').to.equal(1);
  });

  it('does not start dialing a slot that is no longer offered', () => {
    callback('cb', 1000);
    entries.markOffered('cb', 'alice', 5000);
    entries.close('cb', 'cancelled', 5500, 'by admin');

    entries.markDialing('cb', { at: 6000, agentId: 'alice', ticketId: 42 });

    expect(columns('cb')).to.include({ state: 'cancelled', agent_call_started_at: null, ticket_id: null });
  });

  it('closes only open entries, recording closed_at and outcome', () => {
    callback('cb', 1000);
    live('w', 2000);
    entries.markOffered('cb', 'alice', 3000);
    entries.markDialing('cb', { at: 4000, agentId: 'alice', ticketId: 1 });

    expect(entries.close('cb', 'done', 5000, 'answered')).to.equal(true);
    expect(entries.close('w', 'done', 5000)).to.equal(true);

    expect(columns('cb')).to.include({ state: 'done', closed_at: 5000, outcome: 'answered', agent_id: 'alice' });
    expect(columns('w')).to.include({ state: 'done', closed_at: 5000, outcome: null });
    expect(entries.close('cb', 'expired', 6000, 'late'), 'already closed').to.equal(false);
    expect(entries.close('nope', 'cancelled', 6000), 'unknown').to.equal(false);
    expect(columns('cb')).to.include({ state: 'done', closed_at: 5000, outcome: 'answered' });
    expect(entries.open(Q)).to.deep.equal([]);
  });

  it('closes from every open state, never from a closed one', () => {
    callback('pending', 1000);
    callback('offered', 2000);
    callback('dialing', 3000);
    live('waiting', 4000);
    live('left', 5000);
    entries.leave('left', 5500);
    entries.markOffered('offered', 'a', 6000);
    entries.markOffered('dialing', 'b', 6000);
    entries.markDialing('dialing', { at: 6100, agentId: 'b', ticketId: 1 });

    const closed = ['pending', 'offered', 'dialing', 'waiting', 'left'].map((id) => entries.close(id, 'cancelled', 7000));

    expect(closed).to.deep.equal([true, true, true, true, false]);
    expect(columns('left').state).to.equal('left');
  });

  it('counts dial attempts and returns the new count', () => {
    callback('cb', 1000);
    expect(columns('cb').attempts).to.equal(0);
    expect(entries.countAttempt('cb', 2000)).to.equal(1);
    expect(entries.countAttempt('cb', 3000)).to.equal(2);
    expect(columns('cb').attempts).to.equal(2);
    expect(entries.countAttempt('nope', 3000)).to.equal(0);
  });

  // A fault (PBX restart, legs lost while the daemon was down) puts in-flight slots back one by one
  // (reconciliation decides which); the put-back itself keeps every place and never reopens a closed one.
  it('returns offered and dialing slots to pending at their place after a fault, leaving the rest alone', () => {
    callback('p', 1000);
    callback('o', 2000);
    callback('d', 3000);
    live('w', 4000);
    callback('done', 500);
    entries.markOffered('o', 'alice', 5000);
    entries.markOffered('d', 'bob', 5000);
    entries.markDialing('d', { at: 5100, agentId: 'bob', ticketId: 3 });
    entries.markOffered('done', 'carol', 5000);
    entries.close('done', 'done', 5200);

    expect(['o', 'd', 'done', 'p', 'w'].map((id) => entries.returnToQueue(id, 9000))).to.deep.equal([true, true, false, false, false]);

    expect(['p', 'o', 'd', 'w', 'done'].map((id) => columns(id).state)).to.deep.equal(['pending', 'pending', 'pending', 'waiting', 'done']);
    expect(columns('o').agent_id).to.equal(null);
    expect(columns('d').agent_id).to.equal(null);
    expect(positions(['p', 'o', 'd', 'w'])).to.deep.equal([1, 2, 3, 4]);
    expect(
      ['o', 'd'].map((id) => entries.returnToQueue(id, 9500)),
      'nothing left in flight',
    ).to.deep.equal([false, false]);
  });

  it('lists the live callers still waiting, in every queue, oldest first', () => {
    live('w2', 2000);
    entries.addLive({ id: 'other-queue', queue: 'support', did: DID, channelId: 'c', callerId: null, enteredAt: 1500 });
    live('w1', 1000);
    live('gone', 500);
    entries.leave('gone', 600);
    callback('cb', 100);

    expect(entries.waitingLive().map((e) => e.id)).to.deep.equal(['w1', 'other-queue', 'w2']);
    expect(entries.waitingLive()[0]).to.deep.include({ kind: 'live', state: 'waiting', channelId: 'chan-w1' });
  });
});

describe('store migration 002 (agents, tickets, dispatch columns)', () => {
  let tmp: TmpDir;

  beforeEach(() => {
    tmp = makeTmpDir();
  });
  afterEach(() => {
    tmp.cleanup();
  });

  it('upgrades a version-1 database with a live caller and a callback slot, keeping both intact', () => {
    const path = tmp.file();
    const v1 = openDatabase(path, [migration001]);
    expect(v1.pragma('user_version', { simple: true })).to.equal(1);
    v1.prepare(
      `INSERT INTO queue_entries (id, queue, did, kind, state, entered_at, channel_id, caller_id, updated_at)
                VALUES ('live-1', 'sales', '+4930123456', 'live', 'waiting', 1000, 'chan-1', '+491701', 1000)`,
    ).run();
    v1.prepare(
      `INSERT INTO queue_entries (id, queue, did, kind, state, entered_at, callback_number, requested_at, language, updated_at)
                VALUES ('cb-1', 'sales', '+4930123456', 'callback', 'pending', 2000, '+491702', 2500, 'de', 2500)`,
    ).run();
    v1.close();

    const store = openStore(path);
    try {
      expect(store.entries.get('live-1')).to.deep.equal({
        id: 'live-1',
        queue: 'sales',
        did: '+4930123456',
        kind: 'live',
        state: 'waiting',
        enteredAt: 1000,
        channelId: 'chan-1',
        callerId: '+491701',
        callbackNumber: null,
        requestedAt: null,
        firstRequestedAt: null,
        language: null,
        attempts: 0,
        agentId: null,
        ticketId: null,
      });
      expect(store.entries.open('sales').map((e) => e.id)).to.deep.equal(['live-1', 'cb-1']);
      expect(store.entries.position('cb-1')).to.equal(2);
      // The new parts work on the upgraded file.
      expect(store.entries.markOffered('cb-1', 'alice', 3000)).to.equal(true);
      expect(store.agents.list()).to.deep.equal([]);
    } finally {
      store.close();
    }

    const db = openDatabase(path);
    try {
      expect(db.pragma('user_version', { simple: true })).to.equal(migrations.length);
      const row = db
        .prepare('SELECT attempts, agent_id, agent_call_started_at, ticket_id, outcome FROM queue_entries WHERE id = ?')
        .get('live-1');
      expect(row).to.deep.equal({ attempts: 0, agent_id: null, agent_call_started_at: null, ticket_id: null, outcome: null });
    } finally {
      db.close();
    }
  });
});
