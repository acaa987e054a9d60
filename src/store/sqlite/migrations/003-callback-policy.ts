// Toll-fraud guard: per-number allowed callback countries. NULL = the DID's own country, '*' = any.
// The system-wide prefix blocklist lives in settings ('blocked_prefixes'). Append-only.
import type { Migration } from './migration';

export const migration003: Migration = {
  version: 3,
  name: 'callback-policy',
  up: `
    ALTER TABLE numbers ADD COLUMN allowed_countries TEXT;
    -- Rate limiting counts a caller's recent requests.
    CREATE INDEX queue_entries_caller_requested ON queue_entries (caller_id, requested_at);
  `,
};
