// Agents, tickets with an outbox for external sinks, and the columns a callback needs once it is
// dispatched (DESIGN.md §1 steps 5–6, 8–9). Append-only: never edit once released.
import type { Migration } from './migration';

export const migration002: Migration = {
  version: 2,
  name: 'agents-tickets',
  up: `
    CREATE TABLE agents (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      endpoint    TEXT NOT NULL UNIQUE,
      state       TEXT NOT NULL DEFAULT 'logged-out'
                  CHECK (state IN ('logged-out', 'available', 'ringing', 'busy', 'wrap-up')),
      state_since INTEGER NOT NULL,
      -- When the agent last became available: the longest-idle agent gets the next call.
      idle_since  INTEGER,
      -- Calls offered and not answered in a row; too many logs the agent out.
      missed      INTEGER NOT NULL DEFAULT 0,
      -- The SIP endpoint is reachable (ARI endpoint state); offline agents get no calls.
      online      INTEGER NOT NULL DEFAULT 1 CHECK (online IN (0, 1))
    );

    CREATE TABLE agent_queues (
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      queue    TEXT NOT NULL REFERENCES queues(name),
      PRIMARY KEY (agent_id, queue)
    );

    CREATE TABLE tickets (
      id             INTEGER PRIMARY KEY AUTOINCREMENT,
      subject        TEXT NOT NULL,
      requester      TEXT NOT NULL,
      reason         TEXT NOT NULL CHECK (reason IN ('callback-accepted', 'callback-expired')),
      queue          TEXT,
      did            TEXT,
      entry_id       TEXT,
      agent_id       TEXT,
      waited_seconds INTEGER,
      created_at     INTEGER NOT NULL
    );
    -- One ticket per callback and reason: an expiry sweep repeated after a crash cannot create a second.
    CREATE UNIQUE INDEX tickets_once_per_entry ON tickets (entry_id, reason) WHERE entry_id IS NOT NULL;

    CREATE TABLE ticket_comments (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
      body       TEXT NOT NULL,
      internal   INTEGER NOT NULL DEFAULT 1 CHECK (internal IN (0, 1)),
      created_at INTEGER NOT NULL
    );

    -- Deliveries to an external ticket system, written in the same transaction as the ticket, so a
    -- ticket is never lost while the endpoint is down; bounded by the deliverer (oldest dropped last).
    CREATE TABLE ticket_outbox (
      id              INTEGER PRIMARY KEY AUTOINCREMENT,
      kind            TEXT NOT NULL CHECK (kind IN ('ticket', 'comment')),
      ticket_id       INTEGER NOT NULL,
      payload         TEXT NOT NULL,
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      delivered_at    INTEGER,
      last_error      TEXT,
      created_at      INTEGER NOT NULL
    );
    CREATE INDEX ticket_outbox_due ON ticket_outbox (delivered_at, next_attempt_at);

    ALTER TABLE queue_entries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE queue_entries ADD COLUMN agent_id TEXT;
    -- Request → the agent's call started: the "callback wait" supervisors see.
    ALTER TABLE queue_entries ADD COLUMN agent_call_started_at INTEGER;
    ALTER TABLE queue_entries ADD COLUMN ticket_id INTEGER;
    -- Why a callback ended as it did (hangup cause of the customer leg, who cancelled, ...).
    ALTER TABLE queue_entries ADD COLUMN outcome TEXT;
    CREATE INDEX queue_entries_state_requested ON queue_entries (state, requested_at);
  `,
};
