// The store contract against the PostgreSQL adapter: a throwaway cluster (test/harness/postgres.ts) for
// the whole run, a fresh database per subject, opened the way the daemon opens it (URL without password,
// the password beside it, ticket outbox on); second() is another pool on the same database, as a second
// node or the admin CLI would have.
import type { Store } from '../../src/app/ports';
import { openPostgresStore } from '../../src/store/postgres/pg-app-store';
import { type PgCluster, startPostgres } from '../harness/postgres';
import { describeStoreContract } from './store-contract';

let cluster: PgCluster | undefined;
before(async function () {
  this.timeout(60_000);
  cluster = await startPostgres();
});
after(() => cluster?.stop());

describeStoreContract('postgres', async () => {
  if (!cluster) throw new Error('PostgreSQL cluster not started');
  const c = cluster;
  const database = await c.createDatabase('contract');
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await openPostgresStore({ url: c.url(database), password: c.password, ticketOutbox: true });
    opened.push(store);
    return store;
  };
  return {
    store: await open(),
    second: open,
    close: async () => {
      for (const s of opened) await s.close();
    },
  };
});
