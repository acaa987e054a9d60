// Expiry of callbacks nobody executed in time (exactly once, never under an agent) and tickets (one per
// entry and reason, with their comments).
import { expect } from 'chai';
import type { ContractFactory } from '../fixture';
import {
  MIN,
  RULES,
  SEC,
  T0,
  availableAgent,
  dialing,
  entryOf,
  joinLive,
  offered,
  pendingCallback,
  seedDirectory,
  ticketFor,
  useSubject,
} from '../seed';

export function expiryTicketsContract(factory: ContractFactory): void {
  describe('expiry and tickets', () => {
    const subject = useSubject(factory);
    beforeEach(async () => {
      await seedDirectory(subject().store);
      await availableAgent(subject().store, 'alice', T0 - MIN);
    });

    it('candidates are the pending callbacks requested at or before the cutoff, oldest request first', async () => {
      const { store } = subject();
      await pendingCallback(store, 'old', '+491701111111', T0); // requested T0 + 10 s
      await pendingCallback(store, 'older', '+491702222222', T0 - MIN);
      await pendingCallback(store, 'young', '+491703333333', T0 + 10 * MIN);
      await pendingCallback(store, 'held', '+491704444444', T0 - 2 * MIN);
      await offered(store, 'held', 'alice', T0 + MIN);
      const candidates = await store.expiry.candidates(T0 + 10 * SEC);
      expect(candidates).to.deep.equal([
        {
          id: 'older',
          queue: 'support',
          did: '+4930123456',
          callbackNumber: '+491702222222',
          requestedAt: T0 - MIN + 10 * SEC,
          language: 'en',
        },
        { id: 'old', queue: 'support', did: '+4930123456', callbackNumber: '+491701111111', requestedAt: T0 + 10 * SEC, language: 'en' },
      ]);
    });

    it('expire closes the slot with a follow-up ticket linked to it, exactly once', async () => {
      const { store } = subject();
      const cb = await pendingCallback(store, 'cb', '+491701111111', T0);
      const ticket = await store.expiry.expire(
        'cb',
        ticketFor(cb, 'callback-expired', T0 + 60 * MIN, null),
        T0 + 60 * MIN,
        'expired after 60 min',
      );
      expect(ticket).to.include({ reason: 'callback-expired', entryId: 'cb' });
      expect(await entryOf(store, 'cb')).to.include({ state: 'expired', ticketId: ticket!.id });
      expect(await store.expiry.expire('cb', ticketFor(cb, 'callback-expired', T0 + 61 * MIN, null), T0 + 61 * MIN, 'again')).to.equal(
        null,
      );
      expect((await store.reports.tickets()).map((t) => t.id)).to.deep.equal([ticket!.id]);
      expect(await store.expiry.candidates(T0 + 120 * MIN)).to.deep.equal([]);
    });

    it('a slot an agent holds (offered, dialing), a cancelled one, a live caller or an unknown id does not expire', async () => {
      const { store } = subject();
      await availableAgent(store, 'bob', T0 - MIN);
      const offeredCb = await pendingCallback(store, 'offered', '+491701111111', T0);
      await offered(store, 'offered', 'alice', T0 + MIN);
      const dialingCb = await pendingCallback(store, 'dialing', '+491702222222', T0);
      await dialing(store, 'dialing', 'bob', T0 + MIN);
      const cancelled = await pendingCallback(store, 'cancelled', '+491703333333', T0);
      await store.callbacks.cancel('cancelled', T0 + MIN, 'sam');
      for (const e of [offeredCb, dialingCb, cancelled]) {
        expect(
          await store.expiry.expire(e.id, ticketFor(e, 'callback-expired', T0 + 60 * MIN, null), T0 + 60 * MIN, 'expired'),
          e.id,
        ).to.equal(null);
      }
      await joinLive(store, 'live', T0);
      const live = await entryOf(store, 'live');
      expect(
        await store.expiry.expire('live', ticketFor(live, 'callback-expired', T0 + 60 * MIN, null), T0 + 60 * MIN, 'expired'),
      ).to.equal(null);
      expect(
        await store.expiry.expire(
          'unknown',
          ticketFor({ ...live, id: 'unknown' }, 'callback-expired', T0 + 60 * MIN, null),
          T0 + 60 * MIN,
          'x',
        ),
      ).to.equal(null);
      expect(await entryOf(store, 'live')).to.include({ state: 'waiting' });
      expect(await entryOf(store, 'offered')).to.include({ state: 'offered' });
      expect(await entryOf(store, 'dialing')).to.include({ state: 'dialing' });
      expect(await entryOf(store, 'cancelled')).to.include({ state: 'cancelled' });
      expect((await store.reports.tickets()).map((t) => t.reason)).to.deep.equal(['callback-accepted']);
    });

    it('one ticket per entry and reason: accepting again after a return gives back the same ticket', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      const first = await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.returnAfterFault('cb', 'alice', T0 + 2 * MIN, 'PBX restarted', RULES);
      await offered(store, 'cb', 'alice', T0 + 3 * MIN, 2);
      const again = await store.delivery.acceptCallback(
        'cb',
        'alice',
        ticketFor(await entryOf(store, 'cb'), 'callback-accepted', T0 + 4 * MIN, 'alice'),
        RULES,
      );
      expect(again?.id).to.equal(first);
      expect(await store.reports.tickets()).to.have.length(1);
      // One outbox row for the ticket (and one for the fault comment), not two tickets.
      expect((await store.outbox.list()).map((r) => r.kind)).to.deep.equal(['ticket', 'comment']);
    });

    it('an accepted callback that later expires cannot happen; an expired one is never accepted', async () => {
      const { store } = subject();
      const cb = await pendingCallback(store, 'cb', '+491701111111', T0);
      await store.expiry.expire('cb', ticketFor(cb, 'callback-expired', T0 + 60 * MIN, null), T0 + 60 * MIN, 'expired');
      expect(
        await store.delivery.offer(
          await entryOf(store, 'cb'),
          'alice',
          { id: 'l', entryId: 'cb', role: 'agent', agentId: 'alice', at: T0 + 61 * MIN },
          RULES,
        ),
      ).to.equal(false);
      expect(
        await store.delivery.acceptCallback('cb', 'alice', ticketFor(cb, 'callback-accepted', T0 + 61 * MIN, 'alice'), RULES),
      ).to.equal(null);
      expect((await store.reports.tickets()).map((t) => t.reason)).to.deep.equal(['callback-expired']);
    });

    it('tickets: get by id, comments in order, newest first in the report, filtered by time and limit', async () => {
      const { store } = subject();
      await availableAgent(store, 'bob', T0 - MIN);
      const a = await pendingCallback(store, 'a', '+491701111111', T0);
      const b = await pendingCallback(store, 'b', '+491702222222', T0);
      const ta = await store.expiry.expire('a', ticketFor(a, 'callback-expired', T0 + MIN, null), T0 + MIN, 'expired');
      const tb = await store.expiry.expire('b', ticketFor(b, 'callback-expired', T0 + 2 * MIN, null), T0 + 2 * MIN, 'expired');
      expect(await store.tickets.get(ta!.id)).to.deep.equal(ta);
      expect(await store.tickets.get(9999)).to.equal(undefined);
      expect((await store.reports.tickets()).map((t) => t.id)).to.deep.equal([tb!.id, ta!.id]);
      expect((await store.reports.tickets({ since: T0 + 2 * MIN })).map((t) => t.id)).to.deep.equal([tb!.id]);
      expect((await store.reports.tickets({ limit: 1 })).map((t) => t.id)).to.deep.equal([tb!.id]);
      expect(await store.tickets.comments(ta!.id)).to.deep.equal([]);
    });
  });
}
