// Pending deliveries to external ticket systems (table `ticket_outbox`), filled by tickets-repo.ts in
// the same transaction as the ticket and drained by src/tickets through the port's OutboxStore
// (src/app/store-ports/outbox-store.ts), which sqlite-app-store.ts builds on this repo.
//
// A row is written without a sink; before sending, the deliverer copies each such row to every
// configured sink (assign), so every sink has its own attempts, schedule and dead letter per ticket
// or comment, and a sink switched on later only receives what is written from then on.
import { outboxFromRow, type OutboxRow } from '../shared-rows';
import type { OutboxEntry, OutboxItem, TicketSinkName } from '../../app/store-ports/outbox-store';
import type { Millis } from '../../domain/model';
import type { Db } from './db';

export { TICKET_SINKS } from '../../app/store-ports/outbox-store';
export type { OutboxEntry, OutboxItem, OutboxKind, TicketSinkName } from '../../app/store-ports/outbox-store';

export interface OutboxRepo {
  /** Gives every row written without a sink to each of `sinks` (the first keeps the row, the others
   *  get copies), in id order so a comment stays behind its ticket. Returns how many rows were assigned. */
  assign(sinks: readonly TicketSinkName[]): number;
  /** Undelivered, not dead rows of the sink whose next attempt is due, oldest first. A row waits while
   *  an earlier row of the same ticket and sink is undelivered, so a comment never overtakes its ticket. */
  due(sink: TicketSinkName, now: Millis, limit: number): OutboxItem[];
  delivered(id: number, at: Millis): void;
  failed(id: number, at: Millis, error: string, nextAttemptAt: Millis): void;
  /** The receiver refused the row: no more attempts until retry(); the error is kept. */
  dead(id: number, at: Millis, error: string): void;
  get(id: number): OutboxItem | undefined;
  /** Undelivered rows (dead ones only with `dead`), oldest first. */
  list(filter?: { dead?: boolean }): OutboxEntry[];
  /** Makes an undelivered row (dead or waiting for its backoff) due at `now`. False if there is no
   *  such row (unknown or already delivered). */
  retry(id: number, now: Millis): boolean;
  /** retry() for every dead row; returns them as they were before. */
  retryAllDead(now: Millis): OutboxItem[];
  /** Number of undelivered rows (dead ones included). */
  backlog(): number;
  /** Deletes rows delivered before `olderThan`; returns how many. */
  purgeDelivered(olderThan: Millis): number;
  /** The sink's id of a local ticket (e.g. the Zendesk ticket id), if known. */
  externalId(ticketId: number, sink: TicketSinkName): string | undefined;
  linkExternal(ticketId: number, sink: TicketSinkName, externalId: string, at: Millis): void;
}

const COLUMNS =
  'o.id, o.sink, o.kind, o.ticket_id, o.payload, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.delivered_at, o.dead_at';

export function createOutboxRepo(db: Db): OutboxRepo {
  const unassignedStmt = db.prepare<[], { id: number }>('SELECT id FROM ticket_outbox WHERE sink IS NULL ORDER BY id');
  const setSinkStmt = db.prepare<[{ id: number; sink: TicketSinkName }]>('UPDATE ticket_outbox SET sink = @sink WHERE id = @id');
  const copyStmt = db.prepare<[{ id: number; sink: TicketSinkName }]>(`
    INSERT INTO ticket_outbox (sink, kind, ticket_id, payload, attempts, next_attempt_at, created_at)
    SELECT @sink, kind, ticket_id, payload, 0, next_attempt_at, created_at FROM ticket_outbox WHERE id = @id`);
  const dueStmt = db.prepare<[{ sink: TicketSinkName; now: Millis; limit: number }], OutboxRow>(`
    SELECT ${COLUMNS}
    FROM ticket_outbox o
    WHERE o.sink = @sink AND o.delivered_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= @now
      AND NOT EXISTS (SELECT 1 FROM ticket_outbox p
                      WHERE p.ticket_id = o.ticket_id AND p.sink = o.sink AND p.id < o.id AND p.delivered_at IS NULL)
    ORDER BY o.id
    LIMIT @limit`);
  const deliveredStmt = db.prepare<[{ id: number; at: Millis }]>(`
    UPDATE ticket_outbox SET delivered_at = @at, dead_at = NULL, attempts = attempts + 1, last_error = NULL
    WHERE id = @id AND delivered_at IS NULL`);
  const failedStmt = db.prepare<[{ id: number; error: string; next: Millis }]>(`
    UPDATE ticket_outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next
    WHERE id = @id AND delivered_at IS NULL`);
  const deadStmt = db.prepare<[{ id: number; error: string; at: Millis }]>(`
    UPDATE ticket_outbox SET attempts = attempts + 1, last_error = @error, dead_at = @at
    WHERE id = @id AND delivered_at IS NULL`);
  const getStmt = db.prepare<[number], OutboxRow>(`SELECT ${COLUMNS} FROM ticket_outbox o WHERE o.id = ?`);
  const listStmt = db.prepare<[{ deadOnly: number }], OutboxRow & { blocked_by: number | null }>(`
    SELECT ${COLUMNS},
           (SELECT min(p.id) FROM ticket_outbox p
            WHERE p.ticket_id = o.ticket_id AND p.sink IS o.sink AND p.id < o.id AND p.delivered_at IS NULL) AS blocked_by
    FROM ticket_outbox o
    WHERE o.delivered_at IS NULL AND (@deadOnly = 0 OR o.dead_at IS NOT NULL)
    ORDER BY o.id`);
  const retryStmt = db.prepare<[{ id: number; now: Millis }]>(`
    UPDATE ticket_outbox SET dead_at = NULL, next_attempt_at = @now WHERE id = @id AND delivered_at IS NULL`);
  const deadRowsStmt = db.prepare<[], OutboxRow>(
    `SELECT ${COLUMNS} FROM ticket_outbox o WHERE o.delivered_at IS NULL AND o.dead_at IS NOT NULL ORDER BY o.id`,
  );
  const backlogStmt = db.prepare<[], number>('SELECT count(*) FROM ticket_outbox WHERE delivered_at IS NULL').pluck();
  const purgeStmt = db.prepare<[Millis]>('DELETE FROM ticket_outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?');
  const linkStmt = db
    .prepare<[number, TicketSinkName], string>('SELECT external_id FROM ticket_links WHERE ticket_id = ? AND sink = ?')
    .pluck();
  const setLinkStmt = db.prepare<[{ ticketId: number; sink: TicketSinkName; externalId: string; at: Millis }]>(`
    INSERT INTO ticket_links (ticket_id, sink, external_id, created_at) VALUES (@ticketId, @sink, @externalId, @at)
    ON CONFLICT (ticket_id, sink) DO UPDATE SET external_id = excluded.external_id`);

  const assignTx = db.transaction((sinks: readonly TicketSinkName[]): number => {
    const rows = unassignedStmt.all();
    for (const { id } of rows) {
      setSinkStmt.run({ id, sink: sinks[0] });
      for (const sink of sinks.slice(1)) copyStmt.run({ id, sink });
    }
    return rows.length;
  });
  const retryAllDeadTx = db.transaction((now: Millis): OutboxItem[] => {
    const rows = deadRowsStmt.all().map(outboxFromRow);
    for (const row of rows) retryStmt.run({ id: row.id, now });
    return rows;
  });

  return {
    // IMMEDIATE: the daemon's ticket writes and this copy never interleave.
    assign: (sinks) => (sinks.length === 0 ? 0 : assignTx.immediate(sinks)),
    due: (sink, now, limit) => dueStmt.all({ sink, now, limit }).map(outboxFromRow),
    delivered: (id, at) => {
      deliveredStmt.run({ id, at });
    },
    // `at` is not stored (the table has no last-attempt column); nextAttemptAt carries the schedule.
    failed: (id, _at, error, nextAttemptAt) => {
      failedStmt.run({ id, error, next: nextAttemptAt });
    },
    dead: (id, at, error) => {
      deadStmt.run({ id, error, at });
    },
    get: (id) => {
      const r = getStmt.get(id);
      return r && outboxFromRow(r);
    },
    list: (filter = {}) => listStmt.all({ deadOnly: filter.dead ? 1 : 0 }).map((r) => ({ ...outboxFromRow(r), blockedBy: r.blocked_by })),
    retry: (id, now) => retryStmt.run({ id, now }).changes > 0,
    retryAllDead: (now) => retryAllDeadTx.immediate(now),
    backlog: () => backlogStmt.get() ?? 0,
    purgeDelivered: (olderThan) => purgeStmt.run(olderThan).changes,
    externalId: (ticketId, sink) => linkStmt.get(ticketId, sink),
    linkExternal: (ticketId, sink, externalId, at) => {
      setLinkStmt.run({ ticketId, sink, externalId, at });
    },
  };
}
