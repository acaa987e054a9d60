// The ticket outbox with more than one sink: assignment, per-sink order, dead letters, retries, links,
// and the upgrade of a database whose outbox rows were all webhook rows.
import { expect } from 'chai';
import type { NewTicket } from '../../../src/app/ports';
import { openDatabase } from '../../../src/store/sqlite/db';
import { migrations } from '../../../src/store/sqlite/migrations';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { makeTmpDir, type TmpDir } from './tmp-db';

const ticket = (entryId: string, createdAt = 10_000): NewTicket => ({
  subject: 'Callback',
  requester: '+491701234567',
  reason: 'callback-accepted',
  queue: 'sales',
  did: '+4930123456',
  entryId,
  agentId: 'alice',
  waitedSeconds: 95,
  createdAt,
});

const NOW = 1_000_000;

describe('store/outbox repo', () => {
  let tmp: TmpDir;
  let store: SqliteStore;

  beforeEach(() => {
    tmp = makeTmpDir();
    store = openStore(tmp.file(), { ticketOutbox: true });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('writes rows without a sink and copies each to every configured sink, keeping the ticket before its comment', () => {
    const t = store.tickets.create(ticket('e1'));
    store.tickets.addComment(t.id, 'not answered', 11_000);
    expect(store.outbox.list().map((i) => i.sink)).to.deep.equal([null, null]);
    expect(store.outbox.due('webhook', NOW, 10), 'nothing is due before assignment').to.deep.equal([]);

    expect(store.outbox.assign(['webhook', 'zendesk'])).to.equal(2);
    expect(store.outbox.assign(['webhook', 'zendesk']), 'assigning again changes nothing').to.equal(0);

    for (const sink of ['webhook', 'zendesk'] as const) {
      const [first] = store.outbox.due(sink, NOW, 10);
      expect(first, sink).to.deep.include({ sink, kind: 'ticket', ticketId: t.id, attempts: 0, nextAttemptAt: 10_000 });
      store.outbox.delivered(first.id, NOW);
      const [comment] = store.outbox.due(sink, NOW, 10);
      expect(comment, sink).to.deep.include({ sink, kind: 'comment', ticketId: t.id });
      expect(comment.payload).to.deep.equal({ ticketId: t.id, body: 'not answered', internal: true, createdAt: 11_000 });
    }
    expect(store.outbox.backlog()).to.equal(2);
  });

  it('gives a sink only the rows assigned while it was configured', () => {
    store.tickets.create(ticket('before'));
    store.outbox.assign(['webhook']);
    const later = store.tickets.create(ticket('later'));
    store.outbox.assign(['webhook', 'zendesk']);

    expect(store.outbox.due('zendesk', NOW, 10).map((i) => i.ticketId)).to.deep.equal([later.id]);
    expect(store.outbox.due('webhook', NOW, 10)).to.have.length(2);
  });

  it('keeps one sink going while the other waits for its backoff', () => {
    store.tickets.create(ticket('e1'));
    store.outbox.assign(['webhook', 'zendesk']);
    const [hook] = store.outbox.due('webhook', NOW, 10);
    store.outbox.failed(hook.id, NOW, 'HTTP 503', NOW + 5000);

    expect(store.outbox.due('webhook', NOW, 10)).to.deep.equal([]);
    expect(store.outbox.due('zendesk', NOW, 10)).to.have.length(1);
  });

  it('stops attempting a dead row, keeps its error, and holds back the comments of that ticket in that sink', () => {
    const t = store.tickets.create(ticket('e1'));
    const c = store.tickets.addComment(t.id, 'note', 11_000);
    store.outbox.assign(['zendesk']);
    const [row] = store.outbox.due('zendesk', NOW, 10);

    store.outbox.dead(row.id, NOW, 'HTTP 422: requester invalid');

    expect(store.outbox.due('zendesk', Number.MAX_SAFE_INTEGER, 10)).to.deep.equal([]);
    expect(store.outbox.get(row.id)).to.deep.include({ attempts: 1, deadAt: NOW, lastError: 'HTTP 422: requester invalid' });
    const listed = store.outbox.list();
    expect(listed.map((i) => [i.kind, i.deadAt, i.blockedBy])).to.deep.equal([
      ['ticket', NOW, null],
      ['comment', null, row.id],
    ]);
    expect(listed[1].payload).to.deep.include({ body: c.body });
    expect(store.outbox.list({ dead: true }).map((i) => i.id)).to.deep.equal([row.id]);
    expect(store.outbox.backlog(), 'dead rows are still undelivered').to.equal(2);
  });

  it('retries a dead row at once, keeping its attempts; refuses delivered and unknown rows', () => {
    store.tickets.create(ticket('e1'));
    store.tickets.create(ticket('e2'));
    store.outbox.assign(['webhook']);
    const [a, b] = store.outbox.due('webhook', NOW, 10);
    store.outbox.dead(a.id, NOW, 'HTTP 401');
    store.outbox.delivered(b.id, NOW);

    expect(store.outbox.retry(a.id, NOW + 60_000)).to.equal(true);
    expect(store.outbox.get(a.id)).to.deep.include({ deadAt: null, nextAttemptAt: NOW + 60_000, attempts: 1, lastError: 'HTTP 401' });
    expect(store.outbox.due('webhook', NOW + 60_000, 10).map((i) => i.id)).to.deep.equal([a.id]);
    expect(store.outbox.retry(b.id, NOW), 'delivered').to.equal(false);
    expect(store.outbox.retry(9999, NOW), 'unknown').to.equal(false);
  });

  it('retries all dead rows and says which', () => {
    for (const e of ['e1', 'e2', 'e3']) store.tickets.create(ticket(e));
    store.outbox.assign(['webhook']);
    const [a, , c] = store.outbox.due('webhook', NOW, 10);
    store.outbox.dead(a.id, NOW, 'HTTP 400');
    store.outbox.dead(c.id, NOW, 'HTTP 404');

    const retried = store.outbox.retryAllDead(NOW + 1);
    expect(retried.map((i) => [i.id, i.lastError])).to.deep.equal([
      [a.id, 'HTTP 400'],
      [c.id, 'HTTP 404'],
    ]);
    expect(store.outbox.list({ dead: true })).to.deep.equal([]);
    expect(store.outbox.retryAllDead(NOW + 2)).to.deep.equal([]);
  });

  it('remembers the external id of a ticket per sink', () => {
    const t = store.tickets.create(ticket('e1'));
    expect(store.outbox.externalId(t.id, 'zendesk')).to.equal(undefined);
    store.outbox.linkExternal(t.id, 'zendesk', '35436', NOW);
    expect(store.outbox.externalId(t.id, 'zendesk')).to.equal('35436');
    expect(store.outbox.externalId(t.id, 'webhook')).to.equal(undefined);
    store.outbox.linkExternal(t.id, 'zendesk', '35437', NOW);
    expect(store.outbox.externalId(t.id, 'zendesk'), 'a later link replaces the earlier').to.equal('35437');
  });
});

describe('store migration 004 (ticket sinks)', () => {
  let tmp: TmpDir;
  beforeEach(() => {
    tmp = makeTmpDir();
  });
  afterEach(() => tmp.cleanup());

  it('turns the outbox rows of a version-3 database into webhook rows with their state intact', () => {
    const path = tmp.file();
    const v3 = openDatabase(path, migrations.slice(0, 3));
    v3.prepare(
      `INSERT INTO tickets (id, subject, requester, reason, created_at) VALUES (7, 'Callback', '+491701234567', 'callback-expired', 1000)`,
    ).run();
    v3.prepare(
      `INSERT INTO ticket_outbox (kind, ticket_id, payload, attempts, next_attempt_at, last_error, created_at)
       VALUES ('ticket', 7, '{"id":7}', 3, 90000, 'HTTP 502', 1000)`,
    ).run();
    v3.close();

    const store = openStore(path, { ticketOutbox: true });
    try {
      const [row] = store.outbox.list();
      expect(row).to.deep.include({ sink: 'webhook', kind: 'ticket', ticketId: 7, attempts: 3, nextAttemptAt: 90000, deadAt: null });
      expect(row.lastError).to.equal('HTTP 502');
      expect(store.outbox.due('webhook', 90000, 10).map((i) => i.ticketId)).to.deep.equal([7]);
    } finally {
      store.close();
    }
  });
});
