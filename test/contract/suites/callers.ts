// Callers in the queue: join, leave, the callback request (same place), merge, one open callback per
// number and queue, the rate limit, place order by entry time, and the ordering promise.
import { expect } from 'chai';
import type { ContractFactory } from '../fixture';
import { DID, MIN, OTHER_QUEUE, QUEUE, SEC, T0, entryOf, joinLive, pendingCallback, seedDirectory, useSubject } from '../seed';

export function callersContract(factory: ContractFactory): void {
  describe('callers', () => {
    const subject = useSubject(factory);
    beforeEach(() => seedDirectory(subject().store));

    it('a joined caller is a live waiting entry, found by id and by channel, in the waiting list', async () => {
      const { store } = subject();
      await store.callers.join({ id: 'a', queue: QUEUE, did: DID, channelId: 'chan-a', callerId: '+491701', enteredAt: T0 });
      const a = await store.callers.entry('a');
      expect(a).to.deep.equal({
        id: 'a',
        queue: QUEUE,
        did: DID,
        kind: 'live',
        state: 'waiting',
        enteredAt: T0,
        channelId: 'chan-a',
        callerId: '+491701',
        callbackNumber: null,
        requestedAt: null,
        firstRequestedAt: null,
        language: null,
        attempts: 0,
        agentId: null,
        ticketId: null,
      });
      expect(await store.callers.entryByChannel('chan-a')).to.deep.equal(a);
      expect((await store.callers.waitingLive()).map((e) => e.id)).to.deep.equal(['a']);
      expect(await store.callers.entry('nope')).to.equal(undefined);
      expect(await store.callers.entryByChannel('nope')).to.equal(undefined);
    });

    it('a second join with a taken id is refused with STORE_CONSTRAINT and changes nothing', async () => {
      const { store } = subject();
      await joinLive(store, 'a', T0);
      const err = await store.callers
        .join({ id: 'a', queue: QUEUE, did: DID, channelId: 'other', callerId: null, enteredAt: T0 + SEC })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).to.have.property('code', 'STORE_CONSTRAINT');
      expect(await entryOf(store, 'a')).to.include({ channelId: 'chan-a', enteredAt: T0 });
    });

    it('places are ordered by entry time, whoever joined first in the store, and are per queue', async () => {
      const { store } = subject();
      await joinLive(store, 'late', T0 + 2 * SEC);
      await joinLive(store, 'early', T0);
      await joinLive(store, 'middle', T0 + SEC);
      await joinLive(store, 'sales', T0 - MIN, OTHER_QUEUE);
      expect(await store.callers.position('early')).to.equal(1);
      expect(await store.callers.position('middle')).to.equal(2);
      expect(await store.callers.position('late')).to.equal(3);
      expect(await store.callers.position('sales')).to.equal(1);
      expect((await store.callers.waitingLive()).map((e) => e.id)).to.deep.equal(['sales', 'early', 'middle', 'late']);
      const { entries } = await store.delivery.snapshot(() => true);
      expect(entries.map((e) => e.id)).to.deep.equal(['sales', 'early', 'middle', 'late']);
    });

    it('a caller who leaves is closed and gives up the place; a second leave is a no-op', async () => {
      const { store } = subject();
      await joinLive(store, 'a', T0);
      await joinLive(store, 'b', T0 + SEC);
      await store.callers.leave('a', T0 + 5 * SEC, 'abandoned');
      expect(await entryOf(store, 'a')).to.include({ state: 'left' });
      expect(await store.callers.position('a')).to.equal(undefined);
      expect(await store.callers.position('b')).to.equal(1);
      await store.callers.leave('a', T0 + 6 * SEC, 'overflowed');
      await store.callers.leave('unknown', T0, 'abandoned');
      expect(await entryOf(store, 'a')).to.include({ state: 'left' });
      expect((await store.callers.waitingLive()).map((e) => e.id)).to.deep.equal(['b']);
    });

    it('leave does not touch a callback slot', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await store.callers.leave('cb', T0 + MIN, 'abandoned');
      expect(await entryOf(store, 'cb')).to.include({ kind: 'callback', state: 'pending' });
    });

    it('a callback request turns the same entry into a pending slot at the same place', async () => {
      const { store } = subject();
      await joinLive(store, 'first', T0);
      await joinLive(store, 'second', T0 + SEC);
      const out = await store.callers.requestCallback({
        entryId: 'second',
        number: '+491701111111',
        requestedAt: T0 + MIN,
        language: 'de',
      });
      expect(out).to.deep.equal({ kind: 'created', entryId: 'second' });
      expect(await entryOf(store, 'second')).to.include({
        kind: 'callback',
        state: 'pending',
        enteredAt: T0 + SEC,
        callbackNumber: '+491701111111',
        requestedAt: T0 + MIN,
        firstRequestedAt: T0 + MIN,
        language: 'de',
      });
      expect(await store.callers.position('second')).to.equal(2);
      expect((await store.callers.waitingLive()).map((e) => e.id)).to.deep.equal(['first']);
    });

    it('a request for an entry that is not a waiting caller fails with ENTRY_NOT_WAITING', async () => {
      const { store } = subject();
      await joinLive(store, 'gone', T0);
      await store.callers.leave('gone', T0 + SEC, 'abandoned');
      await pendingCallback(store, 'cb', '+491702222222', T0);
      for (const entryId of ['gone', 'cb', 'unknown']) {
        const err = await store.callers.requestCallback({ entryId, number: '+491703333333', requestedAt: T0 + MIN, language: 'en' }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, entryId).to.have.property('code', 'ENTRY_NOT_WAITING');
      }
      expect(await entryOf(store, 'gone')).to.include({ state: 'left', callbackNumber: null });
    });

    it('one open callback per number and queue: a repeat request merges into it and keeps the earlier place', async () => {
      const { store } = subject();
      await pendingCallback(store, 'open', '+491704444444', T0 + MIN);
      await joinLive(store, 'between', T0 + 30 * SEC);
      // The repeat caller entered BEFORE the open slot: the slot moves up to the earlier place.
      await joinLive(store, 'repeat', T0);
      const out = await store.callers.requestCallback({
        entryId: 'repeat',
        number: '+491704444444',
        requestedAt: T0 + 5 * MIN,
        language: 'de',
      });
      expect(out).to.deep.equal({ kind: 'updated', entryId: 'open' });
      expect(await entryOf(store, 'repeat')).to.include({ state: 'merged' });
      expect(await entryOf(store, 'open')).to.include({
        state: 'pending',
        enteredAt: T0,
        requestedAt: T0 + 5 * MIN,
        firstRequestedAt: T0 + MIN + 10 * SEC,
        language: 'de',
      });
      expect(await store.callers.position('open')).to.equal(1);
      expect(await store.callers.position('between')).to.equal(2);
    });

    it('a merge never moves the open slot back: a later repeat keeps the earlier place', async () => {
      const { store } = subject();
      await pendingCallback(store, 'open', '+491705555555', T0);
      await joinLive(store, 'repeat', T0 + 2 * MIN);
      expect(
        await store.callers.requestCallback({ entryId: 'repeat', number: '+491705555555', requestedAt: T0 + 3 * MIN, language: 'en' }),
      ).to.deep.equal({ kind: 'updated', entryId: 'open' });
      expect(await entryOf(store, 'open')).to.include({ enteredAt: T0 });
    });

    it('the same number in another queue, or after the slot closed, gets a slot of its own', async () => {
      const { store } = subject();
      await pendingCallback(store, 'support', '+491706666666', T0);
      await pendingCallback(store, 'sales', '+491706666666', T0 + SEC, OTHER_QUEUE);
      expect(await entryOf(store, 'sales')).to.include({ kind: 'callback', state: 'pending' });
      await store.callbacks.cancel('support', T0 + MIN, 'sam');
      await pendingCallback(store, 'again', '+491706666666', T0 + 2 * MIN);
      expect(await entryOf(store, 'again')).to.include({ state: 'pending' });
    });

    it('the rate limit refuses a request over the cap under its key and writes nothing', async () => {
      const { store } = subject();
      const limit = { key: 'caller:+491707', cap: 2, since: T0 - 60 * MIN };
      for (const [i, id] of ['r1', 'r2', 'r3'].entries()) {
        await joinLive(store, id, T0 + i * SEC);
        const out = await store.callers.requestCallback({
          entryId: id,
          number: `+49170777777${i}`,
          requestedAt: T0 + MIN + i * SEC,
          language: 'en',
          limit,
        });
        if (i < 2) expect(out, id).to.deep.equal({ kind: 'created', entryId: id });
        else expect(out).to.deep.equal({ kind: 'rate-limited', count: 2 });
      }
      expect(await entryOf(store, 'r3')).to.include({ kind: 'live', state: 'waiting' });
      // Outside the window the earlier requests no longer count.
      const later = await store.callers.requestCallback({
        entryId: 'r3',
        number: '+491707777779',
        requestedAt: T0 + 3 * MIN,
        language: 'en',
        limit: { ...limit, since: T0 + 2 * MIN },
      });
      expect(later).to.deep.equal({ kind: 'created', entryId: 'r3' });
    });

    it('ordering promise: a leave submitted without awaiting its join takes effect after it', async () => {
      const { store } = subject();
      const ids = Array.from({ length: 20 }, (_, i) => `quick-${i}`);
      const writes: Array<Promise<unknown>> = [];
      for (const [i, id] of ids.entries()) {
        writes.push(joinLive(store, id, T0 + i));
        writes.push(store.callers.leave(id, T0 + i + 1, 'abandoned'));
      }
      await Promise.all(writes);
      for (const id of ids) expect(await entryOf(store, id), id).to.include({ state: 'left' });
      expect(await store.callers.waitingLive()).to.deep.equal([]);
    });

    it('ordering promise: a request submitted without awaiting its join converts the joined caller', async () => {
      const { store } = subject();
      const join = joinLive(store, 'q', T0);
      const request = store.callers.requestCallback({ entryId: 'q', number: '+491708888888', requestedAt: T0 + SEC, language: 'en' });
      const leave = store.callers.leave('q', T0 + 2 * SEC, 'abandoned');
      await join;
      expect(await request).to.deep.equal({ kind: 'created', entryId: 'q' });
      await leave;
      expect(await entryOf(store, 'q')).to.include({ kind: 'callback', state: 'pending' });
    });
  });
}
