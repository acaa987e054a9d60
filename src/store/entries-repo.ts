// Places in queues (table `queue_entries`). A live caller and the callback slot it turns into are the
// SAME row: entered_at never changes on conversion, which is how the caller keeps its place.
import type { CallbackOutcome, CallbackRequest, EntriesRepo, NewLiveEntry } from '../app/ports';
import { OPEN_STATES, type EntryKind, type EntryState, type Millis, type QueueEntry } from '../domain/model';
import type { Db } from './db';
import { StoreError, rethrowConstraint } from './errors';

interface EntryRow {
  id: string;
  queue: string;
  did: string;
  kind: EntryKind;
  state: EntryState;
  entered_at: number;
  channel_id: string | null;
  caller_id: string | null;
  callback_number: string | null;
  requested_at: number | null;
  language: string | null;
  closed_at: number | null;
  updated_at: number;
  // Since migration 002; dispatch bookkeeping, not (yet) part of QueueEntry.
  attempts: number;
  agent_id: string | null;
  agent_call_started_at: number | null;
  ticket_id: number | null;
  outcome: string | null;
}

const toModel = (r: EntryRow): QueueEntry => ({
  id: r.id,
  queue: r.queue,
  did: r.did,
  kind: r.kind,
  state: r.state,
  enteredAt: r.entered_at,
  channelId: r.channel_id,
  callerId: r.caller_id,
  callbackNumber: r.callback_number,
  requestedAt: r.requested_at,
  language: r.language,
});

// Built from the model's constant so "open" means the same thing in the domain and in SQL. The values
// are fixed identifiers from model.ts, never user input, so inlining them is safe.
const OPEN_SQL = `(${OPEN_STATES.map((s) => `'${s}'`).join(', ')})`;

/** States of a callback that is handed to an agent right now; nothing survives a restart in them. */
const IN_FLIGHT_SQL = `('offered', 'dialing')`;

export function createEntriesRepo(db: Db): EntriesRepo {
  const insertLive = db.prepare<
    [{ id: string; queue: string; did: string; channel_id: string; caller_id: string | null; entered_at: number }]
  >(`
    INSERT INTO queue_entries (id, queue, did, kind, state, entered_at, channel_id, caller_id, updated_at)
    VALUES (@id, @queue, @did, 'live', 'waiting', @entered_at, @channel_id, @caller_id, @entered_at)`);
  const getStmt = db.prepare<[string], EntryRow>('SELECT * FROM queue_entries WHERE id = ?');
  const leaveStmt = db.prepare<[{ id: string; at: Millis }]>(`
    UPDATE queue_entries SET state = 'left', closed_at = @at, updated_at = @at
    WHERE id = @id AND state = 'waiting'`);
  const openStmt = db.prepare<[string], EntryRow>(`
    SELECT * FROM queue_entries WHERE queue = ? AND state IN ${OPEN_SQL} ORDER BY entered_at, id`);
  // Same ordering as openStmt (entered_at, then id), counted instead of listed.
  const positionStmt = db
    .prepare<[string], number>(
      `
      SELECT count(*) FROM queue_entries o JOIN queue_entries e ON e.id = ?
      WHERE e.state IN ${OPEN_SQL} AND o.queue = e.queue AND o.state IN ${OPEN_SQL}
        AND (o.entered_at < e.entered_at OR (o.entered_at = e.entered_at AND o.id <= e.id))`,
    )
    .pluck();
  const openCallbackStmt = db.prepare<[string, string], EntryRow>(`
    SELECT * FROM queue_entries
    WHERE queue = ? AND callback_number = ? AND kind = 'callback' AND state IN ('pending', 'offered', 'dialing')`);
  const mergeIntoStmt = db.prepare<[{ id: string; entered_at: number; requested_at: number; language: string }]>(`
    UPDATE queue_entries
    SET entered_at = min(entered_at, @entered_at), requested_at = @requested_at, language = @language,
        updated_at = @requested_at
    WHERE id = @id`);
  const markMergedStmt = db.prepare<[{ id: string; at: Millis }]>(`
    UPDATE queue_entries SET state = 'merged', closed_at = @at, updated_at = @at WHERE id = @id`);
  // entered_at is deliberately not touched: the slot keeps the caller's place.
  const convertStmt = db.prepare<[{ id: string; callback_number: string; requested_at: number; language: string }]>(`
    UPDATE queue_entries
    SET kind = 'callback', state = 'pending', callback_number = @callback_number,
        requested_at = @requested_at, language = @language, channel_id = NULL, updated_at = @requested_at
    WHERE id = @id`);

  // Dispatch. None of these touch entered_at: a slot handed back keeps its place.
  const markOfferedStmt = db.prepare<[{ id: string; agent_id: string; at: Millis }]>(`
    UPDATE queue_entries SET state = 'offered', agent_id = @agent_id, updated_at = @at
    WHERE id = @id AND state = 'pending'`);
  const returnToQueueStmt = db.prepare<[{ id: string; at: Millis }]>(`
    UPDATE queue_entries SET state = 'pending', agent_id = NULL, updated_at = @at
    WHERE id = @id AND state IN ${IN_FLIGHT_SQL}`);
  const markDialingStmt = db.prepare<[{ id: string; agent_id: string; at: Millis; ticket_id: number }]>(`
    UPDATE queue_entries
    SET state = 'dialing', agent_id = @agent_id, agent_call_started_at = @at, ticket_id = @ticket_id, updated_at = @at
    WHERE id = @id AND state = 'offered'`);
  const closeStmt = db.prepare<[{ id: string; state: EntryState; at: Millis; outcome: string | null }]>(`
    UPDATE queue_entries SET state = @state, closed_at = @at, outcome = @outcome, updated_at = @at
    WHERE id = @id AND state IN ${OPEN_SQL}`);
  const countAttemptStmt = db
    .prepare<[{ id: string; at: Millis }], number>(
      `
      UPDATE queue_entries SET attempts = attempts + 1, updated_at = @at WHERE id = @id RETURNING attempts`,
    )
    .pluck();
  const recoverStmt = db.prepare<[{ at: Millis }]>(`
    UPDATE queue_entries SET state = 'pending', agent_id = NULL, updated_at = @at WHERE state IN ${IN_FLIGHT_SQL}`);
  const waitingLiveStmt = db.prepare<[], EntryRow>(`
    SELECT * FROM queue_entries WHERE kind = 'live' AND state = 'waiting' ORDER BY entered_at, id`);

  const requestCallbackTx = db.transaction((req: CallbackRequest): CallbackOutcome => {
    const live = getStmt.get(req.entryId);
    if (!live || live.kind !== 'live' || live.state !== 'waiting') {
      const what = live ? `is ${live.kind}/${live.state}` : 'does not exist';
      throw new StoreError('ENTRY_NOT_WAITING', `cannot request a callback for entry ${req.entryId}: it ${what}`);
    }
    const existing = openCallbackStmt.get(live.queue, req.number);
    if (existing) {
      mergeIntoStmt.run({ id: existing.id, entered_at: live.entered_at, requested_at: req.requestedAt, language: req.language });
      markMergedStmt.run({ id: live.id, at: req.requestedAt });
      return { kind: 'updated', entryId: existing.id };
    }
    convertStmt.run({ id: live.id, callback_number: req.number, requested_at: req.requestedAt, language: req.language });
    return { kind: 'created', entryId: live.id };
  });

  const requestsByCallerStmt = db
    .prepare<[{ caller: string; since: Millis }], number>(
      `
      SELECT count(*) FROM queue_entries
      WHERE caller_id = @caller
        AND ((kind = 'callback' AND requested_at >= @since) OR (state = 'merged' AND closed_at >= @since))`,
    )
    .pluck();

  return {
    requestsByCaller: (caller, since) => requestsByCallerStmt.get({ caller, since }) ?? 0,
    addLive: (e: NewLiveEntry) => {
      try {
        insertLive.run({ id: e.id, queue: e.queue, did: e.did, channel_id: e.channelId, caller_id: e.callerId, entered_at: e.enteredAt });
      } catch (err) {
        rethrowConstraint(err, `live entry ${e.id} in queue ${e.queue}`);
      }
      return {
        id: e.id,
        queue: e.queue,
        did: e.did,
        kind: 'live',
        state: 'waiting',
        enteredAt: e.enteredAt,
        channelId: e.channelId,
        callerId: e.callerId,
        callbackNumber: null,
        requestedAt: null,
        language: null,
      };
    },
    get: (id) => {
      const r = getStmt.get(id);
      return r && toModel(r);
    },
    leave: (id, at) => {
      leaveStmt.run({ id, at });
    },
    // IMMEDIATE: take the write lock before reading, so another process (CLI, second daemon) cannot slip
    // a conflicting write between our check and our update, and we never hit a mid-transaction
    // lock-upgrade failure. The commit is fsync'd (synchronous=FULL) before this returns.
    requestCallback: (req) => {
      try {
        return requestCallbackTx.immediate(req);
      } catch (err) {
        return rethrowConstraint(err, `callback request for entry ${req.entryId}`);
      }
    },
    open: (queue) => openStmt.all(queue).map(toModel),
    position: (id) => {
      const n = positionStmt.get(id) ?? 0;
      return n > 0 ? n : undefined;
    },
    markOffered: (id, agentId, at) => markOfferedStmt.run({ id, agent_id: agentId, at }).changes > 0,
    returnToQueue: (id, at) => {
      returnToQueueStmt.run({ id, at });
    },
    // Only from 'offered': a slot cancelled or expired meanwhile is left alone. The port returns void;
    // the boolean is there for callers holding the concrete repo.
    markDialing: (id, change) =>
      markDialingStmt.run({ id, agent_id: change.agentId, at: change.at, ticket_id: change.ticketId }).changes > 0,
    close: (id, state, at, outcome) => {
      try {
        return closeStmt.run({ id, state, at, outcome: outcome ?? null }).changes > 0;
      } catch (err) {
        return rethrowConstraint(err, `closing entry ${id} as ${state}`);
      }
    },
    // 0 for an unknown entry (nothing was counted).
    countAttempt: (id, at) => countAttemptStmt.get({ id, at }) ?? 0,
    recoverInFlight: (at) => recoverStmt.run({ at }).changes,
    waitingLive: () => waitingLiveStmt.all().map(toModel),
  };
}
