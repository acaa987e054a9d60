// Places in queues (table `queue_entries`). A live caller and the callback slot it turns into are the
// SAME row: entered_at never changes on conversion, which is how the caller keeps its place. Every verb
// that changes an entry's state asks the lifecycle machine (domain/queue/entry-lifecycle.ts) inside its
// transaction; the SQL WHERE guards stay as a second line of defence.
import type { CallbackOutcome, CallbackRequest, CancelOutcome, LiveEnd, NewLiveEntry } from '../../app/ports';
import { OPEN_STATES, type EntryKind, type EntryState, type Millis, type QueueEntry } from '../../domain/model';
import { nextEntryState } from '../../domain/queue/entry-lifecycle';
import type { Db } from './db';
import { StoreError, rethrowConstraint } from './errors';
import type { EntriesRepo } from './repos';

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
  // Since migration 002.
  attempts: number;
  agent_id: string | null;
  agent_call_started_at: number | null;
  ticket_id: number | null;
  outcome: string | null;
  // Since migration 004.
  live_outcome: string | null;
  first_requested_at: number | null;
  rate_key: string | null;
}

export const entryFromRow = (r: EntryRow): QueueEntry => ({
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
  firstRequestedAt: r.first_requested_at,
  language: r.language,
  attempts: r.attempts,
  agentId: r.agent_id,
  ticketId: r.ticket_id,
});

// Built from the model's constant so "open" means the same thing in the domain and in SQL. The values
// are fixed identifiers from model.ts, never user input, so inlining them is safe.
const OPEN_SQL = `(${OPEN_STATES.map((s) => `'${s}'`).join(', ')})`;

/** States of a callback that is handed to an agent right now. */
const IN_FLIGHT_SQL = `('offered', 'dialing')`;

export function createEntriesRepo(db: Db): EntriesRepo {
  const insertLive = db.prepare<
    [{ id: string; queue: string; did: string; channel_id: string; caller_id: string | null; entered_at: number }]
  >(`
    INSERT INTO queue_entries (id, queue, did, kind, state, entered_at, channel_id, caller_id, updated_at)
    VALUES (@id, @queue, @did, 'live', 'waiting', @entered_at, @channel_id, @caller_id, @entered_at)`);
  const getStmt = db.prepare<[string], EntryRow>('SELECT * FROM queue_entries WHERE id = ?');
  const byChannelStmt = db.prepare<[string], EntryRow>(
    'SELECT * FROM queue_entries WHERE channel_id = ? ORDER BY entered_at DESC, id DESC LIMIT 1',
  );
  const leaveStmt = db.prepare<[{ id: string; at: Millis; why: LiveEnd; outcome: string | null }]>(`
    UPDATE queue_entries SET state = 'left', closed_at = @at, updated_at = @at, live_outcome = @why, outcome = @outcome
    WHERE id = @id AND state = 'waiting'`);
  const openStmt = db.prepare<[string], EntryRow>(`
    SELECT * FROM queue_entries WHERE queue = ? AND state IN ${OPEN_SQL} ORDER BY entered_at, id`);
  const openAllStmt = db.prepare<[], EntryRow>(`
    SELECT * FROM queue_entries WHERE state IN ${OPEN_SQL} ORDER BY entered_at, id`);
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
  // requested_at follows the latest request (expiry counts from it); first_requested_at stays.
  const mergeIntoStmt = db.prepare<[{ id: string; entered_at: number; requested_at: number; language: string }]>(`
    UPDATE queue_entries
    SET entered_at = min(entered_at, @entered_at), requested_at = @requested_at, language = @language,
        updated_at = @requested_at
    WHERE id = @id`);
  const markMergedStmt = db.prepare<[{ id: string; at: Millis; rate_key: string | null }]>(`
    UPDATE queue_entries SET state = 'merged', closed_at = @at, updated_at = @at, requested_at = @at, rate_key = @rate_key
    WHERE id = @id`);
  // entered_at is deliberately not touched: the slot keeps the caller's place. channel_id is kept so a
  // caller found still on the line after a restart (mid-confirmation) can be told apart from a new one.
  const convertStmt = db.prepare<
    [{ id: string; callback_number: string; requested_at: number; language: string; rate_key: string | null }]
  >(`
    UPDATE queue_entries
    SET kind = 'callback', state = 'pending', callback_number = @callback_number, requested_at = @requested_at,
        first_requested_at = @requested_at, language = @language, rate_key = @rate_key, updated_at = @requested_at
    WHERE id = @id`);
  const requestsSinceStmt = db
    .prepare<[{ rate_key: string; since: Millis }], number>(
      'SELECT count(*) FROM queue_entries WHERE rate_key = @rate_key AND requested_at >= @since',
    )
    .pluck();

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
  // A live caller closed as 'done' was answered by an agent; the outcome code says so for the figures.
  const closeStmt = db.prepare<[{ id: string; state: EntryState; at: Millis; outcome: string | null }]>(`
    UPDATE queue_entries SET state = @state, closed_at = @at, outcome = @outcome, updated_at = @at,
      live_outcome = CASE WHEN kind = 'live' AND @state = 'done' THEN 'answered'
                          WHEN kind = 'live' AND @state = 'left' THEN coalesce(live_outcome, 'abandoned')
                          ELSE live_outcome END
    WHERE id = @id AND state IN ${OPEN_SQL}`);
  const countAttemptStmt = db
    .prepare<[{ id: string; at: Millis }], number>(
      'UPDATE queue_entries SET attempts = attempts + 1, updated_at = @at WHERE id = @id RETURNING attempts',
    )
    .pluck();
  const linkTicketStmt = db.prepare<[{ id: string; ticket_id: number }]>('UPDATE queue_entries SET ticket_id = @ticket_id WHERE id = @id');
  const waitingLiveStmt = db.prepare<[], EntryRow>(`
    SELECT * FROM queue_entries WHERE kind = 'live' AND state = 'waiting' ORDER BY entered_at, id`);

  const requestCallbackTx = db.transaction((req: CallbackRequest): CallbackOutcome => {
    const live = getStmt.get(req.entryId);
    const asked = nextEntryState(live && entryFromRow(live), { type: 'request' });
    if (!asked.ok || !live) {
      const what = live ? `is ${live.kind}/${live.state}` : 'does not exist';
      throw new StoreError('ENTRY_NOT_WAITING', `cannot request a callback for entry ${req.entryId}: it ${what}`);
    }
    // The limit is read in the same (IMMEDIATE) transaction as the write, so two requests at once
    // cannot both slip under it.
    const key = req.limit?.key ?? null;
    if (req.limit && key) {
      const count = requestsSinceStmt.get({ rate_key: key, since: req.limit.since }) ?? 0;
      if (count >= req.limit.cap) return { kind: 'rate-limited', count };
    }
    const existing = openCallbackStmt.get(live.queue, req.number);
    if (existing) {
      const merge = nextEntryState(entryFromRow(live), { type: 'merge', into: entryFromRow(existing) });
      if (!merge.ok) throw new StoreError('ENTRY_NOT_WAITING', `cannot merge entry ${req.entryId}: ${merge.message}`);
      mergeIntoStmt.run({ id: existing.id, entered_at: live.entered_at, requested_at: req.requestedAt, language: req.language });
      markMergedStmt.run({ id: live.id, at: req.requestedAt, rate_key: key });
      return { kind: 'updated', entryId: existing.id };
    }
    convertStmt.run({ id: live.id, callback_number: req.number, requested_at: req.requestedAt, language: req.language, rate_key: key });
    return { kind: 'created', entryId: live.id };
  });

  // Read, decide and close in one IMMEDIATE transaction: the daemon cannot offer or dial the slot in
  // between. The machine's refusal (and its reason) is what the CLI prints.
  const cancelTx = db.transaction((id: string, at: Millis, by: string): CancelOutcome => {
    const row = getStmt.get(id);
    const cancel = nextEntryState(row && entryFromRow(row), { type: 'cancel' });
    if (!row || (!cancel.ok && (cancel.reason === 'not-found' || cancel.reason === 'not-a-callback'))) return { kind: 'not-found' };
    if (!cancel.ok) return { kind: 'refused', state: row.state, reason: cancel.reason, message: cancel.message };
    closeStmt.run({ id, state: 'cancelled', at, outcome: `cancelled by ${by}` });
    return { kind: 'cancelled' };
  });

  const addLiveTx = db.transaction((e: NewLiveEntry) => {
    const existing = getStmt.get(e.id);
    const join = nextEntryState(existing && entryFromRow(existing), { type: 'join' });
    if (!join.ok) throw new StoreError('STORE_CONSTRAINT', `live entry ${e.id} in queue ${e.queue} rejected: ${join.message}`);
    insertLive.run({ id: e.id, queue: e.queue, did: e.did, channel_id: e.channelId, caller_id: e.callerId, entered_at: e.enteredAt });
  });

  // A refusal (not waiting any more) is a no-op, as the port promises.
  const leaveTx = db.transaction((id: string, at: Millis, why: LiveEnd) => {
    const row = getStmt.get(id);
    if (!nextEntryState(row && entryFromRow(row), { type: 'leave' }).ok) return;
    leaveStmt.run({ id, at, why, outcome: why === 'overflowed' ? 'max wait exceeded' : null });
  });

  const get = (id: string): QueueEntry | undefined => {
    const r = getStmt.get(id);
    return r && entryFromRow(r);
  };

  return {
    addLive: (e: NewLiveEntry) => {
      try {
        addLiveTx.immediate(e);
      } catch (err) {
        rethrowConstraint(err, `live entry ${e.id} in queue ${e.queue}`);
      }
      return get(e.id) as QueueEntry;
    },
    get,
    byChannel: (channelId) => {
      const r = byChannelStmt.get(channelId);
      return r && entryFromRow(r);
    },
    leave: (id, at, why = 'abandoned') => leaveTx.immediate(id, at, why),
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
    open: (queue) => openStmt.all(queue).map(entryFromRow),
    openAll: () => openAllStmt.all().map(entryFromRow),
    position: (id) => {
      const n = positionStmt.get(id) ?? 0;
      return n > 0 ? n : undefined;
    },
    markOffered: (id, agentId, at) => markOfferedStmt.run({ id, agent_id: agentId, at }).changes > 0,
    returnToQueue: (id, at) => returnToQueueStmt.run({ id, at }).changes > 0,
    // Only from 'offered': a slot cancelled or expired meanwhile is left alone.
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
    linkTicket: (id, ticketId) => {
      linkTicketStmt.run({ id, ticket_id: ticketId });
    },
    waitingLive: () => waitingLiveStmt.all().map(entryFromRow),
    cancelCallback: (id, at, by) => cancelTx.immediate(id, at, by),
  };
}
