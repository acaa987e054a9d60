// Durable call legs and exact outcomes (DESIGN.md §4). Append-only: never edit once released.
// - legs: every channel the daemon dials (agent, customer) is recorded BEFORE it is dialled, under the
//   channel id we choose, so a restart can tell what is still in flight and re-adopt or end it.
// - queue_entries.live_outcome: how a live caller's place ended (answered / abandoned / overflowed),
//   so live outcomes have their own figures instead of hiding in the callback ones.
// - queue_entries.first_requested_at: a repeated request refreshes requested_at (expiry counts from the
//   latest request) but the callback wait supervisors see counts from the first one.
// - queue_entries.rate_key: whose requests the toll-fraud rate limit counts (one caller ID, or every
//   withheld caller of a DID), set on the live row when it asks, merged rows included.
// - numbers.outbound_caller_id: what the customer sees when called back (default: the DID).
import type { Migration } from './migration';

export const migration004: Migration = {
  version: 4,
  name: 'durable-legs',
  up: `
    CREATE TABLE legs (
      id          TEXT PRIMARY KEY,
      entry_id    TEXT NOT NULL,
      role        TEXT NOT NULL CHECK (role IN ('agent', 'customer', 'caller')),
      agent_id    TEXT,
      state       TEXT NOT NULL CHECK (state IN ('dialing', 'up', 'ended')),
      bridge_id   TEXT,
      created_at  INTEGER NOT NULL,
      answered_at INTEGER,
      ended_at    INTEGER,
      cause       TEXT
    );
    CREATE INDEX legs_open ON legs (state) WHERE state <> 'ended';
    CREATE INDEX legs_entry ON legs (entry_id);

    ALTER TABLE queue_entries ADD COLUMN live_outcome TEXT
      CHECK (live_outcome IS NULL OR live_outcome IN ('answered', 'abandoned', 'overflowed'));
    ALTER TABLE queue_entries ADD COLUMN first_requested_at INTEGER;
    UPDATE queue_entries SET first_requested_at = requested_at WHERE requested_at IS NOT NULL;
    ALTER TABLE queue_entries ADD COLUMN rate_key TEXT;
    UPDATE queue_entries SET rate_key = 'caller:' || caller_id
      WHERE caller_id IS NOT NULL AND (kind = 'callback' OR state = 'merged');
    UPDATE queue_entries SET requested_at = closed_at WHERE state = 'merged' AND requested_at IS NULL;
    UPDATE queue_entries SET live_outcome = 'answered' WHERE kind = 'live' AND state = 'done';
    UPDATE queue_entries SET live_outcome = CASE WHEN outcome = 'max wait exceeded' THEN 'overflowed' ELSE 'abandoned' END
      WHERE kind = 'live' AND state = 'left';
    CREATE INDEX queue_entries_rate ON queue_entries (rate_key, requested_at) WHERE rate_key IS NOT NULL;
    ALTER TABLE numbers ADD COLUMN outbound_caller_id TEXT;
    CREATE INDEX queue_entries_channel ON queue_entries (channel_id) WHERE channel_id IS NOT NULL;
  `,
};
