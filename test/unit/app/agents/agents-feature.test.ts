// The agents feature over the fake PBX and a real store: wrap-up timers, phones going offline and back,
// the *45/*46 feature codes (the shared agent rules), and freeing stale states after a restart.
import { expect } from 'chai';
import { createWorld, dialled, seedAgent, seedEntry, seedNumber, seedQueue, T0, type World, type WorldOptions } from '../fixtures';

describe('app/agents: the agents feature', () => {
  let w: World;
  const world = (o: WorldOptions = {}) => {
    w = createWorld(o);
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
  };
  afterEach(() => w.close());
  const availableEvents = (id: string) => w.emitted.filter((e) => e.type === 'dispatch-needed' && e.reason === `agent ${id} available`);

  describe('wrap-up', () => {
    it('ends after agents.wrapUpSeconds, and the free agent triggers a dispatch round', async () => {
      world({ rules: { wrapUpSeconds: 10 } });
      seedAgent(w.sqlite, 'alice', { state: 'busy' });
      await w.agents.apply('alice', { type: 'call-ended' });
      expect(w.agent('alice').state).to.equal('wrap-up');
      await w.advance(9.9);
      expect(w.agent('alice').state).to.equal('wrap-up');
      await w.advance(0.1);
      expect(w.agent('alice').state).to.equal('available');
      expect(availableEvents('alice')).to.have.length(1);
    });

    it('is armed by delivery’s "agent-changed" and counts from when the wrap-up began', async () => {
      world({ rules: { wrapUpSeconds: 10 } });
      seedAgent(w.sqlite, 'alice', { state: 'wrap-up', at: T0 - 8000 });
      w.events.emit({ type: 'agent-changed', agentId: 'alice' });
      await w.advance(1.9);
      expect(w.agent('alice').state).to.equal('wrap-up');
      await w.advance(0.1);
      expect(w.agent('alice').state).to.equal('available');
    });

    it('with wrapUpSeconds 0 the agent is available as soon as the call ends', async () => {
      world({ rules: { wrapUpSeconds: 0 } });
      seedAgent(w.sqlite, 'alice', { state: 'busy' });
      await w.agents.apply('alice', { type: 'call-ended' });
      expect(w.agent('alice').state).to.equal('available');
    });

    it('an agent logged out during wrap-up (admin CLI) stays logged out when the time is over', async () => {
      world({ rules: { wrapUpSeconds: 10 } });
      seedAgent(w.sqlite, 'alice', { state: 'busy' });
      await w.agents.apply('alice', { type: 'call-ended' });
      w.db.other().agents.apply('alice', { type: 'logout' }, Date.now(), { maxMissed: 3, wrapUpSeconds: 10 });
      await w.advance(10);
      expect(w.agent('alice').state).to.equal('logged-out');
    });

    it('a stopped feature arms no wrap-up and ends none (the next start recovers them)', async () => {
      world({ rules: { wrapUpSeconds: 10 } });
      seedAgent(w.sqlite, 'alice', { state: 'busy' });
      await w.agents.apply('alice', { type: 'call-ended' });
      w.agents.stop();
      w.agents.stop();
      await w.advance(30);
      expect(w.agent('alice').state).to.equal('wrap-up');
    });
  });

  describe('phones going offline and back', () => {
    it('an offline phone takes the agent out of the rotation; back online, it is offered the waiting slot', async () => {
      world();
      seedAgent(w.sqlite, 'alice');
      w.pbx.endpoints.set('PJSIP/alice', 'offline');
      w.pbx.endpoints.set('PJSIP/someone-else', 'offline');
      await w.advance(5);
      expect(w.agent('alice').online).to.equal(false);
      seedEntry(w.sqlite, 'cb', { enteredAt: T0 - 60_000, callback: '+4915112345679' });
      w.events.emit({ type: 'dispatch-needed', reason: 'test' });
      await w.settle();
      expect(dialled(w, 'agent'), 'nobody to offer it to').to.deep.equal([]);
      w.pbx.endpoints.set('PJSIP/alice', 'online');
      await w.advance(5);
      expect(w.agent('alice').online).to.equal(true);
      expect(dialled(w, 'agent').map((d) => d.endpoint)).to.deep.equal(['PJSIP/alice']);
      expect(w.logs.lines('info', 'agent phone offline, out of rotation')).to.have.length(1);
    });

    it('an endpoint state that is not "offline" (unknown) keeps the agent in', async () => {
      world();
      seedAgent(w.sqlite, 'alice');
      w.pbx.endpoints.set('PJSIP/alice', 'unknown');
      await w.advance(5);
      expect(w.agent('alice').online).to.equal(true);
    });

    it('keeps polling when the PBX cannot say', async () => {
      world();
      seedAgent(w.sqlite, 'alice');
      w.pbx.failNext('endpointStates', 'TELEPHONY_TIMEOUT');
      await w.advance(5);
      w.pbx.endpoints.set('PJSIP/alice', 'offline');
      await w.advance(5);
      expect(w.agent('alice').online).to.equal(false);
      expect(w.logs.lines('warn', 'could not read endpoint states')).to.have.length(1);
    });
  });

  describe('feature codes *45 (login) and *46 (logout)', () => {
    const dialCode = (code: 'agent-login' | 'agent-logout', endpoint: string) => w.pbx.call({ args: [code], endpoint });

    it('*45 logs the agent in by the shared rules (miss streak reset), says so, hangs up, and a waiting slot is offered', async () => {
      world();
      seedAgent(w.sqlite, 'alice', { state: 'logged-out', missed: 3 });
      seedEntry(w.sqlite, 'cb', { enteredAt: T0 - 60_000, callback: '+4915112345679' });
      const ch = await dialCode('agent-login', 'PJSIP/alice');
      expect(w.pbx.ops('answer', ch)).to.have.length(1);
      expect(w.pbx.prompts(ch)).to.deep.equal(['agent-logged-in']);
      expect(w.pbx.ops('hangup', ch)).to.have.length(1);
      expect(w.agent('alice').missed).to.equal(0);
      expect(w.agent('alice').state, 'available, and at once offered the slot').to.equal('ringing');
      expect(dialled(w, 'agent').map((d) => d.endpoint)).to.deep.equal(['PJSIP/alice']);
    });

    it('*46 logs the agent out, keeping the miss count', async () => {
      world();
      seedAgent(w.sqlite, 'alice', { missed: 2 });
      const ch = await dialCode('agent-logout', 'PJSIP/alice');
      expect(w.pbx.prompts(ch)).to.deep.equal(['agent-logged-out']);
      expect(w.agent('alice')).to.include({ state: 'logged-out', missed: 2 });
    });

    it('*45 during a call changes nothing: the agent is not offered a second call', async () => {
      world();
      seedAgent(w.sqlite, 'alice', { state: 'busy' });
      await dialCode('agent-login', 'PJSIP/alice');
      expect(w.agent('alice').state).to.equal('busy');
    });

    it('a phone that is not an agent’s hears "unknown agent"', async () => {
      world();
      const ch = await dialCode('agent-login', 'PJSIP/9999');
      expect(w.pbx.prompts(ch)).to.deep.equal(['agent-unknown']);
      expect(w.pbx.ops('hangup', ch)).to.have.length(1);
      expect(w.logs.lines('warn', 'feature code from a phone that is not an agent')).to.have.length(1);
    });
  });

  it('recover() frees agents left ringing or busy, but not those on a call of ours nor those in wrap-up', async () => {
    world({ start: false });
    seedAgent(w.sqlite, 'ringing', { state: 'ringing' });
    seedAgent(w.sqlite, 'stale-busy', { state: 'busy' });
    seedAgent(w.sqlite, 'wrapping', { state: 'wrap-up' });
    seedAgent(w.sqlite, 'on-call', { state: 'busy' });
    seedAgent(w.sqlite, 'out', { state: 'logged-out', missed: 1 });
    expect(await w.agents.recover(new Set(['on-call']))).to.equal(2);
    expect(['ringing', 'stale-busy', 'wrapping', 'on-call', 'out'].map((id) => w.agent(id).state)).to.deep.equal([
      'available',
      'available',
      'wrap-up',
      'busy',
      'logged-out',
    ]);
  });

  it('a restart does not cut a wrap-up short: it ends when it would have, counted from its start', async () => {
    world({ start: false, rules: { wrapUpSeconds: 10 } });
    seedAgent(w.sqlite, 'wrapping', { state: 'wrap-up', at: T0 - 4000 });
    seedAgent(w.sqlite, 'overdue', { state: 'wrap-up', at: T0 - 60_000 });
    await w.agents.recover(new Set());
    w.start();
    await w.advance(0.1);
    expect(w.agent('overdue').state, 'over while the daemon was down').to.equal('available');
    await w.advance(5.8);
    expect(w.agent('wrapping').state).to.equal('wrap-up');
    await w.advance(0.1);
    expect(w.agent('wrapping').state).to.equal('available');
    expect(availableEvents('wrapping')).to.have.length(1);
  });

  it('after a reconnect (feature running) recover() arms the wrap-up of an agent it finds in one', async () => {
    world({ rules: { wrapUpSeconds: 10 } });
    seedAgent(w.sqlite, 'wrapping', { state: 'wrap-up', at: T0 - 7000 });
    await w.agents.recover(new Set());
    await w.advance(2.9);
    expect(w.agent('wrapping').state).to.equal('wrap-up');
    await w.advance(0.1);
    expect(w.agent('wrapping').state).to.equal('available');
  });
});
