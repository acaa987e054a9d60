// Dispatch and delivery: snapshot, offer, accept, customer dials, connection, conversation end, return to
// the place, unanswered, return after a fault, and the legs recorded along the way.
import { expect } from 'chai';
import type { ContractFactory } from '../fixture';
import {
  MIN,
  RULES,
  SEC,
  T0,
  agentLeg,
  availableAgent,
  customerLeg,
  dialing,
  entryOf,
  joinLive,
  offered,
  pendingCallback,
  seedDirectory,
  ticketFor,
  useSubject,
} from '../seed';

export function deliveryContract(factory: ContractFactory): void {
  describe('delivery', () => {
    const subject = useSubject(factory);
    beforeEach(async () => {
      const { store } = subject();
      await seedDirectory(store);
      await availableAgent(store, 'alice', T0 - MIN);
      await availableAgent(store, 'bob', T0 - 2 * MIN);
    });

    it('the snapshot reads the open entries only when the agents say one could take a call', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await joinLive(store, 'live', T0 + SEC);
      let seen: string[] = [];
      const without = await store.delivery.snapshot((agents) => {
        seen = agents.map((a) => a.id).sort();
        return false;
      });
      expect(seen).to.deep.equal(['alice', 'bob']);
      expect(without.entries).to.deep.equal([]);
      const withEntries = await store.delivery.snapshot(() => true);
      expect(withEntries.entries.map((e) => e.id)).to.deep.equal(['cb', 'live']);
      expect(withEntries.agents.map((a) => a.id).sort()).to.deep.equal(['alice', 'bob']);
    });

    it('an offer records the agent leg first, rings the agent and marks the slot offered to them', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await offered(store, 'cb', 'alice', T0 + MIN);
      expect(await entryOf(store, 'cb')).to.include({ state: 'offered', agentId: 'alice' });
      expect(await store.agents.agent('alice')).to.include({ state: 'ringing' });
      expect(await store.delivery.leg('leg-cb-alice-1')).to.include({ entryId: 'cb', role: 'agent', agentId: 'alice', state: 'dialing' });
      expect((await store.delivery.openLegs()).map((l) => l.id)).to.deep.equal(['leg-cb-alice-1']);
    });

    it('an offer is refused, writing nothing, when the slot is taken or the agent is not available', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      const stale = await entryOf(store, 'cb');
      await offered(store, 'cb', 'alice', T0 + MIN);
      // bob with a stale snapshot that still says pending
      expect(await store.delivery.offer(stale, 'bob', agentLeg('cb', 'bob', T0 + MIN), RULES)).to.equal(false);
      expect(await store.agents.agent('bob')).to.include({ state: 'available' });
      expect(await store.delivery.leg('leg-cb-bob-1')).to.equal(undefined);
      await pendingCallback(store, 'cb2', '+491702222222', T0 + SEC);
      // alice is ringing already
      expect(await store.delivery.offer(await entryOf(store, 'cb2'), 'alice', agentLeg('cb2', 'alice', T0 + MIN), RULES)).to.equal(false);
      expect(await entryOf(store, 'cb2')).to.include({ state: 'pending', agentId: null });
      // an agent who does not exist
      expect(await store.delivery.offer(await entryOf(store, 'cb2'), 'nobody', agentLeg('cb2', 'nobody', T0 + MIN), RULES)).to.equal(false);
      expect(await entryOf(store, 'cb2')).to.include({ state: 'pending', agentId: null });
      expect(await store.delivery.leg('leg-cb2-nobody-1')).to.equal(undefined);
    });

    it('a live caller offered to an agent stays waiting in its place; a caller who left is not offered', async () => {
      const { store } = subject();
      await joinLive(store, 'live', T0);
      await offered(store, 'live', 'alice', T0 + SEC);
      expect(await entryOf(store, 'live')).to.include({ kind: 'live', state: 'waiting' });
      expect(await store.callers.position('live')).to.equal(1);
      // seen live, a callback slot by the time of the offer: not offered as a live caller
      await joinLive(store, 'asking', T0 + SEC);
      const seenLive = await entryOf(store, 'asking');
      await store.callers.requestCallback({ entryId: 'asking', number: '+491709999999', requestedAt: T0 + 2 * SEC, language: 'en' });
      expect(await store.delivery.offer(seenLive, 'bob', agentLeg('asking', 'bob', T0 + 3 * SEC), RULES)).to.equal(false);
      expect(await entryOf(store, 'asking')).to.include({ kind: 'callback', state: 'pending', agentId: null });
      await joinLive(store, 'gone', T0 + SEC);
      const stale = await entryOf(store, 'gone');
      await store.callers.leave('gone', T0 + 2 * SEC, 'abandoned');
      expect(await store.delivery.offer(stale, 'bob', agentLeg('gone', 'bob', T0 + 3 * SEC), RULES)).to.equal(false);
      expect(await store.agents.agent('bob')).to.include({ state: 'available' });
    });

    it('accept creates the ticket, marks the slot dialing and the agent busy', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await offered(store, 'cb', 'alice', T0 + MIN);
      const ticket = await store.delivery.acceptCallback(
        'cb',
        'alice',
        ticketFor(await entryOf(store, 'cb'), 'callback-accepted', T0 + 2 * MIN, 'alice'),
        RULES,
      );
      expect(ticket).to.include({ reason: 'callback-accepted', entryId: 'cb', agentId: 'alice', createdAt: T0 + 2 * MIN });
      expect(await entryOf(store, 'cb')).to.include({ state: 'dialing', agentId: 'alice', ticketId: ticket!.id });
      expect(await store.agents.agent('alice')).to.include({ state: 'busy', missed: 0 });
      expect(await store.tickets.get(ticket!.id)).to.deep.equal(ticket);
    });

    it('accept is refused (null, no ticket) by another agent, for a pending slot and for a closed one', async () => {
      const { store } = subject();
      const cb = await pendingCallback(store, 'cb', '+491701111111', T0);
      const t = ticketFor(cb, 'callback-accepted', T0 + 2 * MIN, 'alice');
      expect(await store.delivery.acceptCallback('cb', 'alice', t, RULES)).to.equal(null);
      await offered(store, 'cb', 'alice', T0 + MIN);
      expect(await store.delivery.acceptCallback('cb', 'bob', { ...t, agentId: 'bob' }, RULES)).to.equal(null);
      expect(await store.reports.tickets()).to.deep.equal([]);
      expect(await entryOf(store, 'cb')).to.include({ state: 'offered', agentId: 'alice' });
      expect(await store.delivery.acceptCallback('unknown', 'alice', t, RULES)).to.equal(null);
    });

    it('customer dials: each leg is recorded; a counted end is an attempt, a fault is not', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 2 * MIN, 1));
      expect(await store.delivery.leg('cust-cb-1')).to.include({ role: 'customer', state: 'dialing' });
      expect(await store.delivery.customerDialEnded('cb', 'cust-cb-1', T0 + 3 * MIN, 'no answer', true)).to.equal(1);
      expect(await store.delivery.leg('cust-cb-1')).to.include({ state: 'ended', cause: 'no answer', endedAt: T0 + 3 * MIN });
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 4 * MIN, 2));
      expect(await store.delivery.customerDialEnded('cb', 'cust-cb-2', T0 + 5 * MIN, 'no route', false)).to.equal(1);
      expect(await entryOf(store, 'cb')).to.include({ state: 'dialing', attempts: 1 });
    });

    it('a dial end reported twice counts once', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 2 * MIN));
      expect(await store.delivery.customerDialEnded('cb', 'cust-cb-1', T0 + 3 * MIN, 'no answer', true)).to.equal(1);
      expect(await store.delivery.customerDialEnded('cb', 'cust-cb-1', T0 + 3 * MIN + SEC, 'no answer', true)).to.equal(1);
      expect(await entryOf(store, 'cb')).to.include({ attempts: 1 });
    });

    it('a dial of an earlier execution that ends late does not count against the next one', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 2 * MIN, 1));
      await store.delivery.returnAfterFault('cb', 'alice', T0 + 3 * MIN, 'PBX restarted', RULES);
      await offered(store, 'cb', 'bob', T0 + 4 * MIN);
      await store.delivery.acceptCallback(
        'cb',
        'bob',
        ticketFor(await entryOf(store, 'cb'), 'callback-accepted', T0 + 5 * MIN, 'bob'),
        RULES,
      );
      expect(await store.delivery.customerDialEnded('cb', 'cust-cb-1', T0 + 6 * MIN, 'no answer', true)).to.equal(0);
      expect(await entryOf(store, 'cb')).to.include({ state: 'dialing', agentId: 'bob', attempts: 0 });
    });

    it('a dial that ends after its slot went back to the queue does not use up an attempt', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 2 * MIN));
      await store.delivery.returnAfterFault('cb', 'alice', T0 + 3 * MIN, 'PBX restarted', RULES);
      expect(await store.delivery.customerDialEnded('cb', 'cust-cb-1', T0 + 4 * MIN, 'no answer', true)).to.equal(0);
      expect(await entryOf(store, 'cb')).to.include({ state: 'pending', attempts: 0 });
    });

    it('connected: the callback is done with the answered dial counted, legs bridged, agent busy', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 2 * MIN));
      await store.delivery.legUp('leg-cb-alice-1', T0 + MIN + SEC);
      await store.delivery.legUp('cust-cb-1', T0 + 3 * MIN);
      const legs = [
        { id: 'leg-cb-alice-1', role: 'agent' as const },
        { id: 'cust-cb-1', role: 'customer' as const },
      ];
      await store.delivery.connected('cb', legs, 'bridge-1', 'alice', T0 + 3 * MIN, RULES);
      expect(await entryOf(store, 'cb')).to.include({ state: 'done', attempts: 1 });
      expect(await store.callers.position('cb')).to.equal(undefined);
      expect(await store.delivery.leg('cust-cb-1')).to.include({ state: 'up', bridgeId: 'bridge-1', answeredAt: T0 + 3 * MIN });
      expect(await store.agents.agent('alice')).to.include({ state: 'busy' });
    });

    it('connected reported again (a re-adopted conversation) counts nothing more', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await dialing(store, 'cb', 'alice', T0 + MIN);
      const legs = [{ id: 'leg-cb-alice-1', role: 'agent' as const }];
      await store.delivery.connected('cb', legs, 'bridge-1', 'alice', T0 + 3 * MIN, RULES);
      await store.delivery.connected('cb', legs, 'bridge-1', 'alice', T0 + 4 * MIN, RULES);
      expect(await entryOf(store, 'cb')).to.include({ state: 'done', attempts: 1 });
      const [row] = await store.reports.callbacks({ all: true, since: T0 });
      expect(row).to.include({ closedAt: T0 + 3 * MIN });
    });

    it('connected: a live caller is done, its own channel becomes a caller leg of the bridge', async () => {
      const { store } = subject();
      await joinLive(store, 'live', T0);
      await offered(store, 'live', 'alice', T0 + SEC);
      await store.delivery.legUp('leg-live-alice-1', T0 + 5 * SEC);
      await store.delivery.connected(
        'live',
        [
          { id: 'leg-live-alice-1', role: 'agent' },
          { id: 'chan-live', role: 'caller' },
        ],
        'bridge-2',
        'alice',
        T0 + 6 * SEC,
        RULES,
      );
      expect(await entryOf(store, 'live')).to.include({ kind: 'live', state: 'done' });
      expect(await store.delivery.leg('chan-live')).to.include({ entryId: 'live', role: 'caller', state: 'up', bridgeId: 'bridge-2' });
      expect(await store.callers.waitingLive()).to.deep.equal([]);
    });

    it('conversation ended: legs end, the agent wraps up, the comment goes on the ticket', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      const ticketId = await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 2 * MIN));
      await store.delivery.connected('cb', [{ id: 'cust-cb-1', role: 'customer' }], 'bridge-1', 'alice', T0 + 3 * MIN, RULES);
      await store.delivery.conversationEnded('cb', 'alice', T0 + 9 * MIN, 'hangup', RULES, 'bridge failed: please call back');
      expect(await store.delivery.openLegs()).to.deep.equal([]);
      expect(await store.agents.agent('alice')).to.include({ state: 'wrap-up' });
      expect((await store.tickets.comments(ticketId)).map((c) => [c.body, c.internal])).to.deep.equal([
        ['bridge failed: please call back', true],
      ]);
      expect(await entryOf(store, 'cb')).to.include({ state: 'done' });
    });

    it('return to queue: the slot is pending again at its own place, the offer leg ends, the agent gets the event', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await pendingCallback(store, 'later', '+491702222222', T0 + MIN);
      await offered(store, 'cb', 'alice', T0 + 2 * MIN);
      await store.delivery.returnToQueue('cb', 'alice', T0 + 3 * MIN, { type: 'missed' }, 'no answer', RULES);
      expect(await entryOf(store, 'cb')).to.include({ state: 'pending', agentId: null, enteredAt: T0 });
      expect(await store.callers.position('cb')).to.equal(1);
      expect(await store.delivery.leg('leg-cb-alice-1')).to.include({ state: 'ended', cause: 'no answer' });
      expect(await store.agents.agent('alice')).to.include({ state: 'available', missed: 1 });
    });

    it('a late return by an agent who no longer holds the slot leaves the current offer alone', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await offered(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.returnToQueue('cb', 'alice', T0 + 2 * MIN, { type: 'missed' }, 'no answer', RULES);
      await offered(store, 'cb', 'bob', T0 + 3 * MIN);
      await store.delivery.returnToQueue('cb', 'alice', T0 + 4 * MIN, { type: 'released' }, 'stale', RULES);
      expect(await entryOf(store, 'cb')).to.include({ state: 'offered', agentId: 'bob' });
      expect(await store.delivery.leg('leg-cb-bob-1')).to.include({ state: 'dialing' });
      expect(await store.agents.agent('bob')).to.include({ state: 'ringing' });
      expect(await store.agents.agent('alice')).to.include({ state: 'available', missed: 1 });
    });

    it('a late unanswered or fault from an agent who no longer executes the slot leaves the new execution alone', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.returnAfterFault('cb', 'alice', T0 + 2 * MIN, 'dial failed', RULES);
      await offered(store, 'cb', 'bob', T0 + 3 * MIN);
      await store.delivery.acceptCallback(
        'cb',
        'bob',
        ticketFor(await entryOf(store, 'cb'), 'callback-accepted', T0 + 4 * MIN, 'bob'),
        RULES,
      );
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 5 * MIN));
      await store.delivery.finishUnanswered('cb', 'alice', T0 + 6 * MIN, 'stale', null, RULES);
      await store.delivery.returnAfterFault('cb', 'alice', T0 + 6 * MIN, 'stale', RULES);
      expect(await entryOf(store, 'cb')).to.include({ state: 'dialing', agentId: 'bob' });
      expect((await store.delivery.openLegs()).map((l) => l.id).sort()).to.deep.equal(['cust-cb-1', 'leg-cb-bob-1']);
      expect(await store.agents.agent('bob')).to.include({ state: 'busy' });
    });

    it('return to queue of a live caller keeps it waiting and releases the agent', async () => {
      const { store } = subject();
      await joinLive(store, 'live', T0);
      await offered(store, 'live', 'alice', T0 + SEC);
      await store.delivery.returnToQueue('live', 'alice', T0 + 20 * SEC, { type: 'released' }, 'declined', RULES);
      expect(await entryOf(store, 'live')).to.include({ kind: 'live', state: 'waiting' });
      expect(await store.agents.agent('alice')).to.include({ state: 'available', missed: 0 });
    });

    it('finish unanswered: closed, comment on the ticket, legs ended, agent to wrap-up', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      const ticketId = await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.customerDialStarting(customerLeg('cb', T0 + 2 * MIN));
      await store.delivery.finishUnanswered('cb', 'alice', T0 + 4 * MIN, 'no answer', 'not answered (3 attempts)', RULES);
      expect(await entryOf(store, 'cb')).to.include({ state: 'unanswered' });
      expect((await store.tickets.comments(ticketId)).map((c) => c.body)).to.deep.equal(['not answered (3 attempts)']);
      expect(await store.delivery.openLegs()).to.deep.equal([]);
      expect(await store.agents.agent('alice')).to.include({ state: 'wrap-up' });
    });

    it('finish unanswered does not close a slot whose customer is not being dialled', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await store.delivery.finishUnanswered('cb', 'alice', T0 + MIN, 'no answer', null, RULES);
      expect(await entryOf(store, 'cb')).to.include({ state: 'pending' });
    });

    it('return after a fault: back at its place, nothing counted, the cause on the ticket, the agent released', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      const ticketId = await dialing(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.returnAfterFault('cb', 'alice', T0 + 2 * MIN, 'PBX restarted', RULES);
      expect(await entryOf(store, 'cb')).to.include({ state: 'pending', agentId: null, attempts: 0, enteredAt: T0 });
      expect((await store.tickets.comments(ticketId)).map((c) => c.body)).to.deep.equal([
        'callback interrupted (PBX restarted); the request is back in the queue at its place',
      ]);
      expect(await store.agents.agent('alice')).to.include({ state: 'available' });
      // Without an agent (legs found after a restart) and on a closed slot: nothing more happens.
      await store.delivery.returnAfterFault('cb', null, T0 + 3 * MIN, 'again', RULES);
      expect(await store.tickets.comments(ticketId)).to.have.length(1);
    });

    it('legs: up and ended by id; an ended leg is not open', async () => {
      const { store } = subject();
      await pendingCallback(store, 'cb', '+491701111111', T0);
      await offered(store, 'cb', 'alice', T0 + MIN);
      await store.delivery.legUp('leg-cb-alice-1', T0 + MIN + 5 * SEC);
      expect(await store.delivery.leg('leg-cb-alice-1')).to.include({ state: 'up', answeredAt: T0 + MIN + 5 * SEC });
      await store.delivery.legEnded('leg-cb-alice-1', T0 + 2 * MIN, 'hangup');
      expect(await store.delivery.leg('leg-cb-alice-1')).to.include({ state: 'ended', endedAt: T0 + 2 * MIN, cause: 'hangup' });
      expect(await store.delivery.openLegs()).to.deep.equal([]);
      expect(await store.delivery.leg('unknown')).to.equal(undefined);
    });
  });
}
