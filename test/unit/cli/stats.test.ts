// `callbackd stats` end to end: rows written through the store's verbs the way the call flows write them
// (live and callback rows mixed, every outcome), figures read back through the reports queries. Checks
// what counts in a period and what does not, and that the callback figures balance.
import { expect } from 'chai';
import { parseStatsOptions, renderStats } from '../../../src/cli/stats';
import { computeStats, type QueueStats } from '../../../src/domain/stats';
import { callHistory } from '../store/call-history';
import { fixedClock, makeCliEnv, type CliEnv } from './cli-env';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('cli/stats', () => {
  let env: CliEnv;
  const clock = fixedClock(T0);

  beforeEach(async () => {
    env = makeCliEnv();
    await env.run(['queues', 'add', 'support']);
    await env.run(['queues', 'add', 'sales']);
    const h = callHistory(env.store());
    // c1: the same number asks again 3 min later (m0, merged). Its wait counts from the FIRST request:
    // 300 s, not 120 s.
    h.callback('c1', T0 - 2 * HOUR - MIN, T0 - 2 * HOUR, '+491701000001');
    h.live('m0', T0 - 2 * HOUR + MIN);
    expect(h.request('m0', '+491701000001', T0 - 2 * HOUR + 3 * MIN)).to.equal('updated');
    h.connectCallback('c1', 'alice', T0 - 2 * HOUR + 5 * MIN);
    h.callback('c2', T0 - HOUR - MIN, T0 - HOUR, '+491701000002');
    h.unansweredCallback('c2', 'alice', T0 - HOUR + 15 * MIN); // waited 900 s
    h.callback('c3', T0 - 40 * MIN, T0 - 30 * MIN, '+491709999999'); // still pending
    h.callback('c4', T0 - 72 * HOUR - MIN, T0 - 72 * HOUR, '+491701000004');
    h.connectCallback('c4', 'alice', T0 - 72 * HOUR + MIN); // outside 24h, waited 60 s
    h.callback('c5', T0 - 91 * MIN, T0 - 90 * MIN, '+491701000005');
    h.expire('c5', T0 - 30 * MIN); // 60 min after its request
    // c6: first requested 26 h ago, asked again 23 h ago (m2, merged), cancelled 22 h ago. It belongs to
    // the period it was first requested in; in the last 24 h it is part of the backlog the period began with.
    h.callback('c6', T0 - 26 * HOUR - MIN, T0 - 26 * HOUR, '+491706666666');
    h.live('m2', T0 - 23 * HOUR - MIN);
    expect(h.request('m2', '+491706666666', T0 - 23 * HOUR)).to.equal('updated');
    await env.run(['callbacks', 'cancel', 'c6', '--by', 'sam'], fixedClock(T0 - 22 * HOUR));
    // Live callers: one on hold, one hung up, two answered by an agent, one sent to overflow, and one
    // who hung up 29 h ago.
    h.live('l1', T0 - 20 * MIN);
    h.live('l2', T0 - 19 * MIN);
    h.abandon('l2', T0 - 18 * MIN);
    h.live('l3', T0 - 50 * MIN);
    h.answerLive('l3', 'bob', T0 - 45 * MIN);
    h.live('l4', T0 - 48 * MIN);
    h.answerLive('l4', 'bob', T0 - 40 * MIN);
    h.live('l5', T0 - 3 * HOUR);
    h.overflow('l5', T0 - 2 * HOUR - 50 * MIN);
    h.live('l6', T0 - 30 * HOUR);
    h.abandon('l6', T0 - 29 * HOUR);
    // Same number as c3 asks again: merged into c3, not a second callback.
    h.live('m1', T0 - 10 * MIN);
    expect(h.request('m1', '+491709999999', T0 - 5 * MIN)).to.equal('updated');
  });
  afterEach(() => env.cleanup());

  /** `callbackd stats ... --json`, parsed (dates stay ISO strings). */
  const statsJson = async (args: string[]) =>
    JSON.parse(await env.run(['stats', ...args, '--json'], clock)) as { since: string; queues: QueueStats[]; total: QueueStats };

  /** What was open when the period began plus what was requested in it = what ended in it + what is open now. */
  const balance = (q: QueueStats) => ({
    in: q.callbacksOpenAtStart + q.callbacksTotal,
    out: q.done + q.unanswered + q.expired + q.cancelled + q.callbacksInQueue,
  });

  it('reports the last 24 h: callbacks in queue, backlog, total, average wait from the first request, every outcome', async () => {
    const r = await statsJson([]);
    expect(r.since).to.equal(new Date(T0 - 24 * HOUR).toISOString());
    const support = r.queues.find((q) => q.queue === 'support')!;
    expect(support).to.deep.equal({
      queue: 'support',
      callbacksInQueue: 1,
      liveCallers: 1,
      longestWaitSeconds: 2400, // c3 keeps its place from T0 - 40 min
      callbacksOpenAtStart: 1, // c6, first requested 26 h ago, cancelled in the period
      callbacksTotal: 4, // c1, c2, c3, c5 (c4 and c6 are older, m0/m1/m2 were merged into c1/c3/c6)
      callbacksStarted: 2,
      avgCallbackWaitSeconds: 600, // (300 + 900) / 2, c1 counted from its first request
      callbackWaitSecondsSum: 1200,
      done: 1, // c1 only: l3 and l4 were answered live callers
      unanswered: 1,
      expired: 1,
      cancelled: 1,
      liveAnswered: 2,
      liveAbandoned: 1, // l2 (l6 is older)
      liveOverflowed: 1,
    });
    expect(balance(support)).to.deep.equal({ in: 5, out: 5 });
    expect(r.queues.find((q) => q.queue === 'sales')).to.include({ callbacksTotal: 0, avgCallbackWaitSeconds: null });
  });

  it('counts two connected callbacks and two answered live callers as 2 done and 2 answered, not 4 done', async () => {
    const r = await statsJson(['--since', '7d']);
    expect(r.total).to.include({ done: 2, liveAnswered: 2 });
  });

  it('over all time, requested = done + unanswered + expired + cancelled + still in queue, and nothing is open at the start', async () => {
    const { total } = await statsJson(['--since', '3650d']);
    expect(total).to.include({
      callbacksOpenAtStart: 0,
      callbacksTotal: 6,
      done: 2,
      unanswered: 1,
      expired: 1,
      cancelled: 1,
      callbacksInQueue: 1,
      liveAnswered: 2,
      liveAbandoned: 2,
      liveOverflowed: 1,
    });
    expect(balance(total)).to.deep.equal({ in: 6, out: 6 });
  });

  it('balances every period whatever its start: backlog + requested = ended in it + open now', async () => {
    const periods = ['10m', '1h', '2h', '3h', '23h', '25h', '27h', '3d', '4d'];
    for (const since of periods) {
      const { total } = await statsJson(['--since', since]);
      const b = balance(total);
      expect(b.in, `--since ${since}`).to.equal(b.out);
    }
    // 1 h back: c2 (requested exactly then) and c3 are requested in the period; c5, requested 90 min ago
    // and expired 30 min ago, was open when it began; c1 had ended before.
    const { total } = await statsJson(['--since', '1h']);
    expect(total).to.include({ callbacksOpenAtStart: 1, callbacksTotal: 2, unanswered: 1, expired: 1, callbacksInQueue: 1, done: 0 });
  });

  it('widens the period with --since and limits to one queue with --queue', async () => {
    const r = JSON.parse(await env.run(['stats', '--since', '7d', '--queue', 'support', '--json'], clock));
    expect(r.queues).to.have.length(1);
    // c6 was first requested within these 7 days: it is now in the total instead of the backlog.
    expect(r.total).to.include({ callbacksOpenAtStart: 0, callbacksTotal: 6, callbacksStarted: 3, avgCallbackWaitSeconds: 420, done: 2 });
    expect(r.total).to.include({ cancelled: 1, liveAnswered: 2, liveAbandoned: 2, liveOverflowed: 1 });
  });

  it('prints a table with a total row and refuses an unknown queue or period', async () => {
    const text = await env.run(['stats'], clock);
    expect(text.split('\n')[1]).to.match(/^QUEUE\s+CALLBACKS IN QUEUE\s+LIVE CALLERS\s+LONGEST WAIT\s+TOTAL CALLBACKS\s+AVG CALLBACK WAIT/);
    expect(text.split('\n')[1]).to.match(/CANCELLED\s+OPEN AT START\s+LIVE ANSWERED\s+LIVE ABANDONED\s+LIVE OVERFLOWED$/);
    expect(text).to.match(/support\s+1\s+1\s+40m 00s\s+4\s+10m 00s\s+1\s+1\s+1\s+1\s+1\s+2\s+1\s+1\n/);
    expect(text).to.match(/total\s+1\s+1\s+40m 00s\s+4/);
    expect((await env.fail(['stats', '--queue', 'nope'], clock)).code).to.equal('CLI_NOT_FOUND');
    expect((await env.fail(['stats', '--since', 'a while'], clock)).code).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('has pure option parsing and rendering', () => {
    expect(parseStatsOptions({}, T0)).to.deep.equal({ queue: undefined, since: T0 - 24 * HOUR, label: '24h' });
    const report = computeStats({ now: T0, since: T0 - HOUR, queues: [], open: [], requested: [], openAtStart: [], waits: [], closed: [] });
    expect(renderStats(report, '1h')).to.match(/no queues configured/);
  });
});
