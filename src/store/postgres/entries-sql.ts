// Places in queues (queue_entries): the callers' verbs and the supervisor's cancel, each one
// transaction on the entry row locked FOR UPDATE (SQLite gets the same from BEGIN IMMEDIATE). A live
// caller and the callback slot it turns into are the SAME row: entered_at never changes on conversion,
// which is how the caller keeps its place. Statements mirror src/store/sqlite/entries-repo.ts.
import type { CallbackOutcome, CallbackRequest, CallerStore, CallbackStore, CancelOutcome } from '../../app/ports';
import { OPEN_STATES, type EntryState, type Millis, type QueueEntry } from '../../domain/model';
import { nextEntryState } from '../../domain/queue/entry-lifecycle';
import { StoreError } from './errors';
import type { PgDb, Q } from './db';
import { entryFromRow, type EntryRow } from './rows';

// Fixed identifiers from model.ts, never user input, so inlining them is safe.
export const OPEN_SQL = `(${OPEN_STATES.map((s) => `'${s}'`).join(', ')})`;

export async function entryIn(q: Q, id: string, lock = false): Promise<QueueEntry | undefined> {
  const r = await q.one<EntryRow>(`SELECT * FROM queue_entries WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return r && entryFromRow(r);
}

/** Closes an open entry; false when it was not open. A live caller closed 'done' was answered. */
export async function closeEntryIn(q: Q, id: string, state: EntryState, at: Millis, outcome: string | null): Promise<boolean> {
  const n = await q.run(
    `UPDATE queue_entries SET state = $2, closed_at = $3, outcome = $4, updated_at = $3,
       live_outcome = CASE WHEN kind = 'live' AND $2 = 'done' THEN 'answered'
                           WHEN kind = 'live' AND $2 = 'left' THEN coalesce(live_outcome, 'abandoned')
                           ELSE live_outcome END
     WHERE id = $1 AND state IN ${OPEN_SQL}`,
    [id, state, at, outcome],
  );
  if (n > 0) q.touched('entries');
  return n > 0;
}

/** Advisory lock for one transaction on a text key (rate-limit key, queue+number). */
const lockKey = (q: Q, key: string): Promise<number> => q.run('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);

async function requestCallbackIn(q: Q, req: CallbackRequest): Promise<CallbackOutcome> {
  const live = await q.one<EntryRow>('SELECT * FROM queue_entries WHERE id = $1 FOR UPDATE', [req.entryId]);
  if (!live || live.kind !== 'live' || live.state !== 'waiting') {
    const what = live ? `is ${live.kind}/${live.state}` : 'does not exist';
    throw new StoreError('ENTRY_NOT_WAITING', `cannot request a callback for entry ${req.entryId}: it ${what}`);
  }
  // Several nodes may take requests at once: the count and the write happen under a lock on the key,
  // so two requests cannot both slip under the limit.
  const key = req.limit?.key ?? null;
  if (req.limit && key) {
    await lockKey(q, `rate:${key}`);
    const row = await q.one<{ n: number }>('SELECT count(*) AS n FROM queue_entries WHERE rate_key = $1 AND requested_at >= $2', [
      key,
      req.limit.since,
    ]);
    const count = row?.n ?? 0;
    if (count >= req.limit.cap) return { kind: 'rate-limited', count };
  }
  // One open callback per number and queue: two requests for the same number at once are serialised
  // here, so the second merges instead of hitting the unique index.
  await lockKey(q, `callback:${live.queue}:${req.number}`);
  const existing = await q.one<EntryRow>(
    `SELECT * FROM queue_entries
     WHERE queue = $1 AND callback_number = $2 AND kind = 'callback' AND state IN ('pending', 'offered', 'dialing') FOR UPDATE`,
    [live.queue, req.number],
  );
  q.touched('entries');
  if (existing) {
    // requested_at follows the latest request (expiry counts from it); first_requested_at stays.
    await q.run(
      `UPDATE queue_entries SET entered_at = least(entered_at, $2), requested_at = $3, language = $4, updated_at = $3 WHERE id = $1`,
      [existing.id, live.entered_at, req.requestedAt, req.language],
    );
    await q.run(
      `UPDATE queue_entries SET state = 'merged', closed_at = $2, updated_at = $2, requested_at = $2, rate_key = $3 WHERE id = $1`,
      [live.id, req.requestedAt, key],
    );
    return { kind: 'updated', entryId: existing.id };
  }
  // entered_at is deliberately not touched: the slot keeps the caller's place.
  await q.run(
    `UPDATE queue_entries
     SET kind = 'callback', state = 'pending', callback_number = $2, requested_at = $3,
         first_requested_at = $3, language = $4, rate_key = $5, updated_at = $3
     WHERE id = $1`,
    [live.id, req.number, req.requestedAt, req.language, key],
  );
  return { kind: 'created', entryId: live.id };
}

export function callerStore(db: PgDb): CallerStore {
  return {
    join: (e) =>
      db.tx(`live entry ${e.id} in queue ${e.queue}`, async (q) => {
        await q.run(
          `INSERT INTO queue_entries (id, queue, did, kind, state, entered_at, channel_id, caller_id, updated_at)
         VALUES ($1, $2, $3, 'live', 'waiting', $4, $5, $6, $4)`,
          [e.id, e.queue, e.did, e.enteredAt, e.channelId, e.callerId],
        );
        q.touched('entries');
      }),
    leave: (id, at, why) =>
      db.tx(`leave of entry ${id}`, async (q) => {
        const n = await q.run(
          `UPDATE queue_entries SET state = 'left', closed_at = $2, updated_at = $2, live_outcome = $3, outcome = $4
         WHERE id = $1 AND state = 'waiting'`,
          [id, at, why, why === 'overflowed' ? 'max wait exceeded' : null],
        );
        if (n > 0) q.touched('entries');
      }),
    requestCallback: (req) => db.tx(`callback request for entry ${req.entryId}`, (q) => requestCallbackIn(q, req)),
    entry: (id) => db.read('entry', (q) => entryIn(q, id)),
    entryByChannel: (channelId) =>
      db.read('entry by channel', async (q) => {
        const r = await q.one<EntryRow>('SELECT * FROM queue_entries WHERE channel_id = $1 ORDER BY entered_at DESC, id DESC LIMIT 1', [
          channelId,
        ]);
        return r && entryFromRow(r);
      }),
    // Same ordering as the open list (entered_at, then id), counted instead of listed.
    position: (id) =>
      db.read('position', async (q) => {
        const r = await q.one<{ n: number }>(
          `SELECT count(*) AS n FROM queue_entries o JOIN queue_entries e ON e.id = $1
         WHERE e.state IN ${OPEN_SQL} AND o.queue = e.queue AND o.state IN ${OPEN_SQL}
           AND (o.entered_at < e.entered_at OR (o.entered_at = e.entered_at AND o.id <= e.id))`,
          [id],
        );
        const n = r?.n ?? 0;
        return n > 0 ? n : undefined;
      }),
    waitingLive: () =>
      db.read('waiting callers', async (q) =>
        (await q.rows<EntryRow>(`SELECT * FROM queue_entries WHERE kind = 'live' AND state = 'waiting' ORDER BY entered_at, id`)).map(
          entryFromRow,
        ),
      ),
  };
}

export function callbackStore(db: PgDb): CallbackStore {
  return {
    // Read (locked) and close in one transaction: no node can offer or dial the slot in between.
    cancel: (id, at, by) =>
      db.tx(`cancel of callback ${id}`, async (q): Promise<CancelOutcome> => {
        const row = await entryIn(q, id, true);
        if (!row || row.kind !== 'callback') return { kind: 'not-found' };
        // The lifecycle decides, as in the SQLite adapter (domain/queue/entry-lifecycle.ts).
        const next = nextEntryState(row, { type: 'cancel' });
        if (!next.ok) return { kind: 'refused', state: row.state, reason: next.reason, message: next.message };
        await closeEntryIn(q, id, 'cancelled', at, `cancelled by ${by}`);
        return { kind: 'cancelled' };
      }),
  };
}
