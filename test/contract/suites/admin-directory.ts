// What the sysadmin configures (admin verbs) and how the call flows read it back (directory).
import { expect } from 'chai';
import type { ContractFactory } from '../fixture';
import type { NumberConfig } from '../../../src/domain/model';
import { T0, useSubject } from '../seed';

const NUMBER: NumberConfig = {
  did: '+4930123456',
  kind: 'voice',
  queue: 'support',
  callbackEnabled: true,
  callbackLanguage: 'de',
  callbackGreeting: 'offer',
  confirmationGreeting: null,
  outboundTrunk: 'trunk-1',
  outboundCallerId: '+4930111111',
  allowedCountries: 'DE,AT',
};

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

export function adminContract(factory: ContractFactory): void {
  describe('admin and directory', () => {
    const subject = useSubject(factory);

    it('queues: upsert creates and replaces, read one and all', async () => {
      const { store } = subject();
      await store.admin.upsertQueue({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
      await store.admin.upsertQueue({ name: 'sales', maxWaitSeconds: 300, overflow: 'context:overflow,s,1', mohClass: 'jazz' });
      await store.admin.upsertQueue({ name: 'support', maxWaitSeconds: 60, overflow: 'hangup', mohClass: 'default' });
      expect(await store.directory.queue('support')).to.deep.equal({
        name: 'support',
        maxWaitSeconds: 60,
        overflow: 'hangup',
        mohClass: 'default',
      });
      expect((await store.directory.queues()).map((q) => q.name).sort()).to.deep.equal(['sales', 'support']);
      expect(await store.directory.queue('nope')).to.equal(undefined);
    });

    it('numbers: every field round-trips, upsert replaces, remove says whether there was one', async () => {
      const { store } = subject();
      await store.admin.upsertQueue({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
      await store.admin.upsertNumber(NUMBER);
      expect(await store.directory.number(NUMBER.did)).to.deep.equal(NUMBER);
      await store.admin.upsertNumber({ ...NUMBER, callbackEnabled: false, outboundTrunk: null });
      expect(await store.directory.number(NUMBER.did)).to.include({ callbackEnabled: false, outboundTrunk: null });
      expect(await store.directory.numbers()).to.have.length(1);
      expect(await store.admin.removeNumber(NUMBER.did)).to.equal(true);
      expect(await store.admin.removeNumber(NUMBER.did)).to.equal(false);
      expect(await store.directory.number(NUMBER.did)).to.equal(undefined);
    });

    it('a number of an unknown queue, or a digital number with callbacks, is refused with STORE_CONSTRAINT', async () => {
      const { store } = subject();
      expect(await rejection(store.admin.upsertNumber(NUMBER))).to.have.property('code', 'STORE_CONSTRAINT');
      await store.admin.upsertQueue({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
      expect(await rejection(store.admin.upsertNumber({ ...NUMBER, kind: 'digital' }))).to.have.property('code', 'STORE_CONSTRAINT');
      expect(await store.directory.numbers()).to.deep.equal([]);
    });

    it('greetings: per language, listed, removed one language or all', async () => {
      const { store } = subject();
      await store.admin.upsertGreeting({ name: 'offer', kind: 'callback-offer', language: 'en', sound: 'custom/offer-en' });
      await store.admin.upsertGreeting({ name: 'offer', kind: 'callback-offer', language: 'de', sound: 'custom/offer-de' });
      await store.admin.upsertGreeting({ name: 'thanks', kind: 'callback-confirmation', language: 'en', sound: 'custom/thanks' });
      await store.admin.upsertGreeting({ name: 'offer', kind: 'callback-offer', language: 'en', sound: 'custom/offer-en-2' });
      expect(await store.directory.greeting('offer', 'en')).to.deep.equal({
        name: 'offer',
        kind: 'callback-offer',
        language: 'en',
        sound: 'custom/offer-en-2',
      });
      expect((await store.directory.greetingLanguages('offer')).sort()).to.deep.equal(['de', 'en']);
      expect(await store.directory.greetings()).to.have.length(3);
      expect(await store.admin.removeGreeting('offer', 'de')).to.equal(1);
      expect(await store.directory.greetingLanguages('offer')).to.deep.equal(['en']);
      expect(await store.admin.removeGreeting('offer')).to.equal(1);
      expect(await store.admin.removeGreeting('offer')).to.equal(0);
      expect(await store.directory.greeting('offer', 'en')).to.equal(undefined);
    });

    it('settings: set, replace, read; unknown is undefined', async () => {
      const { store } = subject();
      expect(await store.directory.setting('callback.expiry')).to.equal(undefined);
      await store.admin.setSetting('callback.expiry', '3600');
      await store.admin.setSetting('callback.expiry', '7200');
      expect(await store.directory.setting('callback.expiry')).to.equal('7200');
    });

    it('agents: added logged out with their queues; a taken id or endpoint is STORE_CONSTRAINT; removed once', async () => {
      const { store } = subject();
      await store.admin.upsertQueue({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
      await store.admin.upsertQueue({ name: 'sales', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
      const alice = await store.admin.addAgent({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/1001', queues: ['support', 'sales'] }, T0);
      expect(alice).to.deep.include({
        id: 'alice',
        name: 'Alice',
        endpoint: 'PJSIP/1001',
        state: 'logged-out',
        stateSince: T0,
        missed: 0,
        online: true,
      });
      expect([...alice.queues].sort()).to.deep.equal(['sales', 'support']);
      expect(await rejection(store.admin.addAgent({ id: 'alice', name: 'A2', endpoint: 'PJSIP/1002', queues: [] }, T0))).to.have.property(
        'code',
        'STORE_CONSTRAINT',
      );
      expect(await rejection(store.admin.addAgent({ id: 'bob', name: 'Bob', endpoint: 'PJSIP/1001', queues: [] }, T0))).to.have.property(
        'code',
        'STORE_CONSTRAINT',
      );
      expect((await store.agents.list()).map((a) => a.id)).to.deep.equal(['alice']);
      expect(await store.admin.removeAgent('alice')).to.equal(true);
      expect(await store.admin.removeAgent('alice')).to.equal(false);
      expect(await store.agents.agent('alice')).to.equal(undefined);
    });

    it('an agent of an unknown queue is refused with STORE_CONSTRAINT, and no half agent is left', async () => {
      const { store } = subject();
      const err = await rejection(store.admin.addAgent({ id: 'carol', name: 'Carol', endpoint: 'PJSIP/1003', queues: ['nope'] }, T0));
      expect(err).to.have.property('code', 'STORE_CONSTRAINT');
      expect(await store.agents.agent('carol')).to.equal(undefined);
      expect(await store.agents.byEndpoint('PJSIP/1003')).to.equal(undefined);
    });

    it('close lets the writes already submitted finish, and a second close is harmless', async () => {
      const { store, second } = subject();
      const write = store.admin.setSetting('last', 'written');
      await store.close();
      await write;
      await store.close();
      expect(await (await second()).directory.setting('last')).to.equal('written');
    });

    it('a change made on a second connection is read by the first', async () => {
      const { store, second } = subject();
      const other = await second();
      await other.admin.upsertQueue({ name: 'support', maxWaitSeconds: 5, overflow: 'hangup', mohClass: 'default' });
      await other.admin.setSetting('k', 'v');
      expect(await store.directory.queue('support')).to.include({ maxWaitSeconds: 5 });
      expect(await store.directory.setting('k')).to.equal('v');
    });

    it('the write probe says the store takes a write, and writes nothing', async () => {
      const { store } = subject();
      expect(await store.probeWrite()).to.include({ ok: true });
      expect(await store.directory.queues()).to.deep.equal([]);
    });
  });
}
