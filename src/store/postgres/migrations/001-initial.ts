// The PostgreSQL schema as the SQLite adapter has it after its migrations 001–005 (the same tables,
// columns, checks and unique indexes, so both adapters enforce the same rules). Append-only: once
// released, never edit this file; add 002-… instead. Value lists are spelled out literally so a later
// change to the TypeScript types cannot silently change what this historical migration did.
// Times are BIGINT milliseconds since 1970, like SQLite's INTEGER columns.
import type { PgMigration } from './migration';

export const migration001: PgMigration = {
  version: 1,
  name: 'initial',
  up: `
    CREATE TABLE queues (
      name             TEXT PRIMARY KEY,
      max_wait_seconds INTEGER NULL CHECK (max_wait_seconds IS NULL OR max_wait_seconds >= 0),
      overflow         TEXT NOT NULL DEFAULT 'hangup',
      moh_class        TEXT NOT NULL DEFAULT 'default'
    );

    CREATE TABLE numbers (
      did                   TEXT PRIMARY KEY,
      kind                  TEXT NOT NULL CHECK (kind IN ('voice', 'digital')),
      queue                 TEXT NOT NULL REFERENCES queues(name),
      callback_enabled      BOOLEAN NOT NULL DEFAULT FALSE,
      callback_language     TEXT,
      callback_greeting     TEXT,
      confirmation_greeting TEXT,
      outbound_trunk        TEXT,
      allowed_countries     TEXT,
      outbound_caller_id    TEXT,
      -- A digital number (messaging) cannot be called back; enforced here too, not only in the CLI.
      CHECK (kind = 'voice' OR NOT callback_enabled)
    );

    CREATE TABLE greetings (
      name     TEXT NOT NULL,
      language TEXT NOT NULL,
      kind     TEXT NOT NULL CHECK (kind IN ('callback-offer', 'callback-confirmation')),
      sound    TEXT NOT NULL,
      PRIMARY KEY (name, language)
    );

    CREATE TABLE settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE queue_entries (
      id                    TEXT PRIMARY KEY,
      queue                 TEXT NOT NULL,
      did                   TEXT NOT NULL,
      kind                  TEXT NOT NULL CHECK (kind IN ('live', 'callback')),
      state                 TEXT NOT NULL CHECK (state IN ('waiting', 'left', 'pending', 'offered', 'dialing',
                                                           'done', 'unanswered', 'expired', 'cancelled', 'merged')),
      entered_at            BIGINT NOT NULL,
      channel_id            TEXT,
      caller_id             TEXT,
      callback_number       TEXT,
      requested_at          BIGINT,
      first_requested_at    BIGINT,
      language              TEXT,
      closed_at             BIGINT,
      updated_at            BIGINT NOT NULL,
      attempts              INTEGER NOT NULL DEFAULT 0,
      agent_id              TEXT,
      -- Request → the agent's call started: the "callback wait" supervisors see.
      agent_call_started_at BIGINT,
      ticket_id             BIGINT,
      -- Why an entry ended as it did (hangup cause of the customer leg, who cancelled, ...).
      outcome               TEXT,
      live_outcome          TEXT CHECK (live_outcome IS NULL OR live_outcome IN ('answered', 'abandoned', 'overflowed')),
      -- Whose requests the toll-fraud rate limit counts (one caller ID, or every withheld caller of a DID).
      rate_key              TEXT,
      -- A callback slot without a number to call could never be executed.
      CHECK (kind = 'live' OR callback_number IS NOT NULL)
    );
    CREATE INDEX queue_entries_queue_state_entered ON queue_entries (queue, state, entered_at);
    -- At most one open callback per number and queue; a repeated request is merged, never duplicated.
    CREATE UNIQUE INDEX queue_entries_one_open_callback ON queue_entries (queue, callback_number)
      WHERE kind = 'callback' AND state IN ('pending', 'offered', 'dialing');
    CREATE INDEX queue_entries_state_requested ON queue_entries (state, requested_at);
    CREATE INDEX queue_entries_rate ON queue_entries (rate_key, requested_at) WHERE rate_key IS NOT NULL;
    CREATE INDEX queue_entries_channel ON queue_entries (channel_id) WHERE channel_id IS NOT NULL;

    CREATE TABLE agents (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      endpoint    TEXT NOT NULL UNIQUE,
      state       TEXT NOT NULL DEFAULT 'logged-out'
                  CHECK (state IN ('logged-out', 'available', 'ringing', 'busy', 'wrap-up')),
      state_since BIGINT NOT NULL,
      -- When the agent last became available: the longest-idle agent gets the next call.
      idle_since  BIGINT,
      -- Calls offered and not answered in a row; too many logs the agent out.
      missed      INTEGER NOT NULL DEFAULT 0,
      -- The SIP endpoint is reachable (ARI endpoint state); offline agents get no calls.
      online      BOOLEAN NOT NULL DEFAULT TRUE
    );

    CREATE TABLE agent_queues (
      agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      queue    TEXT NOT NULL REFERENCES queues(name),
      PRIMARY KEY (agent_id, queue)
    );

    CREATE TABLE tickets (
      id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      subject        TEXT NOT NULL,
      requester      TEXT NOT NULL,
      reason         TEXT NOT NULL CHECK (reason IN ('callback-accepted', 'callback-expired')),
      queue          TEXT,
      did            TEXT,
      entry_id       TEXT,
      agent_id       TEXT,
      waited_seconds INTEGER,
      created_at     BIGINT NOT NULL
    );
    -- One ticket per callback and reason: an expiry sweep repeated after a crash cannot create a second.
    CREATE UNIQUE INDEX tickets_once_per_entry ON tickets (entry_id, reason) WHERE entry_id IS NOT NULL;

    CREATE TABLE ticket_comments (
      id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
      body       TEXT NOT NULL,
      internal   BOOLEAN NOT NULL DEFAULT TRUE,
      created_at BIGINT NOT NULL
    );

    -- Deliveries to external ticket systems, written in the same transaction as the ticket. sink NULL =
    -- not yet given to a sink (the deliverer copies it to every configured sink before sending).
    CREATE TABLE ticket_outbox (
      id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      sink            TEXT CHECK (sink IS NULL OR sink IN ('webhook', 'zendesk')),
      kind            TEXT NOT NULL CHECK (kind IN ('ticket', 'comment')),
      ticket_id       BIGINT NOT NULL,
      payload         TEXT NOT NULL,
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at BIGINT NOT NULL,
      delivered_at    BIGINT,
      last_error      TEXT,
      created_at      BIGINT NOT NULL,
      -- Dead letter: the receiver refused the row; no more attempts until an operator retries it.
      dead_at         BIGINT
    );
    CREATE INDEX ticket_outbox_due ON ticket_outbox (delivered_at, next_attempt_at);
    CREATE INDEX ticket_outbox_ticket ON ticket_outbox (ticket_id, sink, id);

    CREATE TABLE ticket_links (
      ticket_id   BIGINT NOT NULL REFERENCES tickets(id),
      sink        TEXT NOT NULL,
      external_id TEXT NOT NULL,
      created_at  BIGINT NOT NULL,
      PRIMARY KEY (ticket_id, sink)
    );

    -- Every channel the daemon dials is recorded BEFORE it is dialled, under the id we chose.
    CREATE TABLE legs (
      id          TEXT PRIMARY KEY,
      entry_id    TEXT NOT NULL,
      role        TEXT NOT NULL CHECK (role IN ('agent', 'customer', 'caller')),
      agent_id    TEXT,
      state       TEXT NOT NULL CHECK (state IN ('dialing', 'up', 'ended')),
      bridge_id   TEXT,
      created_at  BIGINT NOT NULL,
      answered_at BIGINT,
      ended_at    BIGINT,
      cause       TEXT
    );
    CREATE INDEX legs_open ON legs (state) WHERE state <> 'ended';
    CREATE INDEX legs_entry ON legs (entry_id);
  `,
};
