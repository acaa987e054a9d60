// Brings a PostgreSQL database to the schema this callbackd knows. Several daemons (one per Asterisk
// node) may start at the same moment against one database: the whole check-and-apply runs under a
// session advisory lock, so exactly one of them migrates and the others wait, then find nothing to do.
// Each migration is one transaction together with its schema_migrations row.
import type pg from 'pg';
import { StoreError } from '../../app/store-errors';
import { pgMigrations, type PgMigration } from './migrations';

/** pg_advisory_lock key: 'callbackd' migrations, constant across versions so old and new nodes agree. */
export const MIGRATION_LOCK_KEY = 0x63_62_6d_67; // "cbmg"

export interface MigrateResult {
  /** Versions applied by this call (empty when another node had done it). */
  applied: number[];
  version: number;
}

export async function migrate(client: pg.ClientBase, migrations: readonly PgMigration[] = pgMigrations): Promise<MigrateResult> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    const known = migrations.length;
    if (current > known) {
      throw new StoreError(
        'STORE_TOO_NEW',
        `the database has schema version ${current}, this callbackd knows up to ${known}: it was migrated by a newer callbackd; refusing to use it`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations.slice(current)) {
      try {
        await client.query('BEGIN');
        await client.query(m.up);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const detail = err instanceof Error ? err.message : String(err);
        throw new StoreError('STORE_MIGRATION_FAILED', `schema migration ${m.version} (${m.name}) failed and was rolled back: ${detail}`, {
          cause: err,
        });
      }
      applied.push(m.version);
    }
    return { applied, version: Math.max(current, known) };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}
