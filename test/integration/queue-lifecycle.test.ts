// Queue lifecycle over real calls (DESIGN.md §1 steps 7–9): max wait for live callers only, expiry of
// unexecuted callbacks into tickets exactly once across a restart, and the supervisor's figures.
import { expect } from 'chai';
import { buildProgram } from '../../src/cli/index';
import { sink } from '../../src/cli/output';
import { type Caller, daemonHungUp, dial, eventually, hears, openEntry, rowsOf } from './harness/caller-steps';
import { DID_EN, logIn, ManualClock, startTestDaemon, type TestDaemon } from './harness/test-daemon';
import type { SipPhone } from './harness/sip-phone';
import { callCenterSuite } from './harness/suite';
import type { TestLine } from './harness/test-line';

const MINUTE = 60_000;

describe('queue lifecycle', function () {
  this.timeout(180_000);
  let line: TestLine;
  let d: TestDaemon;
  let phones: Record<string, SipPhone>;
  let clock: ManualClock;
  const suite = callCenterSuite(
    () => {
      clock = new ManualClock();
      // The sweep runs every second here so a moved clock shows its effect at once.
      return { clock, env: { CALLBACKD_CALLBACK_EXPIRY_SWEEP_CRON: '* * * * * *' } };
    },
    { phones: ['1001'] },
  );
  beforeEach(() => ({ line, d, phones } = suite));

  async function leaveCallback(callerId: string): Promise<Caller> {
    const caller = await dial(line, d, DID_EN, callerId);
    await hears(d, caller, 'en/offer');
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    await daemonHungUp(d, caller);
    return caller;
  }

  /** `callbackd stats --json` in-process on the daemon's database, at the daemon's clock. */
  async function stats(): Promise<Record<string, number | null>> {
    let out = '';
    const saved = sink.out;
    sink.out = (text) => void (out += text);
    try {
      await buildProgram({ clock }).parseAsync(['node', 'callbackd', '--db', d.config.db.path, 'stats', '--since', '24h', '--json']);
    } finally {
      sink.out = saved;
    }
    const report = JSON.parse(out) as { queues: Array<Record<string, number | null> & { queue: string }> };
    return report.queues.find((q) => q.queue === 'support')!;
  }

  it('a live caller past the max wait overflows while a callback slot of the same queue is still executed', async () => {
    d.daemon.sqlite.queues.upsert({ name: 'support', maxWaitSeconds: 16, overflow: 'hangup', mohClass: 'default' });
    const slotOwner = await leaveCallback('+4915112345720');
    const waiter = await dial(line, d, DID_EN, '+4915112345721');
    await hears(d, waiter, 'en/overflow', { timeoutMs: 30_000 });
    await daemonHungUp(d, waiter);
    expect(rowsOf(d, waiter)[0]).to.include({ kind: 'live', state: 'left' });

    // The callback slot has been in the queue longer than 16 s by now and is untouched…
    const slot = openEntry(d, slotOwner)!;
    expect(slot).to.include({ kind: 'callback', state: 'pending' });
    // …and is still executed when an agent comes.
    await logIn(d, '1001');
    const phone = await phones['1001'].waitForCall();
    await phone.answer();
    await d.events.waitFor((e) => e.type === 'playback-started' && e.media === 'sound:callbackd/en/agent-callback-request');
    await phone.press('1');
    const customer = await line.ringing('customer', '+4915112345720');
    await customer.answer();
    await eventually(() => d.daemon.sqlite.entries.get(slot.id)?.state === 'done', 'callback executed');
  });

  it('a callback not executed within 60 minutes expires into exactly one "Callback" ticket, also across a restart', async () => {
    const caller = await leaveCallback('+4915112345722');
    const slot = openEntry(d, caller)!;
    clock.advance(59 * MINUTE);
    await new Promise((r) => setTimeout(r, 1500)); // a sweep or two at 59 minutes: nothing happens
    expect(d.daemon.sqlite.entries.get(slot.id)).to.include({ state: 'pending' });

    clock.advance(2 * MINUTE);
    await eventually(() => d.daemon.sqlite.entries.get(slot.id)?.state === 'expired', 'slot expired');
    const expiredTickets = () => d.daemon.sqlite.tickets.list().filter((t) => t.reason === 'callback-expired');
    expect(expiredTickets()).to.have.length(1);
    expect(expiredTickets()[0]).to.include({ subject: 'Callback', requester: '+4915112345722', queue: 'support', entryId: slot.id });

    // Restart on the same database: the start-up sweep and later ones find nothing new to do.
    const dir = d.dir;
    await d.stop(true);
    d = suite.d = await startTestDaemon({ clock, dir, env: { CALLBACKD_CALLBACK_EXPIRY_SWEEP_CRON: '* * * * * *' } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(expiredTickets()).to.have.length(1);
  });

  it('stats after a scripted set of calls show exact figures', async () => {
    // A asks for a callback at T0; B a minute later; C stays on hold (entered at T0+1 min).
    const a = await leaveCallback('+4915112345730');
    clock.advance(1 * MINUTE);
    const b = await leaveCallback('+4915112345731');
    const c = await dial(line, d, DID_EN, '+4915112345732');
    await hears(d, c, 'en/welcome');

    // Five minutes after A's request an agent takes A's callback (the oldest place).
    clock.advance(4 * MINUTE);
    await logIn(d, '1001');
    const phone = await phones['1001'].waitForCall();
    expect(phone.callerId).to.equal('+4915112345730');
    await phone.answer();
    await d.events.waitFor((e) => e.type === 'playback-started' && e.media === 'sound:callbackd/en/agent-callback-request');
    await phone.press('1');
    const customer = await line.ringing('customer', '+4915112345730');
    await customer.answer();
    const slotA = openEntry(d, a)!;
    await eventually(() => d.daemon.sqlite.entries.get(slotA.id)?.state === 'done', 'A called back');
    await d.daemon.agents.apply('1001', { type: 'logout' });

    // B is never executed and expires at B's request + 60 min = T0+61 min; now T0+62 min.
    const slotB = openEntry(d, b)!;
    clock.advance(57 * MINUTE);
    await eventually(() => d.daemon.sqlite.entries.get(slotB.id)?.state === 'expired', 'B expired');

    expect(await stats()).to.deep.include({
      callbacksInQueue: 0,
      liveCallers: 1, // C, still on hold
      longestWaitSeconds: 61 * 60, // C entered at T0+1 min, now T0+62 min
      callbacksTotal: 2,
      callbacksStarted: 1,
      avgCallbackWaitSeconds: 5 * 60, // A: requested T0, agent's call started T0+5 min
      done: 1,
      expired: 1,
      unanswered: 0,
      cancelled: 0,
    });
  });
});
