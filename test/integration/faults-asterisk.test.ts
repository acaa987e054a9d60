// Fault injection, part 2: Asterisk killed with SIGKILL (and started again at once) in every state of a
// callback, while the daemon keeps running and reconnects. Every call of the moment dies without a
// hangup event; the daemon must close what died with the cause, give no one the blame (no miss for
// the agent, no attempt used up for the customer) and put the request back at its place — or, for a
// conversation that already took place, close it as done.
import { expect } from 'chai';
import { eventually } from './harness/caller-steps';
import { ownsSandbox } from './harness/env';
import { FaultWorld } from './harness/fault-world';

const CUSTOMER = '+4915112345820';
/** planLegs' words for "we could not see it end" after an ARI reconnect. */
const LOST = /while the connection to Asterisk was lost/;

describe('faults: Asterisk killed -9 under the running daemon', function () {
  this.timeout(120_000);
  before(function () {
    // Only the sandbox can be killed from here; CI always runs it.
    if (!ownsSandbox) this.skip();
  });
  const w = FaultWorld.suite({ phones: ['1001'] });

  /** The slot is back in the queue after the crash, with the crash's cause on its legs, and the agent
   *  was not blamed: the same agent is offered it again and answers this time. */
  function backInQueue(slot: string): void {
    const legs = w.legs(slot);
    expect(legs.length, 'legs recorded').to.be.at.least(1);
    const lost = legs.filter((l) => l.cause !== null && LOST.test(l.cause));
    expect(lost.length, `a leg ended with the crash as cause: ${JSON.stringify(legs)}`).to.be.at.least(1);
    expect(w.agent('1001').missed, 'no miss counted for the agent').to.equal(0);
  }

  it('agent ringing: the slot goes back to its place without a miss, is offered again and called back once', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start();
    w.login('1001');
    const ring = await w.phones['1001'].waitForCall({ callerId: CUSTOMER });
    await w.agentLeg(slot);

    await w.crashAsterisk(() => ring.hangup());
    const caller = await w.answeredAtOnce('+4915112345821');
    backInQueue(slot);
    const { agent, agentLeg } = await w.announced(slot, CUSTOMER);
    expect(w.entry(slot)).to.include({ state: 'offered', attempts: 0 });
    await agent.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER);
    await w.connects(slot, agentLeg, customer);
    expect(w.customerCalls(CUSTOMER)).to.have.length(1);
    expect(w.entry(slot)).to.include({ attempts: 1 });
    await w.settlesEmpty([customer, caller]);
  });

  it('agent announced: the slot goes back to its place (not "declined"), and is offered again', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start();
    w.login('1001');
    const first = await w.announced(slot, CUSTOMER);

    await w.crashAsterisk(() => first.agent.hangup());
    const caller = await w.answeredAtOnce('+4915112345822');
    backInQueue(slot);
    expect(
      w.legs(slot).some((l) => l.cause === 'agent declined'),
      'not recorded as a decline',
    ).to.equal(false);
    const again = await w.announced(slot, CUSTOMER);
    expect(w.entry(slot)).to.include({ state: 'offered', attempts: 0 });
    w.logout('1001');
    await again.agent.hangup();
    await eventually(() => w.entry(slot).state === 'pending', 'back in the queue');
    await w.settlesEmpty([caller]);
  });

  it('customer ringing: the request goes back to its place, no attempt counted, the ticket says why; the next try connects', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start();
    w.login('1001');
    const first = await w.announced(slot, CUSTOMER);
    await first.agent.press('1');
    await w.line.ringing('customer', CUSTOMER);

    await w.crashAsterisk(() => first.agent.hangup());
    const caller = await w.answeredAtOnce('+4915112345823');
    backInQueue(slot);
    expect(w.ticketComments(slot)).to.have.length(1);
    expect(w.ticketComments(slot)[0]).to.match(/^callback interrupted \(.*while the connection to Asterisk was lost\)/);
    const again = await w.announced(slot, CUSTOMER);
    expect(w.entry(slot)).to.include({ state: 'offered', attempts: 0 });
    const mark = w.mark;
    await again.agent.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER, { from: mark });
    await w.connects(slot, again.agentLeg, customer);
    expect(w.entry(slot)).to.include({ state: 'done', attempts: 1 });
    expect(w.customerCalls(CUSTOMER), 'one ring per attempt: the interrupted one and the new one').to.have.length(2);
    expect(w.tickets(slot), 'the ticket of the first acceptance is kept').to.equal(1);
    await w.settlesEmpty([customer, caller]);
  });

  it('bridged: the conversation that took place stays done, nobody is called again, the agent goes through wrap-up', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start();
    w.login('1001');
    const { agent, agentLeg } = await w.announced(slot, CUSTOMER);
    await agent.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER);
    await w.connects(slot, agentLeg, customer);

    await w.crashAsterisk(() => agent.hangup());
    const caller = await w.answeredAtOnce('+4915112345824');
    expect(w.entry(slot)).to.include({ state: 'done', attempts: 1 });
    const legs = w.legs(slot);
    expect(
      legs.every((l) => l.state === 'ended' && l.cause !== null && LOST.test(l.cause)),
      JSON.stringify(legs),
    ).to.equal(true);
    // The caller who came in after the crash gets the agent after the wrap-up, not the customer again.
    const next = await w.phones['1001'].waitForCall({ callerId: '+4915112345824' });
    expect(w.customerCalls(CUSTOMER)).to.have.length(1);
    await next.hangup();
    await w.settlesEmpty([caller]);
  });

  it('wrap-up: the agent keeps the rest of the wrap-up; a caller after the crash is answered at once and put through after it', async () => {
    const slot = w.seedCallback(CUSTOMER);
    await w.start({ CALLBACKD_AGENTS_WRAP_UP_SECONDS: '10' });
    w.login('1001');
    const { agent, agentLeg } = await w.announced(slot, CUSTOMER);
    await agent.press('1');
    const customer = await w.line.ringing('customer', CUSTOMER);
    await w.connects(slot, agentLeg, customer);
    await customer.hangup();
    const ended = Date.now();
    await agent.ended();
    await eventually(() => w.agent('1001').state === 'wrap-up', 'agent in wrap-up');

    await w.crashAsterisk();
    const caller = await w.answeredAtOnce('+4915112345825');
    expect(w.agent('1001').state, 'still in wrap-up after the crash').to.equal('wrap-up');
    const next = await w.phones['1001'].waitForCall({ callerId: '+4915112345825', timeoutMs: 20_000 });
    expect(Date.now() - ended, 'put through only after the 10 s wrap-up').to.be.at.least(9500);
    expect(w.entry(slot)).to.include({ state: 'done', attempts: 1 });
    await next.hangup();
    await w.settlesEmpty([caller]);
  });
});
