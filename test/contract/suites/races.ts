// Races between two connections (a second daemon node, the admin CLI) that the lifecycle machine and
// the adapter's transactions must settle: one offer per slot, one expiry, one open callback per number,
// and changes seen across connections.
import { expect } from 'chai';
import type { StoreChange } from '../../../src/app/ports';
import type { ContractFactory } from '../fixture';
import {
  MIN,
  RULES,
  SEC,
  T0,
  agentLeg,
  availableAgent,
  entryOf,
  joinLive,
  pendingCallback,
  seedDirectory,
  ticketFor,
  useSubject,
} from '../seed';

export function racesContract(factory: ContractFactory): void {
  describe('races between connections', () => {
    const subject = useSubject(factory);
    beforeEach(async () => {
      const { store } = subject();
      await seedDirectory(store);
      await availableAgent(store, 'alice', T0 - MIN);
      await availableAgent(store, 'bob', T0 - MIN);
    });

    it('two nodes offering the same slot to different agents: exactly one offer happens', async () => {
      const { store, second } = subject();
      const node2 = await second();
      for (let round = 0; round < 5; round++) {
        const id = `cb-${round}`;
        const at = T0 + round * MIN;
        const slot = await pendingCallback(store, id, `+4917022222${10 + round}`, at);
        const [a, b] = await Promise.all([
          store.delivery.offer(slot, 'alice', agentLeg(id, 'alice', at + SEC), RULES),
          node2.delivery.offer(slot, 'bob', agentLeg(id, 'bob', at + SEC), RULES),
        ]);
        expect(a !== b, `${id}: exactly one offer`).to.equal(true);
        const winner = a ? 'alice' : 'bob';
        const loser = a ? 'bob' : 'alice';
        expect(await entryOf(store, id), id).to.include({ state: 'offered', agentId: winner });
        expect(await store.agents.agent(loser), id).to.include({ state: 'available' });
        expect(await store.delivery.leg(`leg-${id}-${loser}-1`), id).to.equal(undefined);
        await store.delivery.returnToQueue(id, winner, at + 2 * SEC, { type: 'released' }, 'next round', RULES);
        await store.callbacks.cancel(id, at + 3 * SEC, 'test');
      }
    });

    it('two expiry sweeps at once: the slot expires once, with one ticket', async () => {
      const { store, second } = subject();
      const node2 = await second();
      const slot = await pendingCallback(store, 'cb', '+491701111111', T0);
      const ticket = ticketFor(slot, 'callback-expired', T0 + 60 * MIN, null);
      const [a, b] = await Promise.all([
        store.expiry.expire('cb', ticket, T0 + 60 * MIN, 'expired'),
        node2.expiry.expire('cb', ticket, T0 + 60 * MIN, 'expired'),
      ]);
      expect([a, b].filter((t) => t !== null)).to.have.length(1);
      expect(await store.reports.tickets()).to.have.length(1);
      expect(await entryOf(store, 'cb')).to.include({ state: 'expired', ticketId: (a ?? b)!.id });
    });

    it('an expiry racing an offer: either the slot expires or it is offered, never both', async () => {
      const { store, second } = subject();
      const node2 = await second();
      for (let round = 0; round < 6; round++) {
        const id = `cb-${round}`;
        const at = T0 + round * MIN;
        const slot = await pendingCallback(store, id, `+4917033333${10 + round}`, at);
        const offer = () => store.delivery.offer(slot, 'alice', agentLeg(id, 'alice', at + SEC), RULES);
        const expire = () => node2.expiry.expire(id, ticketFor(slot, 'callback-expired', at + SEC, null), at + SEC, 'expired');
        const [o, t] =
          round % 2 === 0
            ? await Promise.all([offer(), expire()])
            : await Promise.all([expire(), offer()]).then(([x, y]) => [y, x] as const);
        expect(o !== (t !== null), `${id}: exactly one`).to.equal(true);
        expect((await entryOf(store, id)).state, id).to.equal(o ? 'offered' : 'expired');
        if (o) await store.delivery.returnToQueue(id, 'alice', at + 2 * SEC, { type: 'released' }, 'next round', RULES);
        if (o) await store.callbacks.cancel(id, at + 3 * SEC, 'test');
      }
    });

    it('a cancel racing an expiry on two connections: the slot is closed once, by one of them', async () => {
      const { store, second } = subject();
      const cli = await second();
      for (let round = 0; round < 4; round++) {
        const id = `cb-${round}`;
        const at = T0 + round * MIN;
        const slot = await pendingCallback(store, id, `+4917044444${10 + round}`, at);
        const expire = () => store.expiry.expire(id, ticketFor(slot, 'callback-expired', at + SEC, null), at + SEC, 'expired');
        const cancel = () => cli.callbacks.cancel(id, at + SEC, 'sam');
        const [t, c] =
          round % 2 === 0
            ? await Promise.all([expire(), cancel()])
            : await Promise.all([cancel(), expire()]).then(([x, y]) => [y, x] as const);
        expect((t !== null) !== (c.kind === 'cancelled'), `${id}: exactly one`).to.equal(true);
        const entry = await entryOf(store, id);
        expect(entry.state, id).to.equal(t ? 'expired' : 'cancelled');
        expect(entry.ticketId, id).to.equal(t ? t.id : null);
        if (t) expect(c, id).to.include({ kind: 'refused', reason: 'closed' });
      }
    });

    it('an accept racing an expiry on two connections: the offered slot is the agent’s, it does not expire', async () => {
      const { store, second } = subject();
      const node2 = await second();
      const slot = await pendingCallback(store, 'cb', '+491705555555', T0);
      await store.delivery.offer(slot, 'alice', agentLeg('cb', 'alice', T0 + MIN), RULES);
      const [expired, accepted] = await Promise.all([
        node2.expiry.expire('cb', ticketFor(slot, 'callback-expired', T0 + 2 * MIN, null), T0 + 2 * MIN, 'expired'),
        store.delivery.acceptCallback('cb', 'alice', ticketFor(slot, 'callback-accepted', T0 + 2 * MIN, 'alice'), RULES),
      ]);
      expect(expired).to.equal(null);
      expect(accepted).to.include({ reason: 'callback-accepted' });
      expect(await entryOf(store, 'cb')).to.include({ state: 'dialing', ticketId: accepted!.id });
      expect((await store.reports.tickets()).map((t) => t.reason)).to.deep.equal(['callback-accepted']);
    });

    it('the same number requesting on two nodes at once: one slot is created, the other request merged into it', async () => {
      const { store, second } = subject();
      const node2 = await second();
      await joinLive(store, 'a', T0);
      await joinLive(store, 'b', T0 + SEC);
      const [x, y] = await Promise.all([
        store.callers.requestCallback({ entryId: 'a', number: '+491709999999', requestedAt: T0 + MIN, language: 'en' }),
        node2.callers.requestCallback({ entryId: 'b', number: '+491709999999', requestedAt: T0 + MIN, language: 'en' }),
      ]);
      expect([x.kind, y.kind].sort()).to.deep.equal(['created', 'updated']);
      const open = (await store.reports.callbacks()).filter((c) => c.callbackNumber === '+491709999999');
      expect(open).to.have.length(1);
      // Whichever was created, the merged slot holds the earlier place.
      expect(open[0].enteredAt).to.equal(T0);
    });

    it('a change made on another connection reaches the change feed', async () => {
      const { store, second } = subject();
      const other = await second();
      const seen = new Promise<StoreChange>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no change seen within 5 s')), 5000);
        const stop = store.changes.subscribe((change) => {
          clearTimeout(timer);
          stop();
          resolve(change);
        });
      });
      await other.admin.setSetting('touched', 'yes');
      expect(['directory', 'agents', 'entries', 'unknown']).to.include((await seen).topic);
    });
  });
}
