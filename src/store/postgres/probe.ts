// Readiness probe "can the daemon write to its database right now?" for /readyz, PostgreSQL flavour.
// It takes a pooled connection (bounded by the connect timeout) and asks, under a short statement
// timeout, whether the server takes writes: not a standby in recovery and not a read-only session
// (default_transaction_read_only, as a failed-over or maintenance server has). Nothing is written.
import type pg from 'pg';
import { redactUrl } from './errors';

export const PROBE_TIMEOUT_MS = 1000;

export function createPgProbe(pool: pg.Pool, url: string, timeoutMs = PROBE_TIMEOUT_MS): () => Promise<{ ok: boolean; detail?: string }> {
  return async () => {
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    try {
      client = await pool.connect();
      await client.query('BEGIN');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const { rows } = await client.query<{ recovery: boolean; ro: string }>(
        `SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS ro`,
      );
      await client.query('ROLLBACK');
      const r = rows[0];
      if (r?.recovery) return { ok: false, detail: `database ${redactUrl(url)} is a standby in recovery (read-only)` };
      if (r?.ro === 'on') return { ok: false, detail: `database ${redactUrl(url)} only accepts read-only transactions` };
      return { ok: true };
    } catch (err) {
      // A connection that failed mid-probe (possibly inside BEGIN) is not handed back to the pool.
      broken = err instanceof Error ? err : new Error(String(err));
      const code = (err as { code?: unknown }).code;
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, detail: `database ${redactUrl(url)}: ${typeof code === 'string' ? `${code}: ` : ''}${message}` };
    } finally {
      client?.release(broken);
    }
  };
}
