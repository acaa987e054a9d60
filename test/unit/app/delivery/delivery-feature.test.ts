// DeliveryFeature.recover() on a real store: calls in flight when the daemon stopped (or lost ARI) are
// re-adopted where they stand or ended with their cause; nothing is dialled twice, and agents on a
// live call stay busy through AgentsFeature.recover.
import { expect } from 'chai';
import type { NewTicket } from '../../../../src/app/ports';
import type { LegRole } from '../../../../src/domain/model';
import {
  CALLER,
  createWorld,
  DID,
  RULES,
  seedAgent,
  seedEntry,
  seedNumber,
  seedQueue,
  T0,
  type World,
  type WorldOptions,
} from '../fixtures';

const NUMBER = '+4915112345679';

describe('app/delivery: recovering calls in flight (DeliveryFeature.recover)', () => {
  let w: World;
  const world = (o: WorldOptions = {}) => {
    w = createWorld({ ...o, start: false });
    w.router.start();
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
    seedAgent(w.sqlite, 'alice', { at: T0 - 600_000 });
  };
  afterEach(() => w.close());
  const at = T0 - 60_000;
  const newLeg = (id: string, entryId: string, role: LegRole) => ({ id, entryId, role, agentId: 'alice', at });
  const ticket = (entryId: string): NewTicket => ({
    subject: 'Callback',
    requester: NUMBER,
    reason: 'callback-accepted',
    queue: 'support',
    did: DID,
    entryId,
    agentId: 'alice',
    waitedSeconds: 60,
    createdAt: at,
  });
  /** A callback slot offered to alice on agent leg A (as the last daemon left it). */
  const offered = () => {
    const entry = seedEntry(w.sqlite, 'cb', { enteredAt: T0 - 600_000, callback: NUMBER });
    expect(w.sqlite.delivery.offer(entry, 'alice', newLeg('A', 'cb', 'agent'), RULES)).to.equal(true);
  };
  /** ...accepted, and the customer being dialled on leg C. */
  const dialing = () => {
    offered();
    w.sqlite.legs.up('A', at);
    w.sqlite.delivery.acceptCallback('cb', 'alice', ticket('cb'), RULES);
    w.sqlite.delivery.customerDialStarting(newLeg('C', 'cb', 'customer'));
  };
  /** A live caller K talking to alice (leg A) in bridge B. */
  const talking = () => {
    const entry = seedEntry(w.sqlite, 'live', { enteredAt: T0 - 600_000, channelId: 'K', callerId: CALLER });
    w.sqlite.delivery.offer(entry, 'alice', newLeg('A', 'live', 'agent'), RULES);
    const legs = [
      { id: 'A', role: 'agent' as const },
      { id: 'K', role: 'caller' as const },
    ];
    w.sqlite.delivery.connected('live', legs, 'B', 'alice', at, RULES);
    w.pbx.addChannel({ id: 'A', state: 'Up', appData: 'agent-leg' });
    w.pbx.addChannel({ id: 'K', state: 'Up', appData: DID, callerId: CALLER });
  };
  const recover = async () => {
    const result = await w.delivery.recover(await w.pbx.listChannels(), await w.pbx.listBridges());
    await w.settle();
    return result;
  };
  const slot = () => w.sqlite.entries.get('cb')!;

  it('a customer leg still ringing is re-adopted, not dialled again, and bridged when it answers', async () => {
    world();
    dialing();
    w.pbx.addChannel({ id: 'A', state: 'Up', appData: 'agent-leg' });
    w.pbx.addChannel({ id: 'C', state: 'Ringing', appData: 'customer-leg' });
    expect(await recover()).to.deep.equal({ adopted: 1, ended: 0 });
    w.start();
    await w.settle();
    expect(w.pbx.dials, 'nothing dialled again').to.deep.equal([]);
    await w.pbx.answerLeg('C');
    expect(w.pbx.ops('addToBridge')[0].channelIds).to.have.members(['A', 'C']);
    expect(slot()).to.include({ state: 'done', attempts: 1 });
    expect(w.agent('alice').state).to.equal('busy');
  });

  it('a customer who answered while the daemon was away is bridged at once', async () => {
    world();
    dialing();
    w.pbx.addChannel({ id: 'A', state: 'Up', appData: 'agent-leg' });
    w.pbx.addChannel({ id: 'C', state: 'Up', appData: 'customer-leg' });
    await recover();
    expect(w.pbx.ops('addToBridge')[0].channelIds).to.have.members(['A', 'C']);
    expect(slot()).to.include({ state: 'done' });
  });

  it('a customer leg that ended unseen: counted as the attempt it was; the agent hears "no answer", the request is closed unanswered', async () => {
    world();
    dialing();
    w.pbx.addChannel({ id: 'A', state: 'Up', appData: 'agent-leg' });
    await recover();
    expect(w.pbx.dials).to.deep.equal([]);
    expect(w.pbx.prompts('A')).to.deep.equal(['agent-customer-no-answer']);
    expect(w.pbx.ops('hangup', 'A')).to.have.length(1);
    expect(slot()).to.include({ state: 'unanswered', attempts: 1 });
    expect(w.sqlite.legs.get('C')).to.include({ state: 'ended', cause: 'no answer (the call ended while callbackd was not running)' });
  });

  it('an agent still ringing with an offer is re-adopted; answering it plays the request', async () => {
    world();
    offered();
    w.pbx.addChannel({ id: 'A', state: 'Ringing', appData: 'agent-leg' });
    expect(await recover()).to.deep.equal({ adopted: 1, ended: 0 });
    await w.pbx.answerLeg('A');
    expect(w.pbx.prompts('A')[0]).to.match(/^agent-callback-request\+/);
    await w.pbx.press('A', '2');
    expect(slot()).to.include({ state: 'pending' });
  });

  it('an offer whose agent leg is gone: the slot goes back to its place, the agent is free, the leg closed with its cause', async () => {
    world();
    offered();
    expect(await recover()).to.deep.equal({ adopted: 0, ended: 1 });
    expect(slot()).to.include({ state: 'pending', enteredAt: T0 - 600_000, attempts: 0 });
    expect(w.agent('alice')).to.include({ state: 'available', missed: 0 });
    expect(w.sqlite.legs.get('A')).to.include({ state: 'ended', cause: 'agent leg ended while callbackd was not running' });
  });

  it('a live conversation is re-adopted; its agent stays busy (agents recover) while a stale busy agent is freed', async () => {
    world();
    talking();
    w.pbx.bridges.set('B', new Set(['A', 'K']));
    seedAgent(w.sqlite, 'bob', { state: 'busy' });
    expect(await recover()).to.deep.equal({ adopted: 1, ended: 0 });
    expect([...w.delivery.agentsOnCalls()]).to.deep.equal(['alice']);
    expect(await w.agents.recover(w.delivery.agentsOnCalls())).to.equal(1);
    expect(w.agent('alice').state).to.equal('busy');
    expect(w.agent('bob').state).to.equal('available');
    expect(w.pbx.ops('addToBridge'), 'still bridged: left alone').to.deep.equal([]);
    await w.pbx.hangUp('K');
    expect(w.pbx.ops('hangup', 'A')).to.have.length(1);
    expect(w.agent('alice').state).to.equal('wrap-up');
  });

  it('a live conversation whose bridge lost its parties (stopped between create and add) is bridged again', async () => {
    world();
    talking();
    w.pbx.bridges.set('B', new Set());
    await recover();
    const added = w.pbx.ops('addToBridge');
    expect(added.map((r) => r.channelIds)).to.have.length(1);
    expect(added[0].channelIds).to.have.members(['A', 'K']);
  });

  it('a live conversation whose bridge is gone is bridged again in a new one', async () => {
    world();
    talking();
    await recover();
    expect(w.pbx.ops('createBridge')).to.have.length(1);
    expect(w.pbx.ops('addToBridge')[0].channelIds).to.have.members(['A', 'K']);
  });

  it('between two attempts: the next one is dialled only after the whole retry delay, not at once after the restart', async () => {
    world({ delivery: { callback: { maxAttempts: 2, retryDelaySeconds: 120 } } });
    offered();
    w.sqlite.legs.up('A', at);
    w.sqlite.delivery.acceptCallback('cb', 'alice', ticket('cb'), RULES);
    w.sqlite.delivery.customerDialStarting(newLeg('C', 'cb', 'customer'));
    w.sqlite.delivery.customerDialEnded('cb', 'C', at, 'busy', true);
    w.pbx.addChannel({ id: 'A', state: 'Up', appData: 'agent-leg' });
    expect(await recover()).to.deep.equal({ adopted: 1, ended: 0 });
    w.start();
    await w.advance(119);
    expect(w.pbx.dials, 'the customer just rejected: not rung again at once').to.deep.equal([]);
    await w.advance(1.1);
    expect(w.pbx.dials.map((d) => d.appArgs[0])).to.deep.equal(['customer-leg']);
    await w.pbx.noAnswer(w.pbx.dials[0].channelId, 17);
    expect(slot()).to.include({ state: 'unanswered', attempts: 2 });
  });

  it('a call still handled by its session in this process is left to it (reconnect)', async () => {
    world();
    w.start();
    seedEntry(w.sqlite, 'cb', { enteredAt: T0 - 600_000, callback: NUMBER });
    w.events.emit({ type: 'dispatch-needed', reason: 'test' });
    await w.settle();
    expect(w.pbx.dials).to.have.length(1);
    expect(await recover()).to.deep.equal({ adopted: 0, ended: 0 });
    expect(w.pbx.dials).to.have.length(1);
  });
});
