// `callbackd stats` end to end: rows written through the store the way the call flows write them,
// figures read back through the reports queries. Checks what counts in a period and what does not.
import { expect } from 'chai';
import { parseStatsOptions, renderStats } from '../../../src/cli/stats';
import { computeStats } from '../../../src/domain/stats';
import { fixedClock, makeCliEnv, seedCallback, type CliEnv } from './cli-env';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('cli/stats', () => {
  let env: CliEnv;
  const clock = fixedClock(T0);

  /** Callback executed: offered, agent pressed Call at `startedAt`, closed as `state` at `closedAt`. */
  function execute(id: string, startedAt: number, state: 'done' | 'unanswered', closedAt: number) {
    const s = env.store();
    const ticket = s.tickets.create({
      subject: 'Callback',
      requester: '+49',
      reason: 'callback-accepted',
      queue: 'support',
      did: null,
      entryId: id,
      agentId: 'alice',
      waitedSeconds: null,
      createdAt: startedAt,
    });
    s.entries.markOffered(id, 'alice', startedAt);
    s.entries.markDialing(id, { at: startedAt, agentId: 'alice', ticketId: ticket.id });
    s.entries.close(id, state, closedAt);
  }

  beforeEach(async () => {
    env = makeCliEnv();
    await env.run(['queues', 'add', 'support']);
    await env.run(['queues', 'add', 'sales']);
    const s = env.store();
    seedCallback(s, { id: 'c1', enteredAt: T0 - 2 * HOUR - MIN, requestedAt: T0 - 2 * HOUR });
    execute('c1', T0 - 2 * HOUR + 5 * MIN, 'done', T0 - 2 * HOUR + 8 * MIN); // waited 300 s
    seedCallback(s, { id: 'c2', enteredAt: T0 - HOUR - MIN, requestedAt: T0 - HOUR });
    execute('c2', T0 - HOUR + 15 * MIN, 'unanswered', T0 - HOUR + 16 * MIN); // waited 900 s
    seedCallback(s, { id: 'c3', enteredAt: T0 - 40 * MIN, requestedAt: T0 - 30 * MIN, number: '+491709999999' }); // still pending
    seedCallback(s, { id: 'c4', enteredAt: T0 - 72 * HOUR - MIN, requestedAt: T0 - 72 * HOUR });
    execute('c4', T0 - 72 * HOUR + MIN, 'done', T0 - 72 * HOUR + 2 * MIN); // outside 24h, waited 60 s
    seedCallback(s, { id: 'c5', enteredAt: T0 - 91 * MIN, requestedAt: T0 - 90 * MIN });
    s.entries.close('c5', 'expired', T0 - 30 * MIN);
    s.entries.addLive({ id: 'l1', queue: 'support', did: '+4930123456', channelId: 'l1', callerId: null, enteredAt: T0 - 20 * MIN });
    s.entries.addLive({ id: 'l2', queue: 'support', did: '+4930123456', channelId: 'l2', callerId: null, enteredAt: T0 - 19 * MIN });
    s.entries.leave('l2', T0 - 18 * MIN);
    // Same number as c3 asks again: merged into c3, not a second callback.
    s.entries.addLive({ id: 'm1', queue: 'support', did: '+4930123456', channelId: 'm1', callerId: null, enteredAt: T0 - 10 * MIN });
    s.entries.requestCallback({ entryId: 'm1', number: '+491709999999', requestedAt: T0 - 5 * MIN, language: 'en' });
  });
  afterEach(() => env.cleanup());

  it('reports the last 24 h: callbacks in queue, total, average wait, expired and unanswered', async () => {
    const r = JSON.parse(await env.run(['stats', '--json'], clock));
    expect(r.since).to.equal(new Date(T0 - 24 * HOUR).toISOString());
    const support = r.queues.find((q: { queue: string }) => q.queue === 'support');
    expect(support).to.deep.equal({
      queue: 'support',
      callbacksInQueue: 1,
      liveCallers: 1,
      longestWaitSeconds: 2400, // c3 keeps its place from T0 - 40 min
      callbacksTotal: 4, // c1, c2, c3, c5 (c4 is older, m1 was merged into c3)
      callbacksStarted: 2,
      avgCallbackWaitSeconds: 600, // (300 + 900) / 2
      callbackWaitSecondsSum: 1200,
      done: 1,
      unanswered: 1,
      expired: 1,
      cancelled: 0,
    });
    expect(r.queues.find((q: { queue: string }) => q.queue === 'sales')).to.include({ callbacksTotal: 0, avgCallbackWaitSeconds: null });
  });

  it('widens the period with --since and limits to one queue with --queue', async () => {
    const r = JSON.parse(await env.run(['stats', '--since', '7d', '--queue', 'support', '--json'], clock));
    expect(r.queues).to.have.length(1);
    expect(r.total).to.include({ callbacksTotal: 5, callbacksStarted: 3, avgCallbackWaitSeconds: 420, done: 2 });
  });

  it('prints a table with a total row and refuses an unknown queue or period', async () => {
    const text = await env.run(['stats'], clock);
    expect(text.split('\n')[1]).to.match(/^QUEUE\s+CALLBACKS IN QUEUE\s+LIVE CALLERS\s+LONGEST WAIT\s+TOTAL CALLBACKS\s+AVG CALLBACK WAIT/);
    expect(text).to.match(/support\s+1\s+1\s+40m 00s\s+4\s+10m 00s\s+1\s+1\s+1\s+0/);
    expect(text).to.match(/total\s+1\s+1\s+40m 00s\s+4/);
    expect((await env.fail(['stats', '--queue', 'nope'], clock)).code).to.equal('CLI_NOT_FOUND');
    expect((await env.fail(['stats', '--since', 'a while'], clock)).code).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('has pure option parsing and rendering', () => {
    expect(parseStatsOptions({}, T0)).to.deep.equal({ queue: undefined, since: T0 - 24 * HOUR, label: '24h' });
    const report = computeStats({ now: T0, since: T0 - HOUR, queues: [], open: [], requested: [], waits: [], closed: [] });
    expect(renderStats(report, '1h')).to.match(/no queues configured/);
  });
});
