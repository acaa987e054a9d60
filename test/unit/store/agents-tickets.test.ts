import { expect } from 'chai';
import type { NewTicket } from '../../../src/app/ports';
import { StoreError } from '../../../src/store/sqlite/errors';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { makeTmpDir, type TmpDir } from './tmp-db';

function storeError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(StoreError);
    return err as StoreError;
  }
  return expect.fail('expected a StoreError');
}

describe('store/agents repo', () => {
  let tmp: TmpDir;
  let store: SqliteStore;

  beforeEach(() => {
    tmp = makeTmpDir();
    store = openStore(tmp.file());
    for (const name of ['sales', 'support', 'billing'])
      store.queues.upsert({ name, maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('adds an agent logged out and online, with its queues sorted', () => {
    const added = store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['support', 'sales'] }, 1000);

    expect(added).to.deep.equal({
      id: 'alice',
      name: 'Alice',
      endpoint: 'PJSIP/1001',
      queues: ['sales', 'support'],
      state: 'logged-out',
      stateSince: 1000,
      idleSince: null,
      missed: 0,
      online: true,
    });
    expect(store.agents.get('alice')).to.deep.equal(added);
    expect(store.agents.byEndpoint('PJSIP/1001')).to.deep.equal(added);
    expect(store.agents.get('nobody')).to.equal(undefined);
    expect(store.agents.byEndpoint('PJSIP/9999')).to.equal(undefined);
  });

  it('lists agents ordered by id, each with its own queues', () => {
    store.agents.add({ id: 'carol', name: 'Carol', endpoint: 'PJSIP/1003', queues: [] }, 1000);
    store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['support', 'billing'] }, 1000);
    store.agents.add({ id: 'bob', name: 'Bob', endpoint: 'PJSIP/1002', queues: ['sales'] }, 1000);

    expect(store.agents.list().map((a) => [a.id, a.queues])).to.deep.equal([
      ['alice', ['billing', 'support']],
      ['bob', ['sales']],
      ['carol', []],
    ]);
  });

  it('refuses a duplicate endpoint or id, and a queue that is not configured, adding nothing', () => {
    store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['sales'] }, 1000);

    const attempts = [
      { id: 'bob', name: 'Bob', endpoint: 'PJSIP/1001', queues: ['sales'] },
      { id: 'alice', name: 'Alice 2', endpoint: 'PJSIP/1009', queues: [] },
      { id: 'dave', name: 'Dave', endpoint: 'PJSIP/1004', queues: ['sales', 'no-such-queue'] },
    ];
    for (const a of attempts) expect(storeError(() => store.agents.add(a, 2000)).code, a.id).to.equal('STORE_CONSTRAINT');

    expect(store.agents.list().map((a) => a.id)).to.deep.equal(['alice']);
    expect(store.agents.get('alice')?.name).to.equal('Alice');
  });

  it('updates name and endpoint, and replaces the queues only when given', () => {
    store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['sales'] }, 1000);

    expect(store.agents.update('alice', { name: 'Alice B.' })).to.deep.include({
      name: 'Alice B.',
      endpoint: 'PJSIP/1001',
      queues: ['sales'],
    });
    expect(store.agents.update('alice', { endpoint: 'PJSIP/2001', queues: ['support', 'billing'] })).to.deep.include({
      name: 'Alice B.',
      endpoint: 'PJSIP/2001',
      queues: ['billing', 'support'],
    });
    expect(store.agents.update('alice', { queues: [] }).queues).to.deep.equal([]);
  });

  it('rolls an update back completely when the new queues are refused', () => {
    store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['sales'] }, 1000);
    store.agents.add({ id: 'bob', name: 'Bob', endpoint: 'PJSIP/1002', queues: [] }, 1000);

    expect(storeError(() => store.agents.update('alice', { name: 'X', queues: ['support', 'no-such-queue'] })).code).to.equal(
      'STORE_CONSTRAINT',
    );
    expect(storeError(() => store.agents.update('alice', { endpoint: 'PJSIP/1002' })).code, 'endpoint taken').to.equal('STORE_CONSTRAINT');
    expect(storeError(() => store.agents.update('nobody', { name: 'X' })).code, 'unknown agent').to.equal('STORE_CONSTRAINT');

    expect(store.agents.get('alice')).to.deep.include({ name: 'Alice', endpoint: 'PJSIP/1001', queues: ['sales'] });
  });

  it('removes an agent together with its queue memberships', () => {
    store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['sales'] }, 1000);

    expect(store.agents.remove('alice')).to.equal(true);
    expect(store.agents.remove('alice')).to.equal(false);
    expect(store.agents.get('alice')).to.equal(undefined);
    // Same id again starts with a clean membership list.
    expect(store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: [] }, 2000).queues).to.deep.equal([]);
  });

  it('stamps idle_since when an agent becomes available and keeps it through other states', () => {
    store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['sales'] }, 1000);

    store.agents.setState('alice', 'available', 2000);
    expect(store.agents.get('alice')).to.deep.include({ state: 'available', stateSince: 2000, idleSince: 2000, missed: 0 });

    store.agents.setState('alice', 'ringing', 3000);
    expect(store.agents.get('alice')).to.deep.include({ state: 'ringing', stateSince: 3000, idleSince: 2000 });

    store.agents.setState('alice', 'available', 4000, 1);
    expect(store.agents.get('alice')).to.deep.include({ state: 'available', stateSince: 4000, idleSince: 4000, missed: 1 });

    store.agents.setState('alice', 'busy', 5000);
    expect(store.agents.get('alice')).to.deep.include({ state: 'busy', idleSince: 4000, missed: 1 }, 'missed kept when not given');
    store.agents.setState('alice', 'wrap-up', 6000, 0);
    expect(store.agents.get('alice')).to.deep.include({ state: 'wrap-up', stateSince: 6000, missed: 0 });
  });

  it('marks an agent offline and online by endpoint', () => {
    store.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: [] }, 1000);
    store.agents.setOnline('PJSIP/1001', false);
    expect(store.agents.get('alice')?.online).to.equal(false);
    store.agents.setOnline('PJSIP/1001', true);
    expect(store.agents.get('alice')?.online).to.equal(true);
  });
});

describe('store/tickets repo', () => {
  let tmp: TmpDir;
  let store: SqliteStore | undefined;

  const open = (ticketOutbox: boolean): SqliteStore => (store = openStore(tmp.file(), { ticketOutbox }));
  /** What the webhook deliverer would send at `now`: rows are given to the sink first, as it does. */
  const due = (s: SqliteStore, now: number) => {
    s.outbox.assign(['webhook']);
    return s.outbox.due('webhook', now, 10);
  };
  const ticket = (over: Partial<NewTicket> = {}): NewTicket => ({
    subject: 'Callback +491701234567',
    requester: '+491701234567',
    reason: 'callback-accepted',
    queue: 'sales',
    did: '+4930123456',
    entryId: 'entry-1',
    agentId: 'alice',
    waitedSeconds: 95,
    createdAt: 10_000,
    ...over,
  });

  beforeEach(() => {
    tmp = makeTmpDir();
  });
  afterEach(() => {
    store?.close();
    store = undefined;
    tmp.cleanup();
  });

  it('creates a ticket and reads it back', () => {
    const s = open(false);
    const t = s.tickets.create(ticket());
    expect(t).to.deep.equal({ id: t.id, ...ticket() });
    expect(s.tickets.get(t.id)).to.deep.equal(t);
    expect(s.tickets.get(t.id + 1)).to.equal(undefined);
  });

  it('creates one ticket per entry and reason: a repeated call returns the same ticket and one outbox row', () => {
    const s = open(true);
    const first = s.tickets.create(ticket());
    const again = s.tickets.create(ticket({ createdAt: 20_000, agentId: 'bob' }));
    const expired = s.tickets.create(ticket({ reason: 'callback-expired', agentId: null }));

    expect(again).to.deep.equal(first);
    expect(expired.id).to.not.equal(first.id);
    expect(
      s.tickets
        .list()
        .map((t) => t.id)
        .sort(),
    ).to.deep.equal([first.id, expired.id].sort());
    expect(s.outbox.backlog()).to.equal(2);
    expect(due(s, Number.MAX_SAFE_INTEGER).map((o) => [o.kind, o.ticketId])).to.deep.equal([
      ['ticket', first.id],
      ['ticket', expired.id],
    ]);
  });

  it('does not deduplicate tickets that belong to no entry', () => {
    const s = open(false);
    const a = s.tickets.create(ticket({ entryId: null }));
    const b = s.tickets.create(ticket({ entryId: null }));
    expect(a.id).to.not.equal(b.id);
  });

  it('writes the ticket as JSON into the outbox, due at its creation time', () => {
    const s = open(true);
    const t = s.tickets.create(ticket());

    expect(due(s, 9_999)).to.deep.equal([]);
    const [item] = due(s, 10_000);
    expect(item).to.deep.include({ kind: 'ticket', ticketId: t.id, attempts: 0, nextAttemptAt: 10_000, lastError: null });
    expect(item?.payload).to.deep.equal({
      id: t.id,
      subject: 'Callback +491701234567',
      requester: '+491701234567',
      reason: 'callback-accepted',
      queue: 'sales',
      did: '+4930123456',
      entryId: 'entry-1',
      agentId: 'alice',
      waitedSeconds: 95,
      createdAt: 10_000,
    });
  });

  it('adds comments, internal by default, listed oldest first, each queued when the outbox is on', () => {
    const s = open(true);
    const t = s.tickets.create(ticket());

    const note = s.tickets.addComment(t.id, 'Customer asked for a quote', 11_000);
    const pub = s.tickets.addComment(t.id, 'We called you back', 12_000, false);

    expect(note).to.deep.include({ ticketId: t.id, body: 'Customer asked for a quote', internal: true, createdAt: 11_000 });
    expect(s.tickets.comments(t.id)).to.deep.equal([note, pub]);
    expect(s.tickets.comments(t.id + 99)).to.deep.equal([]);
    const items = due(s, Number.MAX_SAFE_INTEGER);
    expect(
      items.map((i) => i.kind),
      'a comment waits for its ticket',
    ).to.deep.equal(['ticket']);
    s.outbox.delivered(items[0].id, 13_000);
    const comments = due(s, Number.MAX_SAFE_INTEGER);
    expect(comments.map((i) => i.payload)).to.deep.equal([
      { ticketId: t.id, body: 'Customer asked for a quote', internal: true, createdAt: 11_000 },
    ]);
    s.outbox.delivered(comments[0].id, 13_000);
    expect(due(s, Number.MAX_SAFE_INTEGER).map((i) => i.payload)).to.deep.equal([
      { ticketId: t.id, body: 'We called you back', internal: false, createdAt: 12_000 },
    ]);
  });

  it('refuses a comment on an unknown ticket', () => {
    const s = open(true);
    expect(storeError(() => s.tickets.addComment(404, 'x', 1000)).code).to.equal('STORE_CONSTRAINT');
    expect(s.outbox.backlog()).to.equal(0);
  });

  it('writes no outbox rows when external delivery is off', () => {
    const s = open(false);
    const t = s.tickets.create(ticket());
    s.tickets.addComment(t.id, 'note', 11_000);
    expect(s.outbox.backlog()).to.equal(0);
    expect(due(s, Number.MAX_SAFE_INTEGER)).to.deep.equal([]);
  });

  it('lists tickets newest first, filtered by since and limited (default 100)', () => {
    const s = open(false);
    for (let i = 0; i < 105; i++) s.tickets.create(ticket({ entryId: `e${i}`, createdAt: 1000 + i }));

    expect(s.tickets.list()).to.have.length(100);
    expect(s.tickets.list()[0]?.entryId).to.equal('e104');
    expect(s.tickets.list({ limit: 3 }).map((t) => t.entryId)).to.deep.equal(['e104', 'e103', 'e102']);
    expect(s.tickets.list({ since: 1102 }).map((t) => t.entryId)).to.deep.equal(['e104', 'e103', 'e102']);
  });

  it('tracks failures, deliveries and purges in the outbox', () => {
    const s = open(true);
    const t = s.tickets.create(ticket());
    const [item] = due(s, 10_000);

    s.outbox.failed(item.id, 10_000, 'HTTP 500', 15_000);
    expect(due(s, 14_999)).to.deep.equal([]);
    expect(due(s, 15_000)[0]).to.deep.include({ attempts: 1, lastError: 'HTTP 500', nextAttemptAt: 15_000 });
    expect(s.outbox.backlog()).to.equal(1);

    s.outbox.delivered(item.id, 16_000);
    expect(s.outbox.backlog()).to.equal(0);
    expect(s.outbox.purgeDelivered(16_000), 'not older than the cut-off').to.equal(0);
    expect(s.outbox.purgeDelivered(16_001)).to.equal(1);
    expect(s.tickets.get(t.id), 'the ticket itself stays').to.not.equal(undefined);
  });
});
