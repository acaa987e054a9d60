// Pending deliveries to an external ticket system (table `ticket_outbox`), filled by tickets-repo.ts in
// the same transaction as the ticket and drained by tickets/webhook-sink.ts. Not part of the Store port:
// only the deliverer needs it.
import type { Millis } from '../domain/model';
import type { Db } from './db';

export type OutboxKind = 'ticket' | 'comment';

export interface OutboxItem {
  id: number;
  kind: OutboxKind;
  ticketId: number;
  /** The JSON object written with the ticket or comment. */
  payload: Record<string, unknown>;
  /** Delivery attempts so far (failed ones, as the item is not delivered yet). */
  attempts: number;
  nextAttemptAt: Millis;
  lastError: string | null;
  createdAt: Millis;
}

export interface OutboxRepo {
  /** Undelivered items whose next attempt is due, oldest first. An item waits while an earlier item of
   *  the same ticket is undelivered, so a comment never overtakes its ticket. */
  due(now: Millis, limit: number): OutboxItem[];
  delivered(id: number, at: Millis): void;
  failed(id: number, at: Millis, error: string, nextAttemptAt: Millis): void;
  /** Number of undelivered items. */
  backlog(): number;
  /** Deletes items delivered before `olderThan`; returns how many. */
  purgeDelivered(olderThan: Millis): number;
}

interface OutboxRow {
  id: number;
  kind: OutboxKind;
  ticket_id: number;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
}

const toItem = (r: OutboxRow): OutboxItem => ({
  id: r.id,
  kind: r.kind,
  ticketId: r.ticket_id,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
});

export function createOutboxRepo(db: Db): OutboxRepo {
  const dueStmt = db.prepare<[{ now: Millis; limit: number }], OutboxRow>(`
    SELECT o.id, o.kind, o.ticket_id, o.payload, o.attempts, o.next_attempt_at, o.last_error, o.created_at
    FROM ticket_outbox o
    WHERE o.delivered_at IS NULL AND o.next_attempt_at <= @now
      AND NOT EXISTS (SELECT 1 FROM ticket_outbox p
                      WHERE p.delivered_at IS NULL AND p.ticket_id = o.ticket_id AND p.id < o.id)
    ORDER BY o.id
    LIMIT @limit`);
  const deliveredStmt = db.prepare<[{ id: number; at: Millis }]>(`
    UPDATE ticket_outbox SET delivered_at = @at, attempts = attempts + 1, last_error = NULL
    WHERE id = @id AND delivered_at IS NULL`);
  const failedStmt = db.prepare<[{ id: number; error: string; next: Millis }]>(`
    UPDATE ticket_outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next
    WHERE id = @id AND delivered_at IS NULL`);
  const backlogStmt = db.prepare<[], number>('SELECT count(*) FROM ticket_outbox WHERE delivered_at IS NULL').pluck();
  const purgeStmt = db.prepare<[Millis]>('DELETE FROM ticket_outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?');

  return {
    due: (now, limit) => dueStmt.all({ now, limit }).map(toItem),
    delivered: (id, at) => {
      deliveredStmt.run({ id, at });
    },
    // `at` is not stored (the table has no last-attempt column); nextAttemptAt carries the schedule.
    failed: (id, _at, error, nextAttemptAt) => {
      failedStmt.run({ id, error, next: nextAttemptAt });
    },
    backlog: () => backlogStmt.get() ?? 0,
    purgeDelivered: (olderThan) => purgeStmt.run(olderThan).changes,
  };
}
