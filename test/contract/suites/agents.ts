// Agents as the call flows see them: the shared state rules (domain/agent/agent-state.ts) applied in one
// transaction, lookups by id and endpoint, phones going on- and offline.
import { expect } from 'chai';
import type { ContractFactory } from '../fixture';
import { MIN, NO_WRAP_UP, RULES, SEC, T0, seedDirectory, useSubject } from '../seed';

export function agentsContract(factory: ContractFactory): void {
  describe('agents', () => {
    const subject = useSubject(factory);
    beforeEach(async () => {
      const { store } = subject();
      await seedDirectory(store);
      await store.admin.addAgent({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['support'] }, T0 - MIN);
    });

    it('found by id and by endpoint, listed', async () => {
      const { store } = subject();
      expect(await store.agents.byEndpoint('PJSIP/1001')).to.deep.equal(await store.agents.agent('alice'));
      expect(await store.agents.byEndpoint('PJSIP/9999')).to.equal(undefined);
      expect((await store.agents.list()).map((a) => a.id)).to.deep.equal(['alice']);
    });

    it('login makes the agent available since then, idle since then, miss streak reset', async () => {
      const { store } = subject();
      const alice = await store.agents.apply('alice', { type: 'login' }, T0, RULES);
      expect(alice).to.include({ state: 'available', stateSince: T0, idleSince: T0, missed: 0 });
    });

    it('the rules decide: ringing only when available, a third miss in a row logs out, answering resets', async () => {
      const { store } = subject();
      await store.agents.apply('alice', { type: 'login' }, T0, RULES);
      expect(await store.agents.apply('alice', { type: 'answered' }, T0 + SEC, RULES)).to.include({ state: 'busy' });
      // busy: a ringing event is refused, the agent is returned as it is
      expect(await store.agents.apply('alice', { type: 'ringing' }, T0 + 2 * SEC, RULES)).to.include({
        state: 'busy',
        stateSince: T0 + SEC,
      });
      expect(await store.agents.apply('alice', { type: 'call-ended' }, T0 + 3 * SEC, RULES)).to.include({ state: 'wrap-up' });
      expect(await store.agents.apply('alice', { type: 'wrap-up-ended' }, T0 + 33 * SEC, RULES)).to.include({
        state: 'available',
        idleSince: T0 + 33 * SEC,
      });
      for (let i = 1; i <= 3; i++) {
        await store.agents.apply('alice', { type: 'ringing' }, T0 + i * MIN, RULES);
        const after = await store.agents.apply('alice', { type: 'missed' }, T0 + i * MIN + 20 * SEC, RULES);
        expect(after, `miss ${i}`).to.include({ missed: i, state: i < 3 ? 'available' : 'logged-out' });
      }
      expect(await store.agents.apply('alice', { type: 'login' }, T0 + 10 * MIN, RULES)).to.include({ state: 'available', missed: 0 });
    });

    it('without wrap-up time a finished call makes the agent available at once', async () => {
      const { store } = subject();
      await store.agents.apply('alice', { type: 'login' }, T0, NO_WRAP_UP);
      await store.agents.apply('alice', { type: 'answered' }, T0 + SEC, NO_WRAP_UP);
      expect(await store.agents.apply('alice', { type: 'call-ended' }, T0 + MIN, NO_WRAP_UP)).to.include({ state: 'available' });
    });

    it('apply on an unknown agent is undefined', async () => {
      const { store } = subject();
      expect(await store.agents.apply('nobody', { type: 'login' }, T0, RULES)).to.equal(undefined);
    });

    it('online: changes report true, a repeat or an unknown endpoint false', async () => {
      const { store } = subject();
      expect(await store.agents.setOnline('PJSIP/1001', false)).to.equal(true);
      expect(await store.agents.setOnline('PJSIP/1001', false)).to.equal(false);
      expect(await store.agents.agent('alice')).to.include({ online: false });
      expect(await store.agents.setOnline('PJSIP/1001', true)).to.equal(true);
      expect(await store.agents.setOnline('PJSIP/nobody', true)).to.equal(false);
    });

    it('two connections applying misses at once lose neither', async () => {
      const { store, second } = subject();
      const other = await second();
      await store.agents.apply('alice', { type: 'login' }, T0, RULES);
      await Promise.all([
        store.agents.apply('alice', { type: 'missed' }, T0 + SEC, RULES),
        other.agents.apply('alice', { type: 'missed' }, T0 + SEC, RULES),
      ]);
      expect(await store.agents.agent('alice')).to.include({ state: 'available', missed: 2 });
    });
  });
}
