import { expect } from 'chai';
import pg from 'pg';
import { RULES, T0, join, seed } from './port-scenario';
import { usePostgres } from './pg-fixture';

describe('store/postgres: the per-entry ordering promise over a pool', () => {
  const fx = usePostgres();

  it('applies a leave submitted right after its join (neither awaited) after the join, for every caller', async function () {
    this.timeout(20_000);
    const store = await fx.open(await fx.database());
    await seed(store);
    const ids = Array.from({ length: 40 }, (_, i) => `q${i}`);
    await Promise.all(ids.flatMap((id, i) => [join(store, id, T0 + i), store.callers.leave(id, T0 + 1000 + i, 'abandoned')]));
    const states = await Promise.all(ids.map(async (id) => (await store.callers.entry(id))?.state));
    expect(states).to.deep.equal(ids.map(() => 'left'));
  });

  it('keeps join, request, offer, leg up and accept of one entry in submission order', async function () {
    this.timeout(20_000);
    const store = await fx.open(await fx.database());
    await seed(store);
    await store.agents.apply('alice', { type: 'login' }, T0, RULES);
    const joined = join(store, 'e1', T0 + 1);
    const requested = store.callers.requestCallback({ entryId: 'e1', number: '+4917011', requestedAt: T0 + 2, language: 'de' });
    const entry = { id: 'e1', kind: 'callback' } as Parameters<typeof store.delivery.offer>[0];
    const offered = store.delivery.offer(
      entry,
      'alice',
      { id: 'leg-1', entryId: 'e1', role: 'agent', agentId: 'alice', at: T0 + 3 },
      RULES,
    );
    const up = store.delivery.legUp('leg-1', T0 + 4);
    const accepted = store.delivery.acceptCallback(
      'e1',
      'alice',
      {
        subject: 's',
        requester: 'r',
        reason: 'callback-accepted',
        queue: 'support',
        did: null,
        entryId: 'e1',
        agentId: 'alice',
        waitedSeconds: 0,
        createdAt: T0 + 5,
      },
      RULES,
    );
    await joined;
    expect(await requested).to.deep.equal({ kind: 'created', entryId: 'e1' });
    expect(await offered).to.equal(true);
    await up;
    expect((await accepted)?.entryId).to.equal('e1');
    expect((await store.delivery.leg('leg-1'))?.state).to.equal('up');
    expect((await store.callers.entry('e1'))?.state).to.equal('dialing');
  });

  it("does not hold one entry's writes behind another entry whose row is locked", async function () {
    this.timeout(20_000);
    const db = await fx.database();
    const store = await fx.open(db);
    await seed(store);
    await join(store, 'stuck', T0);
    const c = fx.cluster();
    const other = new pg.Client({ host: c.host, port: c.port, user: c.user, password: c.password, database: db });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT * FROM queue_entries WHERE id = 'stuck' FOR UPDATE`);
      let leftStuck = false;
      const leaving = store.callers.leave('stuck', T0 + 10, 'abandoned').then(() => (leftStuck = true));
      await join(store, 'free', T0 + 20);
      await store.callers.leave('free', T0 + 30, 'abandoned');
      expect((await store.callers.entry('free'))?.state).to.equal('left');
      expect(leftStuck).to.equal(false);
      await other.query('ROLLBACK');
      await leaving;
      expect((await store.callers.entry('stuck'))?.state).to.equal('left');
    } finally {
      await other.end();
    }
  });
});
