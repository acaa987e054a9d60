// One throwaway PostgreSQL cluster per test file (test/harness/postgres.ts) and a fresh database per
// test, with the adapter opened on it the way the daemon opens it (URL without password + password).
import type { PgCluster } from '../../../harness/postgres';
import { startPostgres } from '../../../harness/postgres';
import { openPostgresStore, type PgStoreOptions, type PostgresStore } from '../../../../src/store/postgres/pg-app-store';

export interface PgFixture {
  cluster(): PgCluster;
  /** A fresh database; stores opened on it are closed after the test. */
  database(): Promise<string>;
  open(database: string, opts?: Partial<PgStoreOptions>): Promise<PostgresStore>;
}

/** Call inside a describe(): starts the cluster before its tests and removes it after them. */
export function usePostgres(): PgFixture {
  let cluster: PgCluster | undefined;
  const opened: PostgresStore[] = [];
  before(async function () {
    this.timeout(60_000);
    cluster = await startPostgres();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  after(() => cluster?.stop());
  const c = (): PgCluster => {
    if (!cluster) throw new Error('cluster not started');
    return cluster;
  };
  return {
    cluster: c,
    database: () => c().createDatabase(),
    open: async (database, opts = {}) => {
      const store = await openPostgresStore({ url: c().url(database), password: c().password, ...opts });
      opened.push(store);
      return store;
    },
  };
}
