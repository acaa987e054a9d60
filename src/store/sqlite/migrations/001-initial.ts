// Initial schema. Migrations are append-only: once released, never edit this file; add 002-... instead.
// Value lists are spelled out literally (not built from model.ts constants) so that a later change to
// the TypeScript types cannot silently change what this historical migration did.
import type { Migration } from './migration';

export const migration001: Migration = {
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
      callback_enabled      INTEGER NOT NULL DEFAULT 0 CHECK (callback_enabled IN (0, 1)),
      callback_language     TEXT,
      callback_greeting     TEXT,
      confirmation_greeting TEXT,
      outbound_trunk        TEXT,
      -- A digital number (messaging) cannot be called back; enforced here too, not only in the CLI.
      CHECK (kind = 'voice' OR callback_enabled = 0)
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
      id              TEXT PRIMARY KEY,
      queue           TEXT NOT NULL,
      did             TEXT NOT NULL,
      kind            TEXT NOT NULL CHECK (kind IN ('live', 'callback')),
      state           TEXT NOT NULL CHECK (state IN ('waiting', 'left', 'pending', 'offered', 'dialing',
                                                     'done', 'unanswered', 'expired', 'cancelled', 'merged')),
      entered_at      INTEGER NOT NULL,
      channel_id      TEXT,
      caller_id       TEXT,
      callback_number TEXT,
      requested_at    INTEGER,
      language        TEXT,
      closed_at       INTEGER,
      updated_at      INTEGER NOT NULL,
      -- A callback slot without a number to call could never be executed.
      CHECK (kind = 'live' OR callback_number IS NOT NULL)
    );

    -- Serves open(queue)/position(id): filter by queue and state, order by place.
    CREATE INDEX queue_entries_queue_state_entered ON queue_entries (queue, state, entered_at);

    -- At most one open callback per number and queue; a repeated request is merged, never duplicated.
    CREATE UNIQUE INDEX queue_entries_one_open_callback ON queue_entries (queue, callback_number)
      WHERE kind = 'callback' AND state IN ('pending', 'offered', 'dialing');
  `,
};
