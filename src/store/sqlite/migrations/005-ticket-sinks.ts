// Ticket delivery to more than one external system (webhook, Zendesk): each outbox row belongs to one
// sink, a refused row becomes a dead letter instead of being retried forever, and the help desk's id
// of a ticket is kept for its later comments. Append-only: never edit once released.
import type { Migration } from './migration';

export const migration005: Migration = {
  version: 5,
  name: 'ticket-sinks',
  up: `
    -- NULL = written by the ticket transaction and not yet given to a sink: the deliverer copies it
    -- to every configured sink before sending. Rows from before this migration were webhook rows.
    ALTER TABLE ticket_outbox ADD COLUMN sink TEXT CHECK (sink IS NULL OR sink IN ('webhook', 'zendesk'));
    UPDATE ticket_outbox SET sink = 'webhook';
    -- Dead letter: the receiver refused the row (4xx other than 408/429). No more attempts until an
    -- operator retries it (callbackd tickets outbox retry); last_error says why.
    ALTER TABLE ticket_outbox ADD COLUMN dead_at INTEGER;
    -- A comment waits for the earlier rows of its ticket in the same sink.
    CREATE INDEX ticket_outbox_ticket ON ticket_outbox (ticket_id, sink, id);

    -- The external system's id of a local ticket (the Zendesk ticket id), so a comment goes to the
    -- ticket created for it and a repeated delivery finds it instead of creating a second one.
    CREATE TABLE ticket_links (
      ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
      sink        TEXT NOT NULL,
      external_id TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      PRIMARY KEY (ticket_id, sink)
    );
  `,
};
