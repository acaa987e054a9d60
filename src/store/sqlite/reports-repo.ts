// Read-only queries for reporting, the expiry sweep and the admin CLI. Only SELECTs: the CLI and the
// metrics endpoint may run these at any time next to the daemon (WAL lets readers and the writer run
// concurrently), and nothing here may ever change what the call flows see.
//
// Figures are aggregated in SQL (GROUP BY) rather than returned row by row, because /metrics reports
// all-time counters on every scrape and the table grows by every call.
import { callbackFromRow, type CallbackDbRow } from '../shared-rows';
import type { EntryKind, EntryState, Millis } from '../../domain/model';
import type { ClosedRow, CountRow, OpenEntryRow, StatsInput, WaitRow } from '../../domain/stats';
import type { ExpiryCandidate } from '../../app/ports';
import type { CallbackFilter, CallbackRow } from '../../app/store-ports/report-store';
import type { Db } from './db';

export type { ExpiryCandidate } from '../../app/ports';

export type { CallbackFilter, CallbackRow } from '../../app/store-ports/report-store';

export interface ReportsRepo {
  queueNames(): string[];
  openEntries(): OpenEntryRow[];
  callbacksRequested(since: Millis): CountRow[];
  callbacksOpenAt(since: Millis): CountRow[];
  callbackWaits(since: Millis): WaitRow[];
  closedByState(since: Millis): ClosedRow[];
  /** Everything computeStats needs for the period [since, now]. */
  statsInput(now: Millis, since: Millis, queue?: string): StatsInput;
  /** Pending callbacks requested at or before `cutoff`, oldest first. */
  expiryCandidates(cutoff: Millis): ExpiryCandidate[];
  callbacks(filter?: CallbackFilter): CallbackRow[];
}

export function createReportsRepo(db: Db): ReportsRepo {
  const queueNamesStmt = db.prepare<[], string>('SELECT name FROM queues ORDER BY name').pluck();
  const openStmt = db.prepare<[], { queue: string; kind: EntryKind; state: EntryState; entered_at: number }>(`
    SELECT queue, kind, state, entered_at FROM queue_entries
    WHERE state IN ('waiting', 'pending', 'offered', 'dialing')`);
  // When a slot was requested: its FIRST request. A repeated request for the same number refreshes
  // requested_at (expiry counts from the latest request) but is not a new slot, and must neither move
  // the slot into a later period nor shorten its wait. Rows from before migration 004 may lack
  // first_requested_at; for them the latest request is all there is.
  const FIRST_REQUEST = 'coalesce(first_requested_at, requested_at)';
  // kind = 'callback' excludes 'merged' rows (kind 'live'): a repeated request updates the open
  // callback and is not a second callback.
  const requestedStmt = db.prepare<[number], CountRow>(`
    SELECT queue, count(*) AS count FROM queue_entries
    WHERE kind = 'callback' AND ${FIRST_REQUEST} >= ? GROUP BY queue`);
  // The backlog a period starts with, so that backlog + requested = closed in the period + open now.
  const openAtStmt = db.prepare<[number, number], CountRow>(`
    SELECT queue, count(*) AS count FROM queue_entries
    WHERE kind = 'callback' AND ${FIRST_REQUEST} < ? AND (closed_at IS NULL OR closed_at >= ?) GROUP BY queue`);
  // A wait is counted when it ends (the agent's call started), like an "average speed of answer".
  const waitsStmt = db.prepare<[number], WaitRow>(`
    SELECT queue, count(*) AS count, total(agent_call_started_at - ${FIRST_REQUEST}) AS sumMs FROM queue_entries
    WHERE kind = 'callback' AND agent_call_started_at IS NOT NULL AND requested_at IS NOT NULL
      AND agent_call_started_at >= ?
    GROUP BY queue`);
  // Live and callback rows alike: the domain tells a live caller answered ('done', live_outcome
  // 'answered') from a callback done, and leaves merged repeat requests out.
  const closedStmt = db.prepare<[number], ClosedRow>(`
    SELECT queue, kind, state, live_outcome AS liveOutcome, count(*) AS count FROM queue_entries
    WHERE closed_at IS NOT NULL AND closed_at >= ? GROUP BY queue, kind, state, live_outcome`);
  // 'pending' only: an offered or dialing slot is being executed right now and must not vanish.
  const expiryStmt = db.prepare<
    [number],
    { id: string; queue: string; did: string; callback_number: string; requested_at: number; language: string | null }
  >(`
    SELECT id, queue, did, callback_number, requested_at, language FROM queue_entries
    WHERE kind = 'callback' AND state = 'pending' AND requested_at <= ?
    ORDER BY requested_at, id`);
  const CALLBACK_COLUMNS = `id, queue, did, state, callback_number, entered_at, requested_at, language, attempts,
    agent_id, agent_call_started_at, ticket_id, closed_at, outcome`;
  const openCallbacksStmt = db.prepare<[], CallbackDbRow>(`
    SELECT ${CALLBACK_COLUMNS} FROM queue_entries
    WHERE kind = 'callback' AND state IN ('pending', 'offered', 'dialing') ORDER BY queue, entered_at, id`);
  const allCallbacksStmt = db.prepare<[number], CallbackDbRow>(`
    SELECT ${CALLBACK_COLUMNS} FROM queue_entries
    WHERE kind = 'callback' AND (state IN ('pending', 'offered', 'dialing') OR requested_at >= ?)
    ORDER BY queue, entered_at, id`);

  const repo: ReportsRepo = {
    queueNames: () => queueNamesStmt.all(),
    openEntries: () => openStmt.all().map((r) => ({ queue: r.queue, kind: r.kind, state: r.state, enteredAt: r.entered_at })),
    callbacksRequested: (since) => requestedStmt.all(since),
    callbacksOpenAt: (since) => openAtStmt.all(since, since),
    callbackWaits: (since) => waitsStmt.all(since),
    closedByState: (since) => closedStmt.all(since),
    // One read transaction, so the figures are a consistent snapshot even while the daemon writes.
    statsInput: (now, since, queue) =>
      db.transaction(() => ({
        now,
        since,
        queue,
        queues: repo.queueNames(),
        open: repo.openEntries(),
        requested: repo.callbacksRequested(since),
        openAtStart: repo.callbacksOpenAt(since),
        waits: repo.callbackWaits(since),
        closed: repo.closedByState(since),
      }))(),
    expiryCandidates: (cutoff) =>
      expiryStmt.all(cutoff).map((r) => ({
        id: r.id,
        queue: r.queue,
        did: r.did,
        callbackNumber: r.callback_number,
        requestedAt: r.requested_at,
        language: r.language,
      })),
    callbacks: (filter = {}) => {
      const rows = filter.all ? allCallbacksStmt.all(filter.since ?? 0) : openCallbacksStmt.all();
      return rows.filter((r) => filter.queue === undefined || r.queue === filter.queue).map(callbackFromRow);
    },
  };
  return repo;
}
