// Calls in delivery when the PBX goes away under a running daemon (Asterisk restarted, or the ARI link
// lost): every channel vanishes without an event, and after the reconnect the daemon reconciles in
// daemon.ts's order. The sessions must not read their lost channels as the people's doing (a decline,
// an agent hanging up on the customer, a missed call): the request goes back to its place with the
// cause, a conversation that took place stays done, and no offer is made while the PBX is away.
import { expect } from 'chai';
import type { Leg } from '../../../../src/domain/model';
import { createWorld, dialled, lastLeg, seedAgent, seedEntry, seedNumber, seedQueue, T0, type World } from '../fixtures';

const NUMBER = '+4915112345679';
const ENTERED = T0 - 10 * 60_000;
const LOST = 'while the connection to Asterisk was lost';

describe('app/delivery: the PBX lost under a running daemon', () => {
  let w: World;
  let agentLeg: string;
  const world = async () => {
    w = createWorld({ delivery: { callback: { declineCooldownSeconds: 0 } } });
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
    seedAgent(w.sqlite, 'alice', { at: T0 - 60_000 });
    seedEntry(w.sqlite, 'cb', { enteredAt: ENTERED, callback: NUMBER });
    await w.settle();
    agentLeg = lastLeg(w, 'agent');
  };
  afterEach(() => w.close());
  const slot = () => w.sqlite.entries.get('cb')!;
  const legs = (): Leg[] => w.sqlite.legs.ofEntry('cb');
  const leg = (id: string): Leg => w.sqlite.legs.get(id)!;

  /** Asterisk killed: every channel and bridge gone, no event; ARI down. */
  const crash = () => {
    w.pbx.connected = false;
    for (const id of [...w.pbx.channels.keys()]) w.pbx.vanish(id);
    w.pbx.bridges.clear();
  };
  /** ARI back: the daemon's reconcile (daemon.ts), step by step in its order. */
  const reconnect = async () => {
    w.pbx.connected = true;
    const [channels, bridges] = [await w.pbx.listChannels(), await w.pbx.listBridges()];
    const alive = new Set(channels.map((c) => c.id));
    w.delivery.releaseLost(alive);
    await w.router.endMissing(alive);
    await w.delivery.recover(channels, bridges, 'reconnect');
    await w.callers.recover(channels);
    await w.agents.recover(w.delivery.agentsOnCalls());
    w.events.emit({ type: 'dispatch-needed', reason: 'reconnect' });
    await w.settle();
  };
  const customerRinging = async () => {
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.press(agentLeg, '1');
    return lastLeg(w, 'customer');
  };

  it('customer ringing: the request goes back to its place, no attempt counted, the ticket says why, and it is offered again', async () => {
    await world();
    const customerLeg = await customerRinging();
    crash();
    await reconnect();
    const offeredAgain = dialled(w, 'agent');
    expect(offeredAgain, 'offered again after the reconnect').to.have.length(2);
    expect(slot()).to.include({ state: 'offered', attempts: 0, enteredAt: ENTERED });
    expect([agentLeg, customerLeg].map((id) => [leg(id).state, leg(id).cause])).to.deep.equal([
      ['ended', `agent leg ended ${LOST}`],
      ['ended', `agent leg ended ${LOST}`],
    ]);
    const comments = w.sqlite.tickets.comments(slot().ticketId!);
    expect(comments.map((c) => c.body)).to.deep.equal([
      `callback interrupted (agent leg ended ${LOST}); the request is back in the queue at its place`,
    ]);
    expect(w.agent('alice').missed).to.equal(0);
  });

  it('agent ringing: no miss for the agent, the slot back at its place with the cause', async () => {
    await world();
    crash();
    await reconnect();
    expect(leg(agentLeg)).to.include({ state: 'ended', cause: `agent leg ended ${LOST}` });
    expect(w.agent('alice').missed).to.equal(0);
    expect(slot()).to.include({ state: 'offered', enteredAt: ENTERED });
    expect(dialled(w, 'agent')).to.have.length(2);
  });

  it('agent announced: not a decline (no cooldown), the slot back with the cause', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    crash();
    await reconnect();
    expect(leg(agentLeg)).to.include({ state: 'ended', cause: `agent leg ended ${LOST}` });
    expect(w.emitted.filter((e) => e.type === 'cooldown')).to.deep.equal([]);
    expect(dialled(w, 'agent')).to.have.length(2);
  });

  it('bridged: the conversation stays done, its legs closed with the cause, the agent in wrap-up; nobody is dialled again', async () => {
    await world();
    await w.pbx.answerLeg(await customerRinging());
    expect(slot()).to.include({ state: 'done', attempts: 1 });
    crash();
    await reconnect();
    expect(slot()).to.include({ state: 'done', attempts: 1 });
    expect(legs().map((l) => [l.state, l.cause])).to.deep.equal([
      ['ended', `the call ended ${LOST}`],
      ['ended', `the call ended ${LOST}`],
    ]);
    expect(w.agent('alice').state).to.equal('wrap-up');
    expect(w.pbx.dials).to.have.length(2);
  });

  it('no offer is made while the PBX is away; the reconnect brings the waiting slot to the free agent', async () => {
    await world();
    await w.pbx.press(agentLeg, '2'); // not answered yet: nothing happens
    await w.pbx.hangUp(agentLeg); // the agent rejects: the slot is pending again, the agent free
    w.pbx.connected = false;
    w.events.emit({ type: 'dispatch-needed', reason: 'test' });
    await w.advance(30);
    expect(dialled(w, 'agent'), 'no dial while ARI is down').to.have.length(1);
    expect(w.agent('alice').missed).to.equal(1); // the rejection only
    await reconnect();
    expect(dialled(w, 'agent')).to.have.length(2);
  });

  it('a customer who answered during a short ARI outage (the event lost) is bridged after the reconnect', async () => {
    await world();
    const customerLeg = await customerRinging();
    w.pbx.connected = false;
    w.pbx.channels.get(customerLeg)!.state = 'Up';
    await reconnect();
    expect(w.pbx.ops('addToBridge').map((r) => r.channelIds)).to.deep.equal([[agentLeg, customerLeg]]);
    expect(slot()).to.include({ state: 'done', attempts: 1 });
    expect(w.pbx.dials, 'nobody dialled again').to.have.length(2);
  });

  it('a call whose channels all survived a short ARI outage goes on in its own session', async () => {
    await world();
    w.pbx.connected = false;
    await reconnect();
    expect(dialled(w, 'agent'), 'not dialled again').to.have.length(1);
    await w.pbx.answerLeg(agentLeg);
    expect(w.pbx.prompts(agentLeg)).to.have.length(1);
    await w.pbx.press(agentLeg, '1');
    await w.pbx.answerLeg(lastLeg(w, 'customer'));
    expect(slot()).to.include({ state: 'done', attempts: 1 });
  });
});
