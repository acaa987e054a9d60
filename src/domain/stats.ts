// Reporting figures (DESIGN.md §1 step 9) computed from plain rows. Pure: the SQL lives in
// src/store/sqlite/reports-repo.ts, so the arithmetic (what counts as "in queue", which closed row is a
// callback outcome and which a live caller's, how the average is taken) can be checked with exact
// numbers without a database.
//
// Period figures are counted when their event happens: a request when the slot was FIRST requested, an
// outcome when the row was closed, a wait when the agent's call started. So over any period
//   callbacksOpenAtStart + callbacksTotal = done + unanswered + expired + cancelled + callbacksInQueue
// (what was open when the period began plus what was requested in it either ended in it or is open now).
import type { EntryKind, EntryState, Millis } from './model';

/** How a live caller's place ended (queue_entries.live_outcome): an agent answered, the caller hung up,
 *  or the queue's max wait sent it to the overflow action. */
export type LiveOutcome = 'answered' | 'abandoned' | 'overflowed';

/** An entry that is open right now (live waiting, or callback pending/offered/dialing). */
export interface OpenEntryRow {
  queue: string;
  kind: EntryKind;
  state: EntryState;
  enteredAt: Millis;
}

/** Callback slots per queue (requested in the period, or open when it began). */
export interface CountRow {
  queue: string;
  count: number;
}

/** Callbacks whose agent call started in the period: how many, and their summed first request → call
 *  wait. */
export interface WaitRow {
  queue: string;
  count: number;
  sumMs: number;
}

/** Entries closed in the period, per queue, kind, final state and live outcome. Live and callback rows
 *  both come in: which figure a row feeds is decided here, not in SQL. */
export interface ClosedRow {
  queue: string;
  kind: EntryKind;
  state: EntryState;
  /** Set on live rows only (null on callbacks and on repeat requests merged into an open callback). */
  liveOutcome: LiveOutcome | null;
  count: number;
}

export interface StatsInput {
  now: Millis;
  since: Millis;
  /** Configured queues: they appear with zeros even when nothing happened in them. */
  queues: string[];
  open: OpenEntryRow[];
  /** Callback slots first requested in the period (repeat requests merged into them excluded). */
  requested: CountRow[];
  /** Callback slots first requested before the period and still open when it began. */
  openAtStart: CountRow[];
  waits: WaitRow[];
  closed: ClosedRow[];
  /** Only this queue (the others are dropped, the total is then this queue's figures). */
  queue?: string;
}

export interface QueueStats {
  queue: string;
  /** Now: callback slots still to be executed (pending, offered or dialing). */
  callbacksInQueue: number;
  /** Now: live callers on hold. */
  liveCallers: number;
  /** Now: age of the oldest open place (live or callback; a callback keeps its caller's entry time). */
  longestWaitSeconds: number;
  /** Period start: callback slots requested earlier and still open when the period began. */
  callbacksOpenAtStart: number;
  /** Period: callback slots first requested (a repeated request merged into an open slot is not one). */
  callbacksTotal: number;
  /** Period: callbacks whose agent call started (the wait below is taken over these). */
  callbacksStarted: number;
  /** Period: average of first request → agent call started, null when no callback started. */
  avgCallbackWaitSeconds: number | null;
  /** Period: the summed waits behind that average, in seconds (Prometheus exposes sum and count). */
  callbackWaitSecondsSum: number;
  /** Period: callback slots closed as done (connected) / unanswered / expired / cancelled. */
  done: number;
  unanswered: number;
  expired: number;
  cancelled: number;
  /** Period: live callers whose place ended: answered by an agent, hung up, sent to overflow. */
  liveAnswered: number;
  liveAbandoned: number;
  liveOverflowed: number;
}

export interface StatsReport {
  now: Millis;
  since: Millis;
  queues: QueueStats[];
  /** All listed queues together (the average is weighted by callback, not by queue). */
  total: QueueStats;
}

const CALLBACK_OPEN: readonly EntryState[] = ['pending', 'offered', 'dialing'];

type CallbackOutcomeField = 'done' | 'unanswered' | 'expired' | 'cancelled';
const CALLBACK_OUTCOME: Partial<Record<EntryState, CallbackOutcomeField>> = {
  done: 'done',
  unanswered: 'unanswered',
  expired: 'expired',
  cancelled: 'cancelled',
};
type LiveOutcomeField = 'liveAnswered' | 'liveAbandoned' | 'liveOverflowed';
const LIVE_OUTCOME: Record<LiveOutcome, LiveOutcomeField> = {
  answered: 'liveAnswered',
  abandoned: 'liveAbandoned',
  overflowed: 'liveOverflowed',
};

/** The figure a closed row feeds, if any. A live caller answered by an agent is closed as 'done' too,
 *  so the kind decides; a repeat request (kind live, state merged, no live outcome) feeds none. */
function closedField(row: ClosedRow): CallbackOutcomeField | LiveOutcomeField | undefined {
  if (row.kind === 'callback') return CALLBACK_OUTCOME[row.state];
  return row.liveOutcome === null ? undefined : LIVE_OUTCOME[row.liveOutcome];
}

function empty(queue: string): QueueStats {
  return {
    queue,
    callbacksInQueue: 0,
    liveCallers: 0,
    longestWaitSeconds: 0,
    callbacksOpenAtStart: 0,
    callbacksTotal: 0,
    callbacksStarted: 0,
    avgCallbackWaitSeconds: null,
    callbackWaitSecondsSum: 0,
    done: 0,
    unanswered: 0,
    expired: 0,
    cancelled: 0,
    liveAnswered: 0,
    liveAbandoned: 0,
    liveOverflowed: 0,
  };
}

/** Figures the total row adds up over the queues (the longest wait is a max, the average recomputed). */
const SUMMED = [
  'callbacksInQueue',
  'liveCallers',
  'callbacksOpenAtStart',
  'callbacksTotal',
  'callbacksStarted',
  'done',
  'unanswered',
  'expired',
  'cancelled',
  'liveAnswered',
  'liveAbandoned',
  'liveOverflowed',
] as const satisfies ReadonlyArray<keyof QueueStats>;

/** Seconds with one decimal: enough for a supervisor, stable for tests and JSON. */
const seconds = (ms: number): number => Math.round(ms / 100) / 10;

export function computeStats(input: StatsInput): StatsReport {
  const byQueue = new Map<string, QueueStats>();
  const waitSums = new Map<string, number>();
  const oldest = new Map<string, number>();
  const keep = (q: string) => input.queue === undefined || q === input.queue;
  const get = (q: string): QueueStats => {
    let s = byQueue.get(q);
    if (!s) byQueue.set(q, (s = empty(q)));
    return s;
  };

  for (const q of input.queues) if (keep(q)) get(q);
  if (input.queue !== undefined) get(input.queue);

  for (const e of input.open) {
    if (!keep(e.queue)) continue;
    const s = get(e.queue);
    if (e.kind === 'live' && e.state === 'waiting') s.liveCallers++;
    else if (e.kind === 'callback' && CALLBACK_OPEN.includes(e.state)) s.callbacksInQueue++;
    else continue;
    oldest.set(e.queue, Math.min(oldest.get(e.queue) ?? Infinity, e.enteredAt));
  }
  for (const [q, enteredAt] of oldest) get(q).longestWaitSeconds = seconds(Math.max(0, input.now - enteredAt));

  for (const r of input.requested) if (keep(r.queue)) get(r.queue).callbacksTotal += r.count;
  for (const r of input.openAtStart) if (keep(r.queue)) get(r.queue).callbacksOpenAtStart += r.count;
  for (const w of input.waits) {
    if (!keep(w.queue)) continue;
    get(w.queue).callbacksStarted += w.count;
    waitSums.set(w.queue, (waitSums.get(w.queue) ?? 0) + w.sumMs);
  }
  for (const c of input.closed) {
    if (!keep(c.queue)) continue;
    const field = closedField(c);
    if (field !== undefined) get(c.queue)[field] += c.count;
  }

  const queues = [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  const total = empty('*');
  let totalWaitMs = 0;
  for (const s of queues) {
    const sum = waitSums.get(s.queue) ?? 0;
    if (s.callbacksStarted > 0) s.avgCallbackWaitSeconds = seconds(sum / s.callbacksStarted);
    s.callbackWaitSecondsSum = sum / 1000;
    totalWaitMs += sum;
    total.longestWaitSeconds = Math.max(total.longestWaitSeconds, s.longestWaitSeconds);
    for (const k of SUMMED) total[k] += s[k];
  }
  if (total.callbacksStarted > 0) total.avgCallbackWaitSeconds = seconds(totalWaitMs / total.callbacksStarted);
  total.callbackWaitSecondsSum = totalWaitMs / 1000;
  return { now: input.now, since: input.since, queues, total };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '15m', '24h', '7d' (also '30s') → milliseconds; undefined for anything else (and for zero). */
export function parseDuration(text: string): Millis | undefined {
  const m = /^\s*(\d+)\s*([smhd])\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2].toLowerCase()] : 0;
  return ms > 0 ? ms : undefined;
}
