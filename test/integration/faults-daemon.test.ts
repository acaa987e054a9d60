// Fault injection, part 1: the daemon process killed with SIGKILL in every state of a callback (and of
// a live caller's conversation) and restarted on the same database. Judged by what Asterisk really did
// — the customer's rings at the simulated PSTN, the agent phone's incoming calls, the channels and
// bridges it still has — and by the rows the daemon left.
import { expect } from 'chai';
import { eventually, sleep } from './harness/caller-steps';
import { FaultWorld } from './harness/fault-world';
import { DID_EN } from './harness/test-daemon';
import type { TestCall } from './harness/test-line';

const CUSTOMER = '+4915112345800';

describe('faults: the daemon killed -9', function () {
  this.timeout(120_000);
  const w = FaultWorld.suite({ phones: ['1001'] });

  /** A caller on hold, with the daemon's side of the call watched; resolves once the offer plays. */
  async function onHold(callerId: string): Promise<{ call: TestCall; channelId: string; entryId: string; enteredAt: number }> {
    const mark = w.mark;
    const call = await w.line.call(DID_EN, callerId);
    const row = await eventually(() => w.entryOf(callerId), `${callerId} in the queue`);
    await w.watch(row.channel_id!);
    await w.playing(row.channel_id!, 'en/offer', { from: mark });
    return { call, channelId: row.channel_id!, entryId: row.id, enteredAt: row.entered_at };
  }

  /** The same caller hears the offer again from the new process, as the same entry at the same place. */
  async function offeredAgain(held: Awaited<ReturnType<typeof onHold>>, from: number): Promise<void> {
    await w.playing(held.channelId, 'en/offer', { from });
    expect(w.entry(held.entryId)).to.include({ state: 'waiting', entered_at: held.enteredAt });
  }

  it('agent ringing: the same ring goes on; answering it announces the request and the customer is rung once', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start();
    w.login('1001');
    const ring = await w.phones['1001'].waitForCall({ callerId: CUSTOMER });
    const agentLeg = await w.agentLeg(slot);

    await w.killAndRestart();
    const caller = await w.answeredAtOnce('+4915112345801');
    await sleep(1000);
    expect(w.incoming('1001'), 'the phone is not rung a second time').to.have.length(1);
    expect(w.entry(slot)).to.include({ state: 'offered', agent_id: '1001' });

    const mark = w.mark;
    await ring.answer();
    await w.playing(agentLeg, 'en/agent-callback-request', { from: mark });
    await ring.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER);
    await w.connects(slot, agentLeg, customer);
    expect(w.customerCalls(CUSTOMER), 'the customer rang once').to.have.length(1);
    expect(w.entry(slot)).to.include({ attempts: 1 });
    expect(w.tickets(slot)).to.equal(1);
    await w.settlesEmpty([customer, caller]);
  });

  it('agent announced: the request is read again to the same call and the agent’s 1 dials the customer once', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start();
    w.login('1001');
    const { agent, agentLeg } = await w.announced(slot, CUSTOMER);

    const mark = w.mark;
    await w.killAndRestart();
    const caller = await w.answeredAtOnce('+4915112345802');
    await w.playing(agentLeg, 'en/agent-callback-request', { from: mark });
    expect(w.entry(slot)).to.include({ state: 'offered', agent_id: '1001' });
    await agent.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER);
    await w.connects(slot, agentLeg, customer);
    expect(w.incoming('1001')).to.have.length(1);
    expect(w.customerCalls(CUSTOMER)).to.have.length(1);
    expect(w.entry(slot)).to.include({ attempts: 1 });
    await w.settlesEmpty([customer, caller]);
  });

  it('customer ringing: the ringing call is re-adopted, not dialled again; answering it connects agent and customer', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start();
    w.login('1001');
    const { agent, agentLeg } = await w.announced(slot, CUSTOMER);
    await agent.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER);
    expect(w.entry(slot)).to.include({ state: 'dialing' });

    await w.killAndRestart();
    const caller = await w.answeredAtOnce('+4915112345803');
    await sleep(1500);
    expect(w.customerCalls(CUSTOMER), 'no second dial of the customer').to.have.length(1);
    await w.connects(slot, agentLeg, customer);
    expect(w.entry(slot)).to.include({ attempts: 1 });

    // The agent ends the call: the daemon hangs up the customer, the agent goes through wrap-up.
    await agent.hangup();
    await customer.ended();
    await eventually(() => w.agent('1001').state === 'wrap-up', 'agent in wrap-up');
    await eventually(() => w.agent('1001').state === 'available' || w.incoming('1001').length === 2, 'agent free after wrap-up');
    await w.settlesEmpty([caller]);
  });

  it('bridged: the conversation goes on, the agent gets no call until it ends and the wrap-up is over; callers on hold are offered again', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start();
    w.login('1001');
    const { agent, agentLeg } = await w.announced(slot, CUSTOMER);
    await agent.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER);
    await w.connects(slot, agentLeg, customer);
    const held = await onHold('+4915112345804');

    const mark = w.mark;
    await w.killAndRestart();
    const caller = await w.answeredAtOnce('+4915112345805');
    await offeredAgain(held, mark);
    expect(
      w.incoming('1001').map((c) => `${c.callerId} ${c.state} ${c.id}`),
      'the agent is not rung while talking',
    ).to.have.length(1);
    expect(w.agent('1001').state).to.equal('busy');
    expect(await w.bridged(agentLeg, await w.customerLeg(slot))).to.equal(true);

    await customer.hangup();
    const ended = Date.now();
    await agent.ended();
    const next = await w.phones['1001'].waitForCall({ callerId: '+4915112345804' });
    expect(Date.now() - ended, 'the next caller only after the wrap-up (3 s)').to.be.at.least(2500);
    expect(w.customerCalls(CUSTOMER)).to.have.length(1);
    expect(w.entry(slot)).to.include({ state: 'done', attempts: 1 });
    expect(w.legs(slot).every((l) => l.state === 'ended')).to.equal(true);
    await next.hangup();
    await w.settlesEmpty([held.call, caller]);
  });

  it('wrap-up: a restart does not cut the agent’s wrap-up short', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start({ CALLBACKD_AGENTS_WRAP_UP_SECONDS: '8' });
    w.login('1001');
    const { agent, agentLeg } = await w.announced(slot, CUSTOMER);
    await agent.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER);
    await w.connects(slot, agentLeg, customer);
    const held = await onHold('+4915112345806');
    await customer.hangup();
    const ended = Date.now();
    await agent.ended();
    await eventually(() => w.agent('1001').state === 'wrap-up', 'agent in wrap-up');

    await w.killAndRestart();
    const caller = await w.answeredAtOnce('+4915112345807');
    const next = await w.phones['1001'].waitForCall({ callerId: '+4915112345806', timeoutMs: 20_000 });
    expect(Date.now() - ended, 'rung for the next caller only after the 8 s wrap-up').to.be.at.least(7500);
    await next.hangup();
    await w.settlesEmpty([held.call, caller]);
  });

  it('a live caller talking to the agent: the conversation goes on and the agent stays busy for the caller behind', async () => {
    await w.start();
    w.login('1001');
    const a = await w.line.call(DID_EN, '+4915112345808');
    const ring = await w.phones['1001'].waitForCall({ callerId: '+4915112345808' });
    await ring.answer();
    await eventually(() => w.entryOf('+4915112345808')?.state === 'done', 'A connected');
    const entryA = w.entryOf('+4915112345808')!;
    const held = await onHold('+4915112345809');

    const mark = w.mark;
    await w.killAndRestart();
    const caller = await w.answeredAtOnce('+4915112345810');
    await offeredAgain(held, mark);
    await sleep(1000);
    expect(w.incoming('1001'), 'the agent is not rung while talking to A').to.have.length(1);
    expect(w.agent('1001').state).to.equal('busy');

    await a.hangup();
    const ended = Date.now();
    await ring.ended();
    const next = await w.phones['1001'].waitForCall({ callerId: '+4915112345809' });
    expect(Date.now() - ended, 'the next caller only after the wrap-up').to.be.at.least(2500);
    expect(w.legs(entryA.id).every((l) => l.state === 'ended')).to.equal(true);
    await next.hangup();
    await w.settlesEmpty([held.call, caller]);
  });

  it('a caller killed mid-confirmation hears the confirmation again and is hung up; the request stands once', async () => {
    await w.start();
    const held = await onHold('+4915112345811');
    await held.call.press('1');
    const mark = w.mark;
    await w.playing(held.channelId, 'en/confirmation', { from: mark });

    const again = w.mark;
    await w.killAndRestart();
    const caller = await w.answeredAtOnce('+4915112345812');
    await w.playing(held.channelId, 'en/confirmation', { from: again });
    await held.call.ended(20_000);
    expect(w.entryOf('+4915112345811')).to.include({
      id: held.entryId,
      kind: 'callback',
      state: 'pending',
      callback_number: '+4915112345811',
      entered_at: held.enteredAt,
    });
    expect(w.openRequests('+4915112345811'), 'the request stands exactly once').to.have.length(1);
    await w.settlesEmpty([caller]);
  });

  it('maxAttempts 2: killed between the attempts and during the second ring, the customer is rung exactly twice', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start({ CALLBACKD_CALLBACK_MAX_ATTEMPTS: '2', CALLBACKD_CALLBACK_RETRY_DELAY_SECONDS: '4' });
    w.login('1001');
    const { agent } = await w.announced(slot, CUSTOMER);
    await agent.press('1');
    const first = await w.line.ringing('customer', CUSTOMER);
    await first.reject();
    await eventually(() => w.entry(slot).attempts === 1, 'first attempt counted');

    const mark = w.mark;
    await w.killAndRestart(); // during the retry delay
    const restarted = Date.now();
    const caller1 = await w.answeredAtOnce('+4915112345814');
    const second = await w.line.ringing('customer', CUSTOMER, { from: mark });
    expect(Date.now() - restarted, 'not rung again before the retry delay (4 s)').to.be.at.least(3500);
    await w.killAndRestart(); // while the second attempt rings
    const caller2 = await w.answeredAtOnce('+4915112345813');
    await sleep(1500);
    expect(w.customerCalls(CUSTOMER)).to.have.length(2);
    await second.reject();
    await eventually(() => w.entry(slot).state === 'unanswered', 'closed unanswered');
    expect(w.entry(slot).attempts).to.equal(2);
    expect(w.ticketComments(slot)).to.have.length(1);
    expect(w.ticketComments(slot)[0]).to.match(/^callback attempted, not answered \(.+, 2 attempts\)$/);
    await agent.ended();
    expect(w.customerCalls(CUSTOMER)).to.have.length(2);
    await w.settlesEmpty([caller1, caller2]);
  });

  it('a caller who arrives while the daemon is frozen (SIGSTOP) is answered and queued after SIGCONT, not left ringing', async () => {
    await w.start();
    const held = await onHold('+4915112345815');
    // Frozen long past the event socket's heartbeat (6 s): on SIGCONT the heartbeat timer fires before
    // the socket is read, drops it with the StasisStart buffered in it, and the daemon reconnects.
    process.kill(w.daemon.pid, 'SIGSTOP');
    let frozen = true;
    try {
      const unheard = await w.line.dial(DID_EN, '+4915112345816', { timeoutSeconds: 40 });
      const channelId = await w.daemonSide('+4915112345816');
      await sleep(9000);
      const [waiting] = (await w.line.connection.api.channels.list()).filter((c) => c.id === channelId);
      expect(waiting?.state, 'the caller rings unanswered while the daemon is frozen').to.not.equal('Up');
      const mark = w.mark;
      const from = w.daemon.mark;
      process.kill(w.daemon.pid, 'SIGCONT');
      frozen = false;
      await unheard.answered(10_000);
      const row = await eventually(() => w.entryOf('+4915112345816'), 'the caller queued');
      expect(row).to.include({ kind: 'live', state: 'waiting', channel_id: channelId });
      await w.playing(channelId, 'en/offer', { from: mark });
      await w.daemon.waitForLog((l) => l.message === 'state reconciled with the PBX after reconnect', 10_000, 'reconcile', from);
      await offeredAgain(held, mark);
      await w.settlesEmpty([held.call, unheard.call]);
    } finally {
      if (frozen) process.kill(w.daemon.pid, 'SIGCONT');
    }
  });

  it('frozen (SIGSTOP) while a prompt plays, past its end: after SIGCONT the caller’s flow goes on instead of waiting in silence', async () => {
    await w.start();
    const mark0 = w.mark;
    const call = await w.line.call(DID_EN, '+4915112345817');
    const row = await eventually(() => w.entryOf('+4915112345817'), 'queued');
    await w.watch(row.channel_id!);
    await w.playing(row.channel_id!, 'en/offer', { from: mark0 });
    // Let the daemon take the PlaybackStarted first (else the prompt's start timeout ends it anyway).
    // The offer prompt is 13 s long: its PlaybackFinished comes while the daemon is frozen and is lost
    // with the socket the heartbeat drops on SIGCONT.
    await sleep(1000);
    process.kill(w.daemon.pid, 'SIGSTOP');
    try {
      await sleep(16_000);
    } finally {
      process.kill(w.daemon.pid, 'SIGCONT');
    }
    const mark = w.mark;
    // The menu after the offer times out (3 s), hold music, and the next offer (3 s): well within 20 s.
    await w.playing(row.channel_id!, 'en/offer', { from: mark, timeoutMs: 20_000 });
    expect(w.entry(row.id)).to.include({ state: 'waiting' });
    await w.settlesEmpty([call]);
  });
});
