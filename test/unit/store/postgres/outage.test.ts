// A PostgreSQL outage must behave like the SQLite lock today: the request fails soon with a typed
// StoreError (the caller is told "could not be saved"), nothing waits forever, and work resumes when
// the server is back.
import { expect } from 'chai';
import pg from 'pg';
import type { StoreChange } from '../../../../src/app/ports';
import { StoreError } from '../../../../src/app/store-errors';
import { T0, join, seed } from './port-scenario';
import { usePostgres } from './pg-fixture';

async function failure(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(StoreError);
  return err as StoreError;
}

describe('store/postgres: outage and time limits', () => {
  const fx = usePostgres();

  it('fails verbs with STORE_UNAVAILABLE while the server is down, and works again once it is back', async function () {
    this.timeout(60_000);
    const db = await fx.database();
    const store = await fx.open(db, { connectTimeoutMs: 1000, statementTimeoutMs: 1000 });
    await seed(store);
    await join(store, 'before', T0);
    const changes: StoreChange[] = [];
    store.changes.subscribe((c) => changes.push(c));
    await store.changesReady();
    changes.length = 0; // the first LISTEN's own 'unknown': the one asserted below must come from the reconnect

    fx.cluster().pause();
    try {
      const started = Date.now();
      const write = await failure(join(store, 'during', T0 + 1));
      const read = await failure(store.callers.entry('before'));
      expect(write.code).to.equal('STORE_UNAVAILABLE');
      expect(read.code).to.equal('STORE_UNAVAILABLE');
      expect(Date.now() - started, 'failed soon, not after a hang').to.be.below(5000);
      const probe = await store.probeWrite();
      expect(probe.ok).to.equal(false);
    } finally {
      fx.cluster().resume();
    }

    await join(store, 'after', T0 + 2);
    expect((await store.callers.entry('after'))?.state).to.equal('waiting');
    expect(await store.probeWrite()).to.deep.equal({ ok: true });
    // The feed reconnects by itself and says that it may have missed something.
    const deadline = Date.now() + 15_000;
    while (!changes.some((c) => c.topic === 'unknown') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(changes).to.deep.include({ topic: 'unknown' });
  });

  it("fails a write stuck behind another transaction's row lock with STORE_LOCKED after the statement timeout", async function () {
    this.timeout(20_000);
    const db = await fx.database();
    const store = await fx.open(db, { statementTimeoutMs: 300 });
    await seed(store);
    await join(store, 'e1', T0);
    const c = fx.cluster();
    const other = new pg.Client({ host: c.host, port: c.port, user: c.user, password: c.password, database: db });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT * FROM queue_entries WHERE id = 'e1' FOR UPDATE`);
      const started = Date.now();
      const err = await failure(store.callers.requestCallback({ entryId: 'e1', number: '+4917011', requestedAt: T0 + 1, language: 'de' }));
      expect(err.code).to.equal('STORE_LOCKED');
      expect(Date.now() - started).to.be.below(3000);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    // The entry's later writes are not stuck behind the failed one.
    await store.callers.leave('e1', T0 + 2, 'abandoned');
    expect((await store.callers.entry('e1'))?.state).to.equal('left');
  });

  it('reports an unknown database as STORE_OPEN_FAILED when opening', async () => {
    const err = await failure(fx.open('no_such_database'));
    expect(err.code).to.equal('STORE_OPEN_FAILED');
  });
});
