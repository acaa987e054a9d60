// Two nodes (two Stores on one database) doing conflicting things at the same moment: the row locks
// must let exactly one of them win, as SQLite's single writer does.
import { expect } from 'chai';
import type { Store } from '../../../../src/app/ports';
import type { PostgresStore } from '../../../../src/store/postgres/pg-app-store';
import { RULES, T0, join, seed, ticketFor } from './port-scenario';
import { usePostgres } from './pg-fixture';

describe('store/postgres: races between two nodes', () => {
  const fx = usePostgres();
  let a: PostgresStore;
  let b: PostgresStore;

  beforeEach(async function () {
    this.timeout(20_000);
    const db = await fx.database();
    a = await fx.open(db, { ticketOutbox: true });
    b = await fx.open(db, { ticketOutbox: true });
    await seed(a);
    await a.agents.apply('alice', { type: 'login' }, T0, RULES);
    await a.agents.apply('bob', { type: 'login' }, T0, RULES);
  });

  const pending = async (store: Store, id: string, at: number, number = `+49170${at}`) => {
    await join(store, id, at);
    await store.callers.requestCallback({ entryId: id, number, requestedAt: at + 1, language: 'de' });
    return (await store.callers.entry(id))!;
  };

  it('offers one pending callback to one agent only when two nodes offer it at once', async function () {
    this.timeout(20_000);
    for (let i = 0; i < 10; i++) {
      const e = await pending(a, `o${i}`, T0 + i * 10);
      const results = await Promise.all([
        a.delivery.offer(e, 'alice', { id: `la${i}`, entryId: e.id, role: 'agent', agentId: 'alice', at: T0 + 5 }, RULES),
        b.delivery.offer(e, 'bob', { id: `lb${i}`, entryId: e.id, role: 'agent', agentId: 'bob', at: T0 + 5 }, RULES),
      ]);
      expect(results.filter(Boolean), `round ${i}`).to.have.length(1);
      const winner = results[0] ? 'alice' : 'bob';
      await a.delivery.returnToQueue(e.id, winner, T0 + 6, { type: 'released' }, 'test', RULES);
      await a.callbacks.cancel(e.id, T0 + 7, 'test');
    }
  });

  it('lets cancel and accept of an offered callback never both succeed', async function () {
    this.timeout(20_000);
    for (let i = 0; i < 10; i++) {
      const e = await pending(a, `c${i}`, T0 + i * 10);
      // Cancel refuses an offered slot: race it against the offer instead, then against the accept.
      const [offered, cancel] = await Promise.all([
        a.delivery.offer(e, 'alice', { id: `lc${i}`, entryId: e.id, role: 'agent', agentId: 'alice', at: T0 + 5 }, RULES),
        b.callbacks.cancel(e.id, T0 + 5, 'cli'),
      ]);
      expect(offered !== (cancel.kind === 'cancelled'), `round ${i}: offered ${offered}, cancel ${cancel.kind}`).to.equal(true);
      if (offered) {
        const [ticket, late] = await Promise.all([
          a.delivery.acceptCallback(e.id, 'alice', ticketFor(e.id, T0 + 6), RULES),
          b.callbacks.cancel(e.id, T0 + 6, 'cli'),
        ]);
        expect(ticket?.entryId).to.equal(e.id);
        expect(late.kind).to.equal('refused');
        expect((await a.callers.entry(e.id))?.state).to.equal('dialing');
        await a.delivery.finishUnanswered(e.id, 'alice', T0 + 7, 'test', null, RULES);
        await a.agents.apply('alice', { type: 'released' }, T0 + 8, RULES);
      } else {
        expect((await a.callers.entry(e.id))?.state).to.equal('cancelled');
      }
    }
  });

  it('merges two requests for one number from two nodes at once instead of failing on the unique index', async () => {
    await join(a, 'x1', T0 + 1);
    await join(b, 'x2', T0 + 2);
    const outcomes = await Promise.all([
      a.callers.requestCallback({ entryId: 'x1', number: '+4917099', requestedAt: T0 + 10, language: 'de' }),
      b.callers.requestCallback({ entryId: 'x2', number: '+4917099', requestedAt: T0 + 10, language: 'de' }),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).to.deep.equal(['created', 'updated']);
    expect((await a.reports.callbacks()).map((c) => c.callbackNumber)).to.deep.equal(['+4917099']);
  });

  it('counts the rate limit across nodes: two requests at once under a cap of one, one is refused', async () => {
    await join(a, 'r1', T0 + 1);
    await join(b, 'r2', T0 + 2);
    const limit = { key: 'caller:+49151', cap: 1, since: T0 };
    const outcomes = await Promise.all([
      a.callers.requestCallback({ entryId: 'r1', number: '+4917001', requestedAt: T0 + 10, language: 'de', limit }),
      b.callers.requestCallback({ entryId: 'r2', number: '+4917002', requestedAt: T0 + 10, language: 'de', limit }),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).to.deep.equal(['created', 'rate-limited']);
  });

  it('expires a callback once although two nodes sweep at the same moment, with one ticket', async () => {
    const e = await pending(a, 'x', T0);
    const tickets = await Promise.all([
      a.expiry.expire(e.id, ticketFor(e.id, T0 + 100, 'callback-expired'), T0 + 100, 'expired'),
      b.expiry.expire(e.id, ticketFor(e.id, T0 + 100, 'callback-expired'), T0 + 100, 'expired'),
    ]);
    expect(tickets.filter((t) => t !== null)).to.have.length(1);
    expect(await a.reports.tickets()).to.have.length(1);
  });

  it('assigns each outbox row to the sinks once when two nodes assign at the same moment', async () => {
    for (let i = 0; i < 5; i++)
      await a.expiry.expire(
        (await pending(a, `t${i}`, T0 + i * 10)).id,
        ticketFor(`t${i}`, T0 + 100, 'callback-expired'),
        T0 + 100,
        'expired',
      );
    const counts = await Promise.all([a.outbox.assign(['webhook', 'zendesk']), b.outbox.assign(['webhook', 'zendesk'])]);
    expect(counts[0] + counts[1]).to.equal(5);
    const rows = await a.outbox.list();
    expect(rows.filter((r) => r.sink === 'webhook')).to.have.length(5);
    expect(rows.filter((r) => r.sink === 'zendesk')).to.have.length(5);
  });
});
