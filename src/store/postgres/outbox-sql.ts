// Pending deliveries to external ticket systems (ticket_outbox), filled by tickets-sql.ts in the same
// transaction as the ticket and drained by src/tickets through the port's OutboxStore. Statements
// mirror src/store/sqlite/outbox-repo.ts. assign() claims the unassigned rows FOR UPDATE SKIP LOCKED:
// two nodes assigning at once each take different rows, so no row is copied to a sink twice.
import type { OutboxItem, OutboxStore } from '../../app/ports';
import type { PgDb } from './db';
import { outboxFromRow, type OutboxRow } from './rows';

const COLUMNS =
  'o.id, o.sink, o.kind, o.ticket_id, o.payload, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.delivered_at, o.dead_at';

export function outboxStore(db: PgDb): OutboxStore {
  return {
    assign: (sinks) =>
      sinks.length === 0
        ? Promise.resolve(0)
        : db.tx('outbox assignment', async (q) => {
            const rows = await q.rows<{ id: number }>('SELECT id FROM ticket_outbox WHERE sink IS NULL ORDER BY id FOR UPDATE SKIP LOCKED');
            for (const { id } of rows) {
              await q.run('UPDATE ticket_outbox SET sink = $2 WHERE id = $1', [id, sinks[0]]);
              for (const sink of sinks.slice(1)) {
                await q.run(
                  `INSERT INTO ticket_outbox (sink, kind, ticket_id, payload, attempts, next_attempt_at, created_at)
                   SELECT $2, kind, ticket_id, payload, 0, next_attempt_at, created_at FROM ticket_outbox WHERE id = $1`,
                  [id, sink],
                );
              }
            }
            return rows.length;
          }),
    due: (sink, now, limit) =>
      db.read(`due ${sink} deliveries`, async (q) =>
        (
          await q.rows<OutboxRow>(
            `SELECT ${COLUMNS} FROM ticket_outbox o
           WHERE o.sink = $1 AND o.delivered_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= $2
             AND NOT EXISTS (SELECT 1 FROM ticket_outbox p
                             WHERE p.ticket_id = o.ticket_id AND p.sink = o.sink AND p.id < o.id AND p.delivered_at IS NULL)
           ORDER BY o.id LIMIT $3`,
            [sink, now, limit],
          )
        ).map(outboxFromRow),
      ),
    delivered: async (id, at) => {
      await db.tx(`outbox ${id} delivered`, (q) =>
        q.run(
          `UPDATE ticket_outbox SET delivered_at = $2, dead_at = NULL, attempts = attempts + 1, last_error = NULL
           WHERE id = $1 AND delivered_at IS NULL`,
          [id, at],
        ),
      );
    },
    // `at` is not stored (the table has no last-attempt column); nextAttemptAt carries the schedule.
    failed: async (id, _at, error, next) => {
      await db.tx(`outbox ${id} failed`, (q) =>
        q.run(
          `UPDATE ticket_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1 AND delivered_at IS NULL`,
          [id, error, next],
        ),
      );
    },
    dead: async (id, at, error) => {
      await db.tx(`outbox ${id} dead`, (q) =>
        q.run(`UPDATE ticket_outbox SET attempts = attempts + 1, last_error = $2, dead_at = $3 WHERE id = $1 AND delivered_at IS NULL`, [
          id,
          error,
          at,
        ]),
      );
    },
    get: (id) =>
      db.read(`outbox ${id}`, async (q) => {
        const r = await q.one<OutboxRow>(`SELECT ${COLUMNS} FROM ticket_outbox o WHERE o.id = $1`, [id]);
        return r && outboxFromRow(r);
      }),
    list: (filter = {}) =>
      db.read('outbox', async (q) =>
        (
          await q.rows<OutboxRow & { blocked_by: number | null }>(
            `SELECT ${COLUMNS},
                  (SELECT min(p.id) FROM ticket_outbox p
                   WHERE p.ticket_id = o.ticket_id AND p.sink IS NOT DISTINCT FROM o.sink AND p.id < o.id AND p.delivered_at IS NULL) AS blocked_by
           FROM ticket_outbox o
           WHERE o.delivered_at IS NULL AND (NOT $1 OR o.dead_at IS NOT NULL)
           ORDER BY o.id`,
            [filter.dead === true],
          )
        ).map((r) => ({ ...outboxFromRow(r), blockedBy: r.blocked_by })),
      ),
    retry: (id, now) =>
      db.tx(
        `retry of outbox ${id}`,
        async (q) =>
          (await q.run('UPDATE ticket_outbox SET dead_at = NULL, next_attempt_at = $2 WHERE id = $1 AND delivered_at IS NULL', [id, now])) >
          0,
      ),
    retryAllDead: (now) =>
      db.tx('retry of dead outbox rows', async (q): Promise<OutboxItem[]> => {
        const rows = (
          await q.rows<OutboxRow>(
            `SELECT ${COLUMNS} FROM ticket_outbox o WHERE o.delivered_at IS NULL AND o.dead_at IS NOT NULL ORDER BY o.id FOR UPDATE`,
          )
        ).map(outboxFromRow);
        for (const row of rows) await q.run('UPDATE ticket_outbox SET dead_at = NULL, next_attempt_at = $2 WHERE id = $1', [row.id, now]);
        return rows;
      }),
    purgeDelivered: (olderThan) =>
      db.tx('outbox purge', (q) => q.run('DELETE FROM ticket_outbox WHERE delivered_at IS NOT NULL AND delivered_at < $1', [olderThan])),
    externalId: (ticketId, sink) =>
      db.read(
        `${sink} id of ticket ${ticketId}`,
        async (q) =>
          (
            await q.one<{ external_id: string }>('SELECT external_id FROM ticket_links WHERE ticket_id = $1 AND sink = $2', [
              ticketId,
              sink,
            ])
          )?.external_id,
      ),
    linkExternal: async (ticketId, sink, externalId, at) => {
      await db.tx(`${sink} link of ticket ${ticketId}`, (q) =>
        q.run(
          `INSERT INTO ticket_links (ticket_id, sink, external_id, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (ticket_id, sink) DO UPDATE SET external_id = excluded.external_id`,
          [ticketId, sink, externalId, at],
        ),
      );
    },
  };
}
