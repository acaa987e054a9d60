// Reporting arithmetic over a scripted set of rows, with the exact figures a supervisor should see.
import { expect } from 'chai';
import { computeStats, parseDuration, type StatsInput } from '../../../src/domain/stats';

const T0 = 1_700_000_000_000;
const S = 1000;

const input: StatsInput = {
  now: T0,
  since: T0 - 86_400 * S,
  queues: ['empty', 'sales', 'support'],
  open: [
    { queue: 'support', kind: 'live', state: 'waiting', enteredAt: T0 - 120 * S },
    { queue: 'support', kind: 'callback', state: 'pending', enteredAt: T0 - 600 * S },
    { queue: 'support', kind: 'callback', state: 'offered', enteredAt: T0 - 300 * S },
    { queue: 'sales', kind: 'callback', state: 'dialing', enteredAt: T0 - 50 * S },
    { queue: 'sales', kind: 'live', state: 'waiting', enteredAt: T0 - 10 * S },
    // A queue removed from the configuration while a caller still waits in it still shows up.
    { queue: 'gone', kind: 'live', state: 'waiting', enteredAt: T0 - 5 * S },
  ],
  requested: [
    { queue: 'support', count: 5 },
    { queue: 'sales', count: 2 },
  ],
  // sales: 1 open at the start + 2 requested = 1 unanswered + 1 cancelled + 1 in queue now.
  openAtStart: [{ queue: 'sales', count: 1 }],
  waits: [
    { queue: 'support', count: 2, sumMs: 150 * S },
    { queue: 'sales', count: 1, sumMs: 40 * S },
  ],
  closed: [
    { queue: 'support', kind: 'callback', state: 'done', liveOutcome: null, count: 2 },
    // Live callers an agent answered are closed as 'done' too: they are not completed callbacks.
    { queue: 'support', kind: 'live', state: 'done', liveOutcome: 'answered', count: 4 },
    { queue: 'support', kind: 'callback', state: 'expired', liveOutcome: null, count: 1 },
    { queue: 'support', kind: 'live', state: 'left', liveOutcome: 'abandoned', count: 2 },
    { queue: 'support', kind: 'live', state: 'left', liveOutcome: 'overflowed', count: 1 },
    // A repeat request folded into an open callback: no figure at all.
    { queue: 'support', kind: 'live', state: 'merged', liveOutcome: null, count: 1 },
    { queue: 'sales', kind: 'callback', state: 'unanswered', liveOutcome: null, count: 1 },
    { queue: 'sales', kind: 'callback', state: 'cancelled', liveOutcome: null, count: 1 },
    { queue: 'sales', kind: 'live', state: 'left', liveOutcome: 'abandoned', count: 1 },
  ],
};

const zero = {
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

describe('domain/stats', () => {
  it('computes per-queue figures: in queue now, live callers, oldest place, period totals, average wait and live outcomes', () => {
    const r = computeStats(input);
    expect(r.queues.map((q) => q.queue)).to.deep.equal(['empty', 'gone', 'sales', 'support']);
    const [empty, gone, sales, support] = r.queues;
    expect(support).to.deep.equal({
      queue: 'support',
      callbacksInQueue: 2,
      liveCallers: 1,
      longestWaitSeconds: 600,
      callbacksOpenAtStart: 0,
      callbacksTotal: 5,
      callbacksStarted: 2,
      avgCallbackWaitSeconds: 75,
      callbackWaitSecondsSum: 150,
      done: 2,
      unanswered: 0,
      expired: 1,
      cancelled: 0,
      liveAnswered: 4,
      liveAbandoned: 2,
      liveOverflowed: 1,
    });
    expect(sales).to.deep.equal({
      ...zero,
      queue: 'sales',
      callbacksInQueue: 1,
      liveCallers: 1,
      longestWaitSeconds: 50,
      callbacksOpenAtStart: 1,
      callbacksTotal: 2,
      callbacksStarted: 1,
      avgCallbackWaitSeconds: 40,
      callbackWaitSecondsSum: 40,
      unanswered: 1,
      cancelled: 1,
      liveAbandoned: 1,
    });
    expect(gone).to.deep.equal({ ...zero, queue: 'gone', liveCallers: 1, longestWaitSeconds: 5 });
    expect(empty).to.deep.equal({ ...zero, queue: 'empty' });
  });

  it('weights the total average by callback, not by queue', () => {
    const { total } = computeStats(input);
    // (150 s + 40 s) / 3 callbacks = 63.33 s, not (75 + 40) / 2.
    expect(total).to.deep.equal({
      queue: '*',
      callbacksInQueue: 3,
      liveCallers: 3,
      longestWaitSeconds: 600,
      callbacksOpenAtStart: 1,
      callbacksTotal: 7,
      callbacksStarted: 3,
      avgCallbackWaitSeconds: 63.3,
      callbackWaitSecondsSum: 190,
      done: 2,
      unanswered: 1,
      expired: 1,
      cancelled: 1,
      liveAnswered: 4,
      liveAbandoned: 3,
      liveOverflowed: 1,
    });
  });

  it('counts a live caller answered by an agent as answered, never as a completed callback', () => {
    const r = computeStats({
      ...input,
      open: [],
      requested: [{ queue: 'support', count: 2 }],
      openAtStart: [],
      waits: [{ queue: 'support', count: 2, sumMs: 60 * S }],
      closed: [
        { queue: 'support', kind: 'callback', state: 'done', liveOutcome: null, count: 2 },
        { queue: 'support', kind: 'live', state: 'done', liveOutcome: 'answered', count: 2 },
      ],
    });
    const support = r.queues.find((q) => q.queue === 'support')!;
    expect(support).to.include({ callbacksTotal: 2, done: 2, liveAnswered: 2 });
    expect(support.done + support.unanswered + support.expired + support.cancelled + support.callbacksInQueue).to.equal(
      support.callbacksTotal,
    );
  });

  it('leaves a merged repeat request out of every figure', () => {
    const r = computeStats({
      ...input,
      queue: 'support',
      open: [],
      requested: [],
      openAtStart: [],
      waits: [],
      closed: [{ queue: 'support', kind: 'live', state: 'merged', liveOutcome: null, count: 3 }],
    });
    expect(r.queues).to.deep.equal([{ ...zero, queue: 'support' }]);
  });

  it('restricts everything, the total included, to one queue when asked', () => {
    const r = computeStats({ ...input, queue: 'sales' });
    expect(r.queues.map((q) => q.queue)).to.deep.equal(['sales']);
    expect({ ...r.total, queue: 'sales' }).to.deep.equal(r.queues[0]);
  });

  it('shows a queue asked for with zeros when nothing happened in it', () => {
    const r = computeStats({ ...input, queue: 'new' });
    expect(r.queues).to.deep.equal([{ ...zero, queue: 'new' }]);
  });

  it('never reports a negative wait when a row lies in the future (clock skew between processes)', () => {
    const r = computeStats({ ...input, open: [{ queue: 'support', kind: 'live', state: 'waiting', enteredAt: T0 + 5 * S }] });
    expect(r.queues.find((q) => q.queue === 'support')!.longestWaitSeconds).to.equal(0);
  });

  it('parses 15m, 24h, 7d and 30s, and nothing else', () => {
    expect(['15m', '24h', '7d', '30s', '2H'].map(parseDuration)).to.deep.equal([900_000, 86_400_000, 604_800_000, 30_000, 7_200_000]);
    expect(['', '0m', '1.5h', '-1h', '1w', 'h'].map(parseDuration)).to.deep.equal([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
