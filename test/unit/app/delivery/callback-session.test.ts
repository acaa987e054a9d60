// A callback slot executed by an agent (CallbackSession through the delivery feature): the offer, the
// agent's choice, the call to the customer and the conversation, over the fake PBX and a real store.
import { expect } from 'chai';
import type { Store } from '../../../../src/app/ports';
import type { Leg } from '../../../../src/domain/model';
import {
  createWorld,
  dialled,
  DID,
  lastLeg,
  seedAgent,
  seedEntry,
  seedNumber,
  seedQueue,
  T0,
  type World,
  type WorldOptions,
} from '../fixtures';

const NUMBER = '+4915112345679';
const ENTERED = T0 - 10 * 60_000;

describe('app/delivery: a callback executed by an agent', () => {
  let w: World;
  let agentLeg: string;
  const world = async (o: WorldOptions = {}) => {
    w = createWorld(o);
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

  it('rings the agent with the customer’s number shown, the slot offered and the leg recorded', async () => {
    await world();
    expect(dialled(w, 'agent')).to.have.length(1);
    expect(dialled(w, 'agent')[0]).to.deep.include({ endpoint: 'PJSIP/alice', callerId: NUMBER, appArgs: ['agent-leg'] });
    expect(slot()).to.include({ state: 'offered', agentId: 'alice' });
    expect(legs().map((l) => [l.id, l.role])).to.deep.equal([[agentLeg, 'agent']]);
  });

  it('the agent answers and hears the request: number digit by digit, the minutes waited, the menu', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    const [announcement] = w.pbx.prompts(agentLeg);
    expect(announcement.split('+')).to.deep.equal([
      'agent-callback-request',
      ...['plus', '4', '9', '1', '5', '1', '1', '2', '3', '4', '5', '6', '7', '9'].map((d) => (d === 'plus' ? d : `digit-${d}`)),
      'agent-waiting',
      'n-9',
      'agent-minutes',
      'agent-call-or-decline',
    ]);
  });

  it('2 = decline: the slot goes back to its place, the agent is free, and not offered it again during the cooldown', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.press(agentLeg, '2');
    expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
    expect(slot()).to.include({ state: 'pending', agentId: null, enteredAt: ENTERED, attempts: 0 });
    expect(w.agent('alice')).to.include({ state: 'available', missed: 0 });
    expect(w.emitted).to.deep.include({ type: 'cooldown', entryId: 'cb', agentId: 'alice', seconds: 60 });
    await w.advance(59);
    expect(dialled(w, 'agent')).to.have.length(1);
    await w.advance(1.1);
    expect(dialled(w, 'agent'), 'offered again after the cooldown').to.have.length(2);
  });

  it('no choice within three menus counts as a decline', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    await w.advance(6 * 3);
    expect(w.pbx.prompts(agentLeg).slice(1)).to.deep.equal(['agent-call-or-decline', 'agent-call-or-decline']);
    expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
    expect(slot()).to.include({ state: 'pending' });
    expect(w.agent('alice').missed).to.equal(0);
  });

  it('a menu that times out while the event connection was down asks again instead of counting a decline', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    // The connection drops and comes back during each menu window: a key the agent pressed may be lost.
    for (let i = 0; i < 3; i++) {
      w.pbx.outages++;
      await w.advance(6);
    }
    expect(w.pbx.prompts(agentLeg).slice(1)).to.deep.equal(['agent-call-or-decline', 'agent-call-or-decline', 'agent-call-or-decline']);
    expect(w.pbx.ops('hangup', agentLeg), 'not hung up as declined').to.deep.equal([]);
    expect(slot()).to.include({ state: 'offered', agentId: 'alice' });
    await w.pbx.press(agentLeg, '1');
    expect(slot()).to.include({ state: 'dialing', agentId: 'alice' });
  });

  it('the agent hangs up during the announcement: a decline, not a miss', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.hangUp(agentLeg);
    expect(slot()).to.include({ state: 'pending', enteredAt: ENTERED });
    expect(w.agent('alice')).to.include({ state: 'available', missed: 0 });
  });

  it('the agent lets it ring out: a miss, the slot back at its place', async () => {
    await world();
    await w.advance(20);
    expect(w.agent('alice')).to.include({ state: 'available', missed: 1 });
    expect(slot()).to.include({ state: 'pending', enteredAt: ENTERED });
    expect(legs()[0]).to.include({ state: 'ended', cause: 'agent did not answer' });
  });

  it('a phone that rejects the offer at once: a miss, the agent paused, the slot cooled down for that agent', async () => {
    await world();
    await w.pbx.noAnswer(agentLeg, 21);
    expect(w.agent('alice')).to.include({ state: 'available', missed: 1 });
    expect(w.emitted).to.deep.include({ type: 'agent-pause', agentId: 'alice', seconds: 10 });
    expect(w.emitted).to.deep.include({ type: 'cooldown', entryId: 'cb', agentId: 'alice', seconds: 60 });
    await w.advance(59);
    expect(dialled(w, 'agent')).to.have.length(1);
  });

  it('the PBX refuses to ring the agent at all: no miss for the agent, paused, the slot back with the cause', async () => {
    w = createWorld();
    w.pbx.failNext('dial');
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
    seedAgent(w.sqlite, 'alice', { at: T0 - 60_000 });
    seedEntry(w.sqlite, 'cb', { enteredAt: ENTERED, callback: NUMBER });
    await w.settle();
    expect(w.agent('alice')).to.include({ state: 'available', missed: 0 });
    expect(slot()).to.include({ state: 'pending', enteredAt: ENTERED });
    expect(legs()[0].cause).to.match(/^the PBX refused to ring the agent: dial: refused by the fake PBX/);
    expect(w.emitted).to.deep.include({ type: 'agent-pause', agentId: 'alice', seconds: 10 });
    await w.advance(9.9);
    expect(w.pbx.ops('dial'), 'not offered again in a tight loop').to.have.length(0);
    await w.advance(50.2); // the slot's cool-down for this agent: max(pause, declineCooldownSeconds 60)
    expect(dialled(w, 'agent')).to.have.length(1);
  });

  it('1 = call: a ticket, the customer dialled with the DID as caller ID, bridged on answer, done', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.press(agentLeg, '1');
    expect(w.pbx.prompts(agentLeg).at(-1)).to.equal('agent-connecting');
    const ticket = w.sqlite.tickets.get(slot().ticketId!)!;
    expect(ticket).to.include({
      subject: 'Callback',
      requester: NUMBER,
      reason: 'callback-accepted',
      agentId: 'alice',
      entryId: 'cb',
      did: DID,
    });
    expect(slot()).to.include({ state: 'dialing' });
    expect(w.agent('alice').state).to.equal('busy');
    const [customer] = dialled(w, 'customer');
    expect(customer).to.deep.include({ endpoint: `Local/${NUMBER}@callbackd-outbound/n`, callerId: DID, timeoutSeconds: 30 });

    await w.pbx.answerLeg(customer.channelId);
    const [bridge] = w.pbx.ops('addToBridge');
    expect(bridge.channelIds).to.have.members([agentLeg, customer.channelId]);
    expect(slot()).to.include({ state: 'done', attempts: 1 });
    expect(legs().map((l) => [l.role, l.state, l.bridgeId])).to.have.deep.members([
      ['agent', 'up', bridge.bridgeId],
      ['customer', 'up', bridge.bridgeId],
    ]);

    await w.pbx.hangUp(customer.channelId);
    expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
    expect(w.pbx.bridges.size).to.equal(0);
    expect(w.agent('alice').state).to.equal('wrap-up');
    await w.advance(10);
    expect(w.agent('alice').state).to.equal('available');
  });

  it('Asterisk refuses the bridge: both are hung up, nobody is left in silence, the ticket asks for a call-back', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.press(agentLeg, '1');
    const customer = lastLeg(w, 'customer');
    w.pbx.failNext('addToBridge');
    await w.pbx.answerLeg(customer);
    expect(w.pbx.ops('hangup', customer), 'customer hung up').to.have.length(1);
    expect(w.pbx.ops('hangup', agentLeg), 'agent hung up').to.have.length(1);
    expect(w.pbx.bridges.size, 'no bridge left behind').to.equal(0);
    expect(slot()).to.include({ state: 'done', attempts: 1 });
    expect(legs().map((l) => l.state)).to.deep.equal(['ended', 'ended']);
    const comments = w.sqlite.tickets.comments(slot().ticketId!).map((c) => [c.internal, c.body]);
    expect(comments).to.deep.equal([
      [true, 'the customer answered but could not be connected to the agent (addToBridge: refused by the fake PBX); please call them back'],
    ]);
    expect(w.agent('alice').state).to.equal('wrap-up');
  });

  it('the agent hangs up during the conversation: the customer is hung up, the call is done', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.press(agentLeg, '1');
    const customer = lastLeg(w, 'customer');
    await w.pbx.answerLeg(customer);
    await w.pbx.hangUp(agentLeg);
    expect(w.pbx.ops('hangup', customer)).to.have.length(1);
    expect(slot()).to.include({ state: 'done' });
    expect(w.agent('alice').state).to.equal('wrap-up');
  });

  it('the bridge cannot be taken down at the end (ARI timeout): the end is recorded all the same, the agent goes to wrap-up', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.press(agentLeg, '1');
    const customer = lastLeg(w, 'customer');
    await w.pbx.answerLeg(customer);
    w.pbx.failNext('destroyBridge', 'TELEPHONY_TIMEOUT');
    await w.pbx.hangUp(customer);
    expect(w.logs.lines('warn', 'could not destroy bridge')).to.have.length(1);
    expect(w.agent('alice').state).to.equal('wrap-up');
  });

  it('the connection cannot be recorded (database locked): agent and customer are bridged anyway, the record follows at the end', async () => {
    let failures = 1;
    await world({
      store: (s: Store): Store => ({
        ...s,
        delivery: {
          ...s.delivery,
          connected: (...args) =>
            failures-- > 0
              ? Promise.reject(new Error('the database stayed locked by another process for 5000 ms'))
              : s.delivery.connected(...args),
        },
      }),
    });
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.press(agentLeg, '1');
    const customer = lastLeg(w, 'customer');
    await w.pbx.answerLeg(customer);
    const [bridge] = w.pbx.ops('addToBridge');
    expect(bridge.channelIds, 'nobody is left in silence').to.have.members([agentLeg, customer]);
    expect(slot().state, 'not recorded yet').to.equal('dialing');
    expect(w.logs.lines('error', /^connection could not be recorded/)).to.have.length(1);
    await w.pbx.hangUp(customer);
    expect(slot()).to.include({ state: 'done', attempts: 1 });
    expect(legs().map((l) => [l.role, l.state, l.bridgeId])).to.have.deep.members([
      ['agent', 'ended', bridge.bridgeId],
      ['customer', 'ended', bridge.bridgeId],
    ]);
    expect(w.agent('alice').state).to.equal('wrap-up');
  });

  it('a store that fails the accept: nothing is dialled, the agent hears the call could not be placed, the slot goes back', async () => {
    await world({
      store: (s: Store): Store => ({
        ...s,
        delivery: { ...s.delivery, acceptCallback: () => Promise.reject(new Error('disk I/O error')) },
      }),
    });
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.press(agentLeg, '1');
    expect(dialled(w, 'customer')).to.deep.equal([]);
    expect(w.pbx.prompts(agentLeg).slice(1)).to.deep.equal(['agent-dial-failed']);
    expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
    expect(w.sqlite.tickets.list()).to.deep.equal([]);
    expect(w.sqlite.legs.get(agentLeg)).to.include({ state: 'ended' });
    expect(slot()).to.include({ kind: 'callback', enteredAt: ENTERED, attempts: 0 });
    expect(w.agent('alice').missed).to.equal(0);
    expect(w.logs.lines('error', /could not be accepted/)).to.have.length(1);
  });

  it('a slot cancelled (admin CLI) between the offer and the agent’s 1: nothing is dialled, no ticket, the agent is free', async () => {
    await world();
    await w.pbx.answerLeg(agentLeg);
    w.db.other().entries.close('cb', 'cancelled', T0, 'cancelled by admin');
    await w.pbx.press(agentLeg, '1');
    expect(dialled(w, 'customer')).to.deep.equal([]);
    expect(w.pbx.ops('dialplanHas')).to.deep.equal([]);
    expect(w.sqlite.tickets.list()).to.deep.equal([]);
    expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
    expect(slot()).to.include({ state: 'cancelled' });
    expect(w.agent('alice')).to.include({ state: 'available', missed: 0 });
    expect(w.logs.lines('warn', 'callback abandoned: the slot was cancelled or expired meanwhile')).to.have.length(1);
  });
});
