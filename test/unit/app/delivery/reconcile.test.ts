// planLegs as a table: what to do with one entry's open legs when the daemon meets the PBX again
// (restart or ARI reconnect). Re-adopt what is in flight where it stands, never dial again while a leg
// is alive, end the rest with their cause.
import { expect } from 'chai';
import { planLegs, type LegPlan } from '../../../../src/app/delivery/reconcile';
import type { BridgeInfo, ChannelInfo } from '../../../../src/app/telephony';
import type { EntryState, Leg, QueueEntry } from '../../../../src/domain/model';

const AWAY = 'while callbackd was not running';
const MAX = 2;

const entry = (state: EntryState, o: Partial<QueueEntry> = {}): QueueEntry => ({
  id: 'e1',
  queue: 'support',
  did: '+4930123456',
  kind: 'callback',
  state,
  enteredAt: 0,
  channelId: null,
  callerId: null,
  callbackNumber: '+4915112345679',
  requestedAt: 0,
  firstRequestedAt: 0,
  language: 'en',
  attempts: 0,
  agentId: 'alice',
  ticketId: 1,
  ...o,
});
const leg = (id: string, role: Leg['role'], o: Partial<Leg> = {}): Leg => ({
  id,
  entryId: 'e1',
  role,
  agentId: role === 'caller' ? null : 'alice',
  state: 'dialing',
  bridgeId: null,
  createdAt: 0,
  answeredAt: null,
  endedAt: null,
  cause: null,
  ...o,
});
/** Channels alive on the PBX, with their state: 'A:Up', 'C:Ringing'. */
const alive = (...specs: string[]): Map<string, ChannelInfo> =>
  new Map(
    specs.map((s) => {
      const [id, state] = s.split(':');
      return [id, { id, state, callerId: '', dialed: '', createdAt: 0, app: 'Stasis', appData: 'callbackd' }];
    }),
  );
const bridge = (id: string, ...channelIds: string[]): BridgeInfo => ({ id, channelIds });

interface Case {
  name: string;
  entry: QueueEntry | undefined;
  legs: Leg[];
  alive: Map<string, ChannelInfo>;
  bridges?: BridgeInfo[];
  expect: Partial<LegPlan> & Record<string, unknown>;
}

const A = leg('A', 'agent');
const C = leg('C', 'customer');
const CALLER = leg('K', 'caller');

const cases: Case[] = [
  // offered: the agent's phone rings or the agent hears the request
  {
    name: 'offered, agent leg still ringing: re-adopted, waiting for the answer',
    entry: entry('offered'),
    legs: [A],
    alive: alive('A:Ringing'),
    expect: { kind: 'callback', agentLegId: 'A', then: undefined },
  },
  {
    name: 'offered, agent leg up: re-adopted, the request announced again',
    entry: entry('offered'),
    legs: [A],
    alive: alive('A:Up'),
    expect: { kind: 'callback', then: 'announce' },
  },
  {
    name: 'offered, agent leg gone: ended as a fault (slot back)',
    entry: entry('offered'),
    legs: [A],
    alive: alive(),
    expect: { kind: 'end', how: 'fault', hangup: [], agentId: 'alice', cause: `agent leg ended ${AWAY}` },
  },
  // dialing: the customer is being called
  {
    name: 'dialing, customer leg ringing: re-adopted, NOT dialled again',
    entry: entry('dialing'),
    legs: [A, C],
    alive: alive('A:Up', 'C:Ringing'),
    expect: { kind: 'callback', then: undefined },
  },
  {
    name: 'dialing, customer answered while we were away: bridged now',
    entry: entry('dialing'),
    legs: [A, C],
    alive: alive('A:Up', 'C:Up'),
    expect: { kind: 'callback', then: 'customer-answered' },
  },
  {
    name: 'dialing, customer leg gone unseen: the agent is told "no answer"',
    entry: entry('dialing'),
    legs: [A, C],
    alive: alive('A:Up'),
    expect: { kind: 'callback', then: 'unreached', cause: `no answer (the call ended ${AWAY})`, endedLegId: 'C' },
  },
  {
    name: 'dialing, no customer leg yet, attempts left: the next attempt',
    entry: entry('dialing', { attempts: 1 }),
    legs: [A],
    alive: alive('A:Up'),
    expect: { kind: 'callback', then: 'retry' },
  },
  {
    name: 'dialing, no customer leg, attempts at the maximum: the agent is told "not answered"',
    entry: entry('dialing', { attempts: MAX }),
    legs: [A],
    alive: alive('A:Up'),
    expect: { kind: 'callback', then: 'unreached', cause: 'not answered' },
  },
  {
    name: 'dialing, agent leg gone: the ringing customer is hung up, a fault',
    entry: entry('dialing'),
    legs: [A, C],
    alive: alive('C:Ringing'),
    expect: { kind: 'end', how: 'fault', hangup: ['C'] },
  },
  // done: a conversation
  {
    name: 'done callback, both alive and bridged together: left as it is',
    entry: entry('done'),
    legs: [A, C],
    alive: alive('A:Up', 'C:Up'),
    bridges: [bridge('B', 'A', 'C')],
    expect: { kind: 'callback', then: undefined },
  },
  {
    name: 'done callback, both alive but not bridged: bridged again',
    entry: entry('done'),
    legs: [A, { ...C, bridgeId: 'B' }],
    alive: alive('A:Up', 'C:Up'),
    expect: { kind: 'callback', then: 'rebridge' },
  },
  {
    name: 'done callback, the customer gone: the agent hung up, the conversation ended',
    entry: entry('done'),
    legs: [A, C],
    alive: alive('A:Up'),
    expect: { kind: 'end', how: 'conversation', hangup: ['A'] },
  },
  {
    name: 'done live, both alive and bridged: re-adopted with its bridge',
    entry: entry('done', { kind: 'live' }),
    legs: [A, CALLER],
    alive: alive('A:Up', 'K:Up'),
    bridges: [bridge('B', 'A', 'K')],
    expect: { kind: 'live', callerChannelId: 'K', bridgeId: 'B', bridged: true },
  },
  {
    name: 'done live, both alive, no bridge left: re-adopted to be bridged again',
    entry: entry('done', { kind: 'live' }),
    legs: [A, CALLER],
    alive: alive('A:Up', 'K:Up'),
    expect: { kind: 'live', callerChannelId: 'K', bridgeId: null, bridged: false },
  },
  {
    name: 'done live, its bridge still there but without the parties (stopped between create and add): bridged again in it',
    entry: entry('done', { kind: 'live' }),
    legs: [{ ...A, bridgeId: 'B' }, CALLER],
    alive: alive('A:Up', 'K:Up'),
    bridges: [bridge('B')],
    expect: { kind: 'live', callerChannelId: 'K', bridgeId: 'B', bridged: false },
  },
  {
    name: 'done live, the caller gone: the agent hung up',
    entry: entry('done', { kind: 'live' }),
    legs: [A, CALLER],
    alive: alive('A:Up'),
    expect: { kind: 'end', how: 'conversation', hangup: ['A'] },
  },
  // others
  {
    name: 'waiting live caller with an agent leg (the agent was ringing): stopped, released without blame',
    entry: entry('waiting', { kind: 'live' }),
    legs: [A],
    alive: alive('A:Ringing'),
    expect: { kind: 'end', how: 'give-back', hangup: ['A'] },
  },
  {
    name: 'a closed entry (unanswered) with a leg left open: hung up, a fault',
    entry: entry('unanswered'),
    legs: [A],
    alive: alive('A:Up'),
    expect: { kind: 'end', how: 'fault', hangup: ['A'], cause: `legs of a unanswered entry ${AWAY}` },
  },
  {
    name: 'a cancelled entry, legs gone: closed',
    entry: entry('cancelled'),
    legs: [A, C],
    alive: alive(),
    expect: { kind: 'end', how: 'fault', hangup: [] },
  },
  {
    name: 'legs whose entry does not exist: hung up',
    entry: undefined,
    legs: [A],
    alive: alive('A:Up'),
    expect: { kind: 'end', how: 'fault', hangup: ['A'], agentId: 'alice', cause: `legs without a call ${AWAY}` },
  },
];

describe('app/delivery: reconciling durable legs with the PBX (planLegs)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const plan = planLegs({ entry: c.entry, legs: c.legs, alive: c.alive, bridges: c.bridges ?? [], maxAttempts: MAX });
      expect(plan).to.deep.include(c.expect);
    });
  }

  it('a re-adopted ringing customer counts the attempt being rung, and knows its leg', () => {
    const plan = planLegs({
      entry: entry('dialing', { attempts: 1 }),
      legs: [A, C],
      alive: alive('A:Up', 'C:Ringing'),
      bridges: [],
      maxAttempts: MAX,
    });
    if (plan.kind !== 'callback') throw new Error(`expected a callback plan, got ${plan.kind}`);
    expect(plan.resume).to.deep.include({ customerLegId: 'C', upLegs: ['A'] });
    expect(plan.resume.state).to.include({ phase: 'dialing-customer', attempts: 2, awaitingRetry: false, ticket: true });
  });

  it('the latest customer leg is the one that counts (an earlier attempt’s leg may still be open)', () => {
    const old = leg('C0', 'customer', { state: 'ended' });
    const plan = planLegs({
      entry: entry('dialing', { attempts: 1 }),
      legs: [A, old, C],
      alive: alive('A:Up', 'C:Up'),
      bridges: [],
      maxAttempts: MAX,
    });
    expect(plan).to.deep.include({ kind: 'callback', then: 'customer-answered' });
  });
});
