// Cancelling a callback (CLI, console): only a slot still waiting for an agent; the lifecycle machine's
// refusal comes back with its stable reason and the words the CLI prints.
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

export function cancelContract(factory: ContractFactory): void {
  describe('cancel', () => {
    const subject = useSubject(factory);
    beforeEach(async () => {
      await seedDirectory(subject().store);
      await availableAgent(subject().store, 'alice', T0 - MIN);
    });

    it('a pending callback is cancelled with who did it, leaves its queue, and gets no ticket', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await pendingCallback(store, 'next', '+491702222222', T0 + SEC);
      expect(await store.callbacks.cancel('cb', T0 + MIN, 'sam')).to.deep.equal({ kind: 'cancelled' });
      expect(await entryOf(store, 'cb')).to.include({ state: 'cancelled' });
      expect(await store.callers.position('cb')).to.equal(undefined);
      expect(await store.callers.position('next')).to.equal(1);
      const [row] = await store.reports.callbacks({ all: true, since: T0, queue: 'support' });
      expect(row).to.include({ id: 'cb', outcome: 'cancelled by sam', closedAt: T0 + MIN });
      expect(await store.reports.tickets()).to.deep.equal([]);
    });

    it('an offered slot is refused: being offered, left offered to its agent', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await offered(store, 'cb', 'alice', T0 + MIN);
      expect(await store.callbacks.cancel('cb', T0 + 2 * MIN, 'sam')).to.deep.equal({
        kind: 'refused',
        state: 'offered',
        reason: 'being-offered',
        message: 'callback cb is being offered to an agent; it cannot be cancelled now (retry if it returns to the queue)',
      });
      expect(await entryOf(store, 'cb')).to.include({ state: 'offered', agentId: 'alice' });
    });

    it('a slot whose customer is being dialled is refused: being dialled, left dialling', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      const ticketId = await dialing(store, 'cb', 'alice', T0 + MIN);
      expect(await store.callbacks.cancel('cb', T0 + 2 * MIN, 'sam')).to.deep.equal({
        kind: 'refused',
        state: 'dialing',
        reason: 'being-dialled',
        message: 'callback cb is being dialled; it cannot be cancelled now',
      });
      expect(await entryOf(store, 'cb')).to.include({ state: 'dialing', agentId: 'alice', ticketId });
    });

    it('a closed slot is refused as closed; a second cancel too', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await store.callbacks.cancel('cb', T0 + MIN, 'sam');
      expect(await store.callbacks.cancel('cb', T0 + 2 * MIN, 'kim')).to.deep.equal({
        kind: 'refused',
        state: 'cancelled',
        reason: 'closed',
        message: 'callback cb is already closed (cancelled)',
      });
      expect((await store.reports.callbacks({ all: true, since: T0 }))[0]).to.include({ outcome: 'cancelled by sam' });
    });

    it('a slot returned to the queue can be cancelled again', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await offered(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.returnToQueue('cb', 'alice', T0 + 2 * MIN, { type: 'released' }, 'declined', RULES);
      expect(await store.callbacks.cancel('cb', T0 + 3 * MIN, 'sam')).to.deep.equal({ kind: 'cancelled' });
    });

    it('an unknown id, a live caller and a merged request are not found', async () => {
      const { store } = subject();
      await joinLive(store, 'live', T0);
      await pendingCallback(store, 'open', '+491701111111', T0);
      await joinLive(store, 'repeat', T0 + SEC);
      await store.callers.requestCallback({ entryId: 'repeat', number: '+491701111111', requestedAt: T0 + MIN, language: 'en' });
      for (const id of ['nope', 'live', 'repeat'])
        expect(await store.callbacks.cancel(id, T0 + 2 * MIN, 'sam'), id).to.deep.equal({ kind: 'not-found' });
      expect(await entryOf(store, 'live')).to.include({ state: 'waiting' });
    });

    it('cancel vs accept on two connections: an offered slot is the agent’s, the accept wins', async () => {
      const { store, second } = subject();
      const cli = await second();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await offered(store, 'cb', 'alice', T0 + MIN);
      const t = ticketFor(await entryOf(store, 'cb'), 'callback-accepted', T0 + 2 * MIN, 'alice');
      const [cancel, ticket] = await Promise.all([
        cli.callbacks.cancel('cb', T0 + 2 * MIN, 'sam'),
        store.delivery.acceptCallback('cb', 'alice', t, RULES),
      ]);
      expect(cancel).to.include({ kind: 'refused' });
      expect(ticket).to.not.equal(null);
      expect(await entryOf(store, 'cb')).to.include({ state: 'dialing', ticketId: ticket!.id });
    });

    it('cancel vs offer-and-accept racing on two connections: exactly one wins, the slot agrees with the winner', async () => {
      const { store, second } = subject();
      const cli = await second();
      for (let round = 0; round < 12; round++) {
        const id = `race-${round}`;
        const at = T0 + round * MIN;
        const slot = await pendingCallback(store, id, `+4917011111${10 + round}`, at);
        const take = async () => {
          if (
            !(await store.delivery.offer(
              slot,
              'alice',
              { id: `leg-${id}`, entryId: id, role: 'agent', agentId: 'alice', at: at + SEC },
              RULES,
            ))
          )
            return null;
          return store.delivery.acceptCallback(id, 'alice', ticketFor(slot, 'callback-accepted', at + 2 * SEC, 'alice'), RULES);
        };
        const cancel = () => cli.callbacks.cancel(id, at + SEC, 'sam');
        // Who is submitted first alternates, so both orders are exercised.
        const [c, ticket] =
          round % 2 === 0
            ? await Promise.all([cancel(), take()])
            : await Promise.all([take(), cancel()]).then(([tk, cn]) => [cn, tk] as const);
        const entry = await entryOf(store, id);
        const cancelled = c.kind === 'cancelled';
        expect(cancelled !== (ticket !== null), `${id}: exactly one of cancel/accept wins`).to.equal(true);
        if (cancelled) {
          expect(entry, id).to.include({ state: 'cancelled', ticketId: null });
          expect(await store.agents.agent('alice'), id).to.include({ state: 'available' });
        } else {
          expect(c, id).to.include({ kind: 'refused' });
          expect(entry, id).to.include({ state: 'dialing', agentId: 'alice', ticketId: ticket!.id });
          await store.delivery.finishUnanswered(id, 'alice', at + 30 * SEC, 'no answer', null, RULES);
          await store.agents.apply('alice', { type: 'wrap-up-ended' }, at + 40 * SEC, RULES);
        }
      }
      expect((await store.reports.tickets()).every((t) => t.reason === 'callback-accepted')).to.equal(true);
    });
  });
}
