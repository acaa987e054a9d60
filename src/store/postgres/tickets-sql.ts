// Tickets and their comments, written inside the business transactions that create them. With external
// delivery on, every ticket and comment also gets a ticket_outbox row in the SAME transaction (see
// outbox-sql.ts). One ticket per entry and reason: INSERT … ON CONFLICT DO NOTHING waits for a
// concurrent insert of the same pair and then returns the existing ticket instead of a second one.
import type { NewTicket, TicketStore } from '../../app/ports';
import type { Millis, Ticket, TicketComment } from '../../domain/model';
import type { PgDb, Q } from './db';
import { commentFromRow, ticketFromRow, type CommentRow, type TicketRow } from './rows';

export interface TicketWriter {
  create(q: Q, t: NewTicket): Promise<Ticket>;
  addComment(q: Q, ticketId: number, body: string, at: Millis, internal?: boolean): Promise<TicketComment>;
}

const OUTBOX_INSERT = `INSERT INTO ticket_outbox (kind, ticket_id, payload, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)`;

export function ticketWriter(opts: { outbox: boolean }): TicketWriter {
  return {
    create: async (q, t) => {
      // Looking first returns the existing ticket without using up an id; the ON CONFLICT covers the
      // race where another node inserts the same pair between this look and the insert.
      const byEntry = () => q.one<TicketRow>('SELECT * FROM tickets WHERE entry_id = $1 AND reason = $2', [t.entryId, t.reason]);
      const found = t.entryId === null ? undefined : await byEntry();
      if (found) return ticketFromRow(found);
      const inserted = await q.one<TicketRow>(
        `INSERT INTO tickets (subject, requester, reason, queue, did, entry_id, agent_id, waited_seconds, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (entry_id, reason) WHERE entry_id IS NOT NULL DO NOTHING
         RETURNING *`,
        [t.subject, t.requester, t.reason, t.queue, t.did, t.entryId, t.agentId, t.waitedSeconds, t.createdAt],
      );
      if (!inserted) return ticketFromRow((await byEntry())!);
      const ticket = ticketFromRow(inserted);
      if (opts.outbox) await q.run(OUTBOX_INSERT, ['ticket', ticket.id, JSON.stringify(ticket), t.createdAt]);
      return ticket;
    },
    // internal defaults to true, like the schema: comments are notes for colleagues unless said otherwise.
    addComment: async (q, ticketId, body, at, internal = true) => {
      const r = await q.one<CommentRow>(
        'INSERT INTO ticket_comments (ticket_id, body, internal, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
        [ticketId, body, internal, at],
      );
      if (opts.outbox) await q.run(OUTBOX_INSERT, ['comment', ticketId, JSON.stringify({ ticketId, body, internal, createdAt: at }), at]);
      return commentFromRow(r!);
    },
  };
}

export function ticketStore(db: PgDb): TicketStore {
  return {
    get: (id) =>
      db.read('ticket', async (q) => {
        const r = await q.one<TicketRow>('SELECT * FROM tickets WHERE id = $1', [id]);
        return r && ticketFromRow(r);
      }),
    comments: (ticketId) =>
      db.read('ticket comments', async (q) =>
        (await q.rows<CommentRow>('SELECT * FROM ticket_comments WHERE ticket_id = $1 ORDER BY created_at, id', [ticketId])).map(
          commentFromRow,
        ),
      ),
  };
}
