// Tickets and their comments (tables `tickets`, `ticket_comments`). With external delivery on, every
// ticket and comment also gets a `ticket_outbox` row in the SAME transaction, so a ticket can never
// exist locally without being queued for the external systems. The row has no sink yet: the deliverer
// copies it to each configured sink (see outbox-repo.ts, src/tickets/delivery.ts).
import { ticketFromRow, type TicketRow } from '../shared-rows';
import type { NewTicket, TicketsRepo } from './repos';
import type { Millis, Ticket, TicketComment, TicketReason } from '../../domain/model';
import type { Db } from './db';
import { rethrowConstraint } from './errors';

interface CommentRow {
  id: number;
  ticket_id: number;
  body: string;
  internal: number;
  created_at: number;
}

const toComment = (r: CommentRow): TicketComment => ({
  id: r.id,
  ticketId: r.ticket_id,
  body: r.body,
  internal: r.internal === 1,
  createdAt: r.created_at,
});

const DEFAULT_LIST_LIMIT = 100;

export function createTicketsRepo(db: Db, opts: { outbox: boolean }): TicketsRepo {
  const getStmt = db.prepare<[number], TicketRow>('SELECT * FROM tickets WHERE id = ?');
  const byEntryStmt = db.prepare<[string, TicketReason], TicketRow>('SELECT * FROM tickets WHERE entry_id = ? AND reason = ?');
  const insertStmt = db.prepare<[Omit<TicketRow, 'id'>]>(`
    INSERT INTO tickets (subject, requester, reason, queue, did, entry_id, agent_id, waited_seconds, created_at)
    VALUES (@subject, @requester, @reason, @queue, @did, @entry_id, @agent_id, @waited_seconds, @created_at)`);
  const insertCommentStmt = db.prepare<[Omit<CommentRow, 'id'>]>(`
    INSERT INTO ticket_comments (ticket_id, body, internal, created_at) VALUES (@ticket_id, @body, @internal, @created_at)`);
  const commentsStmt = db.prepare<[number], CommentRow>('SELECT * FROM ticket_comments WHERE ticket_id = ? ORDER BY created_at, id');
  const listStmt = db.prepare<[{ since: number | null; limit: number }], TicketRow>(`
    SELECT * FROM tickets WHERE @since IS NULL OR created_at >= @since ORDER BY created_at DESC, id DESC LIMIT @limit`);
  const outboxStmt = db.prepare<[{ kind: 'ticket' | 'comment'; ticket_id: number; payload: string; at: Millis }]>(`
    INSERT INTO ticket_outbox (kind, ticket_id, payload, next_attempt_at, created_at)
    VALUES (@kind, @ticket_id, @payload, @at, @at)`);

  const createTx = db.transaction((t: NewTicket): Ticket => {
    // The unique index tickets_once_per_entry is the guarantee; looking first (inside the write lock)
    // returns the existing ticket instead of failing, and adds no second outbox row.
    if (t.entryId !== null) {
      const existing = byEntryStmt.get(t.entryId, t.reason);
      if (existing) return ticketFromRow(existing);
    }
    const { lastInsertRowid } = insertStmt.run({
      subject: t.subject,
      requester: t.requester,
      reason: t.reason,
      queue: t.queue,
      did: t.did,
      entry_id: t.entryId,
      agent_id: t.agentId,
      waited_seconds: t.waitedSeconds,
      created_at: t.createdAt,
    });
    const ticket: Ticket = {
      id: Number(lastInsertRowid),
      subject: t.subject,
      requester: t.requester,
      reason: t.reason,
      queue: t.queue,
      did: t.did,
      entryId: t.entryId,
      agentId: t.agentId,
      waitedSeconds: t.waitedSeconds,
      createdAt: t.createdAt,
    };
    if (opts.outbox) outboxStmt.run({ kind: 'ticket', ticket_id: ticket.id, payload: JSON.stringify(ticket), at: t.createdAt });
    return ticket;
  });

  const addCommentTx = db.transaction((ticketId: number, body: string, at: Millis, internal: boolean): TicketComment => {
    const { lastInsertRowid } = insertCommentStmt.run({ ticket_id: ticketId, body, internal: internal ? 1 : 0, created_at: at });
    const comment: TicketComment = { id: Number(lastInsertRowid), ticketId, body, internal, createdAt: at };
    if (opts.outbox) {
      const payload = JSON.stringify({ ticketId, body, internal, createdAt: at });
      outboxStmt.run({ kind: 'comment', ticket_id: ticketId, payload, at });
    }
    return comment;
  });

  return {
    // IMMEDIATE: the write lock is taken before the lookup, so two processes cannot both miss it.
    create: (t) => {
      try {
        return createTx.immediate(t);
      } catch (err) {
        return rethrowConstraint(err, `ticket (${t.reason}) for entry ${t.entryId ?? '-'}`);
      }
    },
    // internal defaults to true, like the schema: comments are notes for colleagues unless said otherwise.
    addComment: (ticketId, body, at, internal = true) => {
      try {
        return addCommentTx.immediate(ticketId, body, at, internal);
      } catch (err) {
        // Typically an unknown ticket (FOREIGN KEY).
        return rethrowConstraint(err, `comment on ticket ${ticketId}`);
      }
    },
    get: (id) => {
      const r = getStmt.get(id);
      return r && ticketFromRow(r);
    },
    comments: (ticketId) => commentsStmt.all(ticketId).map(toComment),
    list: (filter = {}) => listStmt.all({ since: filter.since ?? null, limit: filter.limit ?? DEFAULT_LIST_LIMIT }).map(ticketFromRow),
  };
}
