// A live caller at the head of the queue delivered to an agent (LiveSession through the delivery
// feature): ring on a durable leg, bridge on answer, misses and releases, over the fake PBX.
import { expect } from 'chai';
import type { Store } from '../../../../src/app/ports';
import type { Leg } from '../../../../src/domain/model';
import { CALLER, createWorld, dialled, lastLeg, seedAgent, seedNumber, seedQueue, T0, type World, type WorldOptions } from '../fixtures';

describe('app/delivery: a live caller delivered to an agent', () => {
  let w: World;
  let caller: string;
  let entryId: string;
  const world = async (o: WorldOptions = {}) => {
    w = createWorld(o);
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
    seedAgent(w.sqlite, 'alice', { at: T0 - 60_000 });
    caller = await w.pbx.call({ callerId: CALLER });
    entryId = w.entryOf(caller)!.id;
  };
  afterEach(() => w.close());
  const legs = (): Leg[] => w.sqlite.legs.ofEntry(entryId);

  it('rings the agent as soon as the caller waits, with the caller’s number shown and the leg recorded first', async () => {
    let recorded: Leg | undefined;
    w = createWorld();
    w.pbx.onRequest = (r) => {
      if (r.op === 'dial') recorded = w.sqlite.legs.get(r.channelId!);
    };
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
    seedAgent(w.sqlite, 'alice', { at: T0 - 60_000 });
    caller = await w.pbx.call({ callerId: CALLER });
    const [dial, ...more] = dialled(w, 'agent');
    expect(more).to.deep.equal([]);
    expect(dial).to.deep.include({
      endpoint: 'PJSIP/alice',
      callerId: CALLER,
      app: 'callbackd',
      appArgs: ['agent-leg'],
      timeoutSeconds: 20,
    });
    expect(recorded, 'leg row written before the dial').to.include({
      role: 'agent',
      agentId: 'alice',
      state: 'dialing',
      entryId: w.entryOf(caller)!.id,
    });
    expect(w.agent('alice').state).to.equal('ringing');
    expect(w.entryOf(caller)).to.include({ state: 'waiting' });
  });

  it('agent answers: the caller leaves hold and both are bridged; the entry is done and the agent busy', async () => {
    await world();
    const agentLeg = lastLeg(w, 'agent');
    await w.pbx.answerLeg(agentLeg);
    expect(w.pbx.ops('stopMoh', caller).length).to.be.greaterThan(0);
    const [bridge] = w.pbx.ops('addToBridge');
    expect(bridge.channelIds).to.have.members([caller, agentLeg]);
    expect(w.pbx.bridges.get(bridge.bridgeId!)).to.have.keys([caller, agentLeg]);
    expect(w.entryOf(caller)).to.include({ state: 'done' });
    expect(w.agent('alice')).to.include({ state: 'busy', missed: 0 });
    expect(legs().map((l) => [l.role, l.state, l.bridgeId])).to.have.deep.members([
      ['agent', 'up', bridge.bridgeId],
      ['caller', 'up', bridge.bridgeId],
    ]);
  });

  it('the caller hangs up during the conversation: agent hung up, bridge gone, wrap-up, then available', async () => {
    await world();
    const agentLeg = lastLeg(w, 'agent');
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.hangUp(caller);
    expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
    expect(w.pbx.bridges.size).to.equal(0);
    expect(w.agent('alice').state).to.equal('wrap-up');
    expect(legs().every((l) => l.state === 'ended')).to.equal(true);
    await w.advance(10);
    expect(w.agent('alice').state).to.equal('available');
  });

  it('the agent hangs up during the conversation: the caller is hung up, the agent goes to wrap-up', async () => {
    await world();
    const agentLeg = lastLeg(w, 'agent');
    await w.pbx.answerLeg(agentLeg);
    await w.pbx.hangUp(agentLeg);
    expect(w.pbx.ops('hangup', caller)).to.have.length(1);
    expect(w.agent('alice').state).to.equal('wrap-up');
  });

  it('the bridge cannot be taken down at the end (ARI timeout): the end is recorded all the same, the agent goes to wrap-up', async () => {
    await world();
    const agentLeg = lastLeg(w, 'agent');
    await w.pbx.answerLeg(agentLeg);
    w.pbx.failNext('destroyBridge', 'TELEPHONY_TIMEOUT');
    await w.pbx.hangUp(caller);
    expect(w.logs.lines('warn', 'could not destroy bridge')).to.have.length(1);
    expect(w.agent('alice').state).to.equal('wrap-up');
    expect(legs().every((l) => l.state === 'ended')).to.equal(true);
  });

  it('the connection cannot be recorded (database locked): caller and agent are bridged anyway, the record follows at the end', async () => {
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
    const agentLeg = lastLeg(w, 'agent');
    await w.pbx.answerLeg(agentLeg);
    const [bridge] = w.pbx.ops('addToBridge');
    expect(bridge.channelIds, 'nobody is left in silence').to.have.members([caller, agentLeg]);
    expect(w.logs.lines('error', /^connection could not be recorded/)).to.have.length(1);
    await w.pbx.hangUp(caller);
    expect(w.sqlite.entries.get(entryId)).to.include({ state: 'done' });
    expect(legs().map((l) => [l.role, l.state, l.bridgeId])).to.have.deep.members([
      ['agent', 'ended', bridge.bridgeId],
      ['caller', 'ended', bridge.bridgeId],
    ]);
    expect(w.agent('alice').state).to.equal('wrap-up');
  });

  it('an agent who lets it ring out counts a miss; the caller keeps the place and stays on hold', async () => {
    await world();
    await w.advance(20);
    expect(w.agent('alice').missed).to.equal(1);
    expect(w.entryOf(caller)).to.include({ state: 'waiting', enteredAt: T0 });
    expect(w.pbx.channels.get(caller)!.moh).to.equal(true);
    expect(w.pbx.ops('stopMoh', caller), 'the caller never noticed').to.deep.equal([]);
    expect(legs()[0]).to.include({ state: 'ended' });
    expect(dialled(w, 'agent'), 'offered again at once').to.have.length(2);
  });

  it('misses in a row up to agents.maxMissed log the agent out; the caller still waits', async () => {
    await world({ rules: { maxMissed: 3 } });
    await w.advance(60);
    expect(dialled(w, 'agent')).to.have.length(3);
    expect(w.agent('alice')).to.include({ state: 'logged-out', missed: 3 });
    await w.advance(60);
    expect(dialled(w, 'agent')).to.have.length(3);
    expect(w.entryOf(caller)).to.include({ state: 'waiting' });
  });

  it('a phone that rejects at once (< 1 s) pauses the agent before the next offer', async () => {
    await world();
    await w.pbx.noAnswer(lastLeg(w, 'agent'), 21);
    expect(w.agent('alice')).to.include({ state: 'available', missed: 1 });
    expect(w.emitted).to.deep.include({ type: 'agent-pause', agentId: 'alice', seconds: 10 });
    await w.advance(9.9);
    expect(dialled(w, 'agent')).to.have.length(1);
    await w.advance(0.2);
    expect(dialled(w, 'agent')).to.have.length(2);
  });

  it('the PBX refuses to ring the agent at all: no miss, the agent paused, the caller keeps the place', async () => {
    w = createWorld();
    w.pbx.failNext('dial');
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
    seedAgent(w.sqlite, 'alice', { at: T0 - 60_000 });
    caller = await w.pbx.call({ callerId: CALLER });
    expect(w.agent('alice')).to.include({ state: 'available', missed: 0 });
    expect(w.entryOf(caller)).to.include({ state: 'waiting' });
    expect(w.emitted).to.deep.include({ type: 'agent-pause', agentId: 'alice', seconds: 10 });
    await w.advance(9.9);
    expect(w.pbx.ops('dial'), 'not offered again in a tight loop').to.have.length(0);
    await w.advance(0.2);
    expect(dialled(w, 'agent')).to.have.length(1);
  });

  it('the caller hangs up while the agent rings: the agent stops ringing, released without a miss', async () => {
    await world();
    const agentLeg = lastLeg(w, 'agent');
    await w.pbx.hangUp(caller);
    expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
    expect(w.agent('alice')).to.include({ state: 'available', missed: 0 });
    expect(w.entryOf(caller)).to.include({ state: 'left' });
    expect(legs()[0]).to.include({ state: 'ended' });
  });

  it('the caller became a callback just as the agent answered: the agent is released, the request stands', async () => {
    await world({ delivery: { agentRingSeconds: 60 } });
    const agentLeg = lastLeg(w, 'agent');
    await w.advance(30);
    w.pbx.playMode = 'start';
    await w.pbx.press(caller, '1'); // saved; the confirmation is playing
    await w.pbx.answerLeg(agentLeg);
    expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
    expect(w.pbx.ops('addToBridge')).to.deep.equal([]);
    expect(w.pbx.prompts(caller).at(-1), 'the caller still hears the confirmation').to.equal('confirmation');
    expect(w.agent('alice').missed).to.equal(0);
    const slot = w.entryOf(caller)!;
    expect(slot).to.include({ kind: 'callback', enteredAt: T0 });
    expect(slot.state, 'the new slot is offered next, to the agent now free').to.equal('offered');
    expect(dialled(w, 'agent').at(-1)).to.include({ callerId: CALLER });
  });
});
