// Read-only figures and listings (ReportStore), mirroring src/store/sqlite/reports-repo.ts and
// ops-repo.ts. statsInput reads one REPEATABLE READ snapshot, so the figures are consistent while the
// daemons write. Groups are returned in the order SQLite's GROUP BY gives them (sorted, NULLs first),
// so both adapters list figures alike. Aggregates are cast to plain numbers in SQL (count() is BIGINT, sum() NUMERIC).
import { callbackFromRow, type CallbackDbRow } from '../shared-rows';
import type { ReportStore } from '../../app/ports';
import type { AgentState, EntryKind, EntryState } from '../../domain/model';
import type { ClosedRow, CountRow, WaitRow } from '../../domain/stats';
import type { PgDb } from './db';
import { ticketFromRow, type TicketRow } from './rows';

// When a slot was requested: its FIRST request (see the SQLite adapter for why).
const FIRST_REQUEST = 'coalesce(first_requested_at, requested_at)';
const CALLBACK_COLUMNS = `id, queue, did, state, callback_number, entered_at, requested_at, language, attempts,
  agent_id, agent_call_started_at, ticket_id, closed_at, outcome`;
const DEFAULT_TICKET_LIMIT = 100;

export function reportStore(db: PgDb): ReportStore {
  return {
    statsInput: (now, since, queue) =>
      db.snapshot('figures', async (q) => ({
        now,
        since,
        queue,
        queues: (await q.rows<{ name: string }>('SELECT name FROM queues ORDER BY name')).map((r) => r.name),
        open: (
          await q.rows<{ queue: string; kind: EntryKind; state: EntryState; entered_at: number }>(
            `SELECT queue, kind, state, entered_at FROM queue_entries WHERE state IN ('waiting', 'pending', 'offered', 'dialing')`,
          )
        ).map((r) => ({ queue: r.queue, kind: r.kind, state: r.state, enteredAt: r.entered_at })),
        requested: await q.rows<CountRow>(
          `SELECT queue, count(*)::int AS count FROM queue_entries WHERE kind = 'callback' AND ${FIRST_REQUEST} >= $1 GROUP BY queue ORDER BY queue`,
          [since],
        ),
        openAtStart: await q.rows<CountRow>(
          `SELECT queue, count(*)::int AS count FROM queue_entries
         WHERE kind = 'callback' AND ${FIRST_REQUEST} < $1 AND (closed_at IS NULL OR closed_at >= $1) GROUP BY queue ORDER BY queue`,
          [since],
        ),
        waits: await q.rows<WaitRow>(
          `SELECT queue, count(*)::int AS count, coalesce(sum(agent_call_started_at - ${FIRST_REQUEST}), 0)::float8 AS "sumMs"
         FROM queue_entries
         WHERE kind = 'callback' AND agent_call_started_at IS NOT NULL AND requested_at IS NOT NULL AND agent_call_started_at >= $1
         GROUP BY queue ORDER BY queue`,
          [since],
        ),
        closed: await q.rows<ClosedRow>(
          `SELECT queue, kind, state, live_outcome AS "liveOutcome", count(*)::int AS count FROM queue_entries
         WHERE closed_at IS NOT NULL AND closed_at >= $1 GROUP BY queue, kind, state, live_outcome
         ORDER BY queue, kind, state, live_outcome NULLS FIRST`,
          [since],
        ),
      })),
    callbacks: (filter = {}) =>
      db.read('callbacks', async (q) => {
        const rows = filter.all
          ? await q.rows<CallbackDbRow>(
              `SELECT ${CALLBACK_COLUMNS} FROM queue_entries
             WHERE kind = 'callback' AND (state IN ('pending', 'offered', 'dialing') OR requested_at >= $1)
             ORDER BY queue, entered_at, id`,
              [filter.since ?? 0],
            )
          : await q.rows<CallbackDbRow>(
              `SELECT ${CALLBACK_COLUMNS} FROM queue_entries
             WHERE kind = 'callback' AND state IN ('pending', 'offered', 'dialing') ORDER BY queue, entered_at, id`,
            );
        return rows.filter((r) => filter.queue === undefined || r.queue === filter.queue).map(callbackFromRow);
      }),
    tickets: (filter = {}) =>
      db.read('tickets', async (q) =>
        (
          await q.rows<TicketRow>(
            'SELECT * FROM tickets WHERE $1::bigint IS NULL OR created_at >= $1 ORDER BY created_at DESC, id DESC LIMIT $2',
            [filter.since ?? null, filter.limit ?? DEFAULT_TICKET_LIMIT],
          )
        ).map(ticketFromRow),
      ),
    // attempts > 0 on an undelivered row means every attempt so far failed (delivery sets delivered_at).
    outboxCounts: () =>
      db.read('outbox figures', async (q) => {
        const r = await q.one<{ pending: number; failed: number }>(
          `SELECT count(*)::int AS pending, coalesce(sum((attempts > 0)::int), 0)::int AS failed FROM ticket_outbox WHERE delivered_at IS NULL`,
        );
        return r ?? { pending: 0, failed: 0 };
      }),
    agentsByState: () =>
      db.read('agent figures', async (q) => {
        // A Record literal: adding a state to AgentState makes this a compile error until it is listed.
        const counts: Record<AgentState, number> = { 'logged-out': 0, available: 0, ringing: 0, busy: 0, 'wrap-up': 0 };
        for (const row of await q.rows<{ state: AgentState; count: number }>(
          'SELECT state, count(*)::int AS count FROM agents GROUP BY state',
        )) {
          counts[row.state] = row.count;
        }
        return counts;
      }),
  };
}
