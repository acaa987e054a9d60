// Read-only figures and listings (stats, callbacks list, agents per state): what supervisors see must
// add up the same on every adapter.
import { expect } from 'chai';
import type { ContractFactory } from '../fixture';
import { computeStats } from '../../../src/domain/stats';
import {
  MIN,
  OTHER_QUEUE,
  QUEUE,
  RULES,
  SEC,
  T0,
  availableAgent,
  dialing,
  joinLive,
  pendingCallback,
  seedDirectory,
  useSubject,
} from '../seed';

export function reportsContract(factory: ContractFactory): void {
  describe('reports', () => {
    const subject = useSubject(factory);
    beforeEach(() => seedDirectory(subject().store));

    it('the stats input adds up: open, requested, started, closed and live outcomes per queue', async () => {
      const { store } = subject();
      await availableAgent(store, 'alice', T0 - MIN);
      await pendingCallback(store, 'open', '+491701111111', T0);
      await pendingCallback(store, 'done', '+491702222222', T0);
      await dialing(store, 'done', 'alice', T0 + MIN);
      await store.delivery.connected('done', [{ id: 'leg-done-alice-1', role: 'agent' }], 'b1', 'alice', T0 + 2 * MIN, RULES);
      await pendingCallback(store, 'cancelled', '+491703333333', T0);
      await store.callbacks.cancel('cancelled', T0 + MIN, 'sam');
      await joinLive(store, 'waiting', T0 + 30 * SEC);
      await joinLive(store, 'gone', T0);
      await store.callers.leave('gone', T0 + MIN, 'abandoned');
      await joinLive(store, 'over', T0);
      await store.callers.leave('over', T0 + MIN, 'overflowed');
      await pendingCallback(store, 'sales', '+491704444444', T0, OTHER_QUEUE);
      const now = T0 + 10 * MIN;
      const report = computeStats(await store.reports.statsInput(now, T0 - MIN));
      const support = report.queues.find((q) => q.queue === QUEUE)!;
      expect(support).to.include({
        callbacksInQueue: 1,
        liveCallers: 1,
        longestWaitSeconds: 600,
        callbacksOpenAtStart: 0,
        callbacksTotal: 3,
        callbacksStarted: 1,
        done: 1,
        cancelled: 1,
        expired: 0,
        unanswered: 0,
        liveAbandoned: 1,
        liveOverflowed: 1,
      });
      expect(report.total.callbacksTotal).to.equal(4);
      const onlySales = computeStats(await store.reports.statsInput(now, T0 - MIN, OTHER_QUEUE));
      expect(onlySales.total).to.include({ callbacksTotal: 1, callbacksInQueue: 1, done: 0 });
    });

    it('callbacks: open ones by queue and place; --all adds closed ones requested since; a queue filter', async () => {
      const { store } = subject();
      await pendingCallback(store, 'b', '+491702222222', T0 + MIN);
      await pendingCallback(store, 'a', '+491701111111', T0);
      await pendingCallback(store, 's', '+491703333333', T0, OTHER_QUEUE);
      await pendingCallback(store, 'x', '+491704444444', T0 + 2 * MIN);
      await store.callbacks.cancel('x', T0 + 3 * MIN, 'sam');
      await joinLive(store, 'live', T0);
      expect((await store.reports.callbacks()).map((c) => c.id)).to.deep.equal(['s', 'a', 'b']);
      expect((await store.reports.callbacks({ queue: QUEUE })).map((c) => c.id)).to.deep.equal(['a', 'b']);
      const all = await store.reports.callbacks({ all: true, since: T0, queue: QUEUE });
      expect(all.map((c) => c.id)).to.deep.equal(['a', 'b', 'x']);
      expect(all.find((c) => c.id === 'x')).to.include({ state: 'cancelled', outcome: 'cancelled by sam', closedAt: T0 + 3 * MIN });
      expect(all.find((c) => c.id === 'a')).to.deep.equal({
        id: 'a',
        queue: QUEUE,
        did: '+4930123456',
        state: 'pending',
        callbackNumber: '+491701111111',
        enteredAt: T0,
        requestedAt: T0 + 10 * SEC,
        language: 'en',
        attempts: 0,
        agentId: null,
        agentCallStartedAt: null,
        ticketId: null,
        closedAt: null,
        outcome: null,
      });
      expect((await store.reports.callbacks({ all: true, since: T0 + 5 * MIN, queue: QUEUE })).map((c) => c.id)).to.deep.equal(['a', 'b']);
    });

    it('agents by state lists every state, zeros included', async () => {
      const { store } = subject();
      expect(await store.reports.agentsByState()).to.deep.equal({ 'logged-out': 0, available: 0, ringing: 0, busy: 0, 'wrap-up': 0 });
      await availableAgent(store, 'alice', T0);
      await store.admin.addAgent({ id: 'bob', name: 'Bob', endpoint: 'PJSIP/bob', queues: [] }, T0);
      expect(await store.reports.agentsByState()).to.deep.equal({ 'logged-out': 1, available: 1, ringing: 0, busy: 0, 'wrap-up': 0 });
    });
  });
}
