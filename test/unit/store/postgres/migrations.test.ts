import { expect } from 'chai';
import pg from 'pg';
import { StoreError } from '../../../../src/app/store-errors';
import { migrate } from '../../../../src/store/postgres/migrate';
import { pgMigrations } from '../../../../src/store/postgres/migrations';
import { usePostgres } from './pg-fixture';

describe('store/postgres: schema migrations', () => {
  const fx = usePostgres();
  const client = async (database: string): Promise<pg.Client> => {
    const c = new pg.Client({
      host: fx.cluster().host,
      port: fx.cluster().port,
      user: fx.cluster().user,
      password: fx.cluster().password,
      database,
    });
    await c.connect();
    return c;
  };

  it('numbers migrations 1..N without gaps, so a new one is appended, never inserted', () => {
    expect(pgMigrations.map((m) => m.version)).to.deep.equal(pgMigrations.map((_, i) => i + 1));
  });

  it('migrates once when several nodes start against one empty database at the same moment', async function () {
    this.timeout(20_000);
    const db = await fx.database();
    const stores = await Promise.all([fx.open(db), fx.open(db), fx.open(db)]);
    const applied = stores.map((s) => s.migration.applied);
    expect(applied.filter((a) => a.length > 0)).to.deep.equal([pgMigrations.map((m) => m.version)]);
    expect(stores.map((s) => s.migration.version)).to.deep.equal([1, 1, 1].map(() => pgMigrations.length));
    const c = await client(db);
    try {
      const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).to.deep.equal(pgMigrations.map((m) => m.version));
    } finally {
      await c.end();
    }
  });

  it('finds nothing to do on a database that is up to date', async () => {
    const db = await fx.database();
    await (await fx.open(db)).close();
    expect((await fx.open(db)).migration.applied).to.deep.equal([]);
  });

  it('refuses a database migrated by a newer callbackd instead of guessing', async () => {
    const db = await fx.database();
    await (await fx.open(db)).close();
    const c = await client(db);
    await c.query(`INSERT INTO schema_migrations (version, name) VALUES (${pgMigrations.length + 1}, 'from the future')`);
    await c.end();
    const err = await fx.open(db).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(StoreError);
    expect((err as StoreError).code).to.equal('STORE_TOO_NEW');
  });

  it('rolls a failing migration back entirely and says which one failed', async () => {
    const db = await fx.database();
    const c = await client(db);
    try {
      const bad = [{ version: 1, name: 'half', up: 'CREATE TABLE half_done (x int); SELECT no_such_function();' }];
      const err = await migrate(c, bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as StoreError).code).to.equal('STORE_MIGRATION_FAILED');
      expect((err as StoreError).message).to.contain('migration 1 (half)');
      const { rows } = await c.query(`SELECT to_regclass('half_done') AS t`);
      expect(rows[0]).to.deep.equal({ t: null });
    } finally {
      await c.end();
    }
  });
});
