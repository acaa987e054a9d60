import { expect } from 'chai';
import { ANY_AGENT, isAgentFree, isDispatchable, pickNext, type DispatchInput } from '../../../src/domain/agent/dispatch';
import type { Agent, AgentState, EntryKind, EntryState, Millis, QueueEntry } from '../../../src/domain/model';

const NOW: Millis = 1_700_000_000_000;
const MIN = 60_000;

// ---- builders -----------------------------------------------------------------------------------
/** A live caller waiting in `queue` since `minutesAgo`. */
function live(id: string, queue: string, minutesAgo: number, state: EntryState = 'waiting'): QueueEntry {
  return {
    id,
    queue,
    did: '+4930123456',
    kind: 'live',
    state,
    enteredAt: NOW - minutesAgo * MIN,
    channelId: `chan-${id}`,
    callerId: '+4915112345678',
    callbackNumber: null,
    requestedAt: null,
    firstRequestedAt: null,
    language: null,
    attempts: 0,
    agentId: null,
    ticketId: null,
  };
}

/** A callback slot that keeps the place it entered at (`minutesAgo`); requested later than that. */
function slot(id: string, queue: string, minutesAgo: number, state: EntryState = 'pending'): QueueEntry {
  return {
    ...live(id, queue, minutesAgo),
    kind: 'callback',
    state,
    channelId: null,
    callbackNumber: '+4915112345678',
    requestedAt: NOW - (minutesAgo - 1) * MIN,
    firstRequestedAt: NOW - (minutesAgo - 1) * MIN,
    language: 'de',
  };
}

/** An available, online agent, idle since `idleMinutesAgo`. */
function agent(id: string, queues: string[], idleMinutesAgo: number, extra: Partial<Agent> = {}): Agent {
  return {
    id,
    name: `Agent ${id}`,
    endpoint: `PJSIP/${id}`,
    queues,
    state: 'available',
    stateSince: NOW - idleMinutesAgo * MIN,
    idleSince: NOW - idleMinutesAgo * MIN,
    missed: 0,
    online: true,
    ...extra,
  };
}

/** entryId → agentId → until */
function cooldowns(...rows: [entryId: string, agentId: string, until: Millis][]): DispatchInput['cooldowns'] {
  const map = new Map<string, Map<string, Millis>>();
  for (const [entryId, agentId, until] of rows) {
    const inner = map.get(entryId) ?? new Map<string, Millis>();
    inner.set(agentId, until);
    map.set(entryId, inner);
  }
  return map;
}

interface Case {
  name: string;
  entries: QueueEntry[];
  agents: Agent[];
  inFlight?: string[];
  cooldowns?: DispatchInput['cooldowns'];
  /** [entryId, agentId] of the assignment, or undefined when nothing should be dispatched. */
  expected: [string, string] | undefined;
}

function table(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const input: DispatchInput = {
        entries: c.entries,
        agents: c.agents,
        inFlight: new Set(c.inFlight ?? []),
        cooldowns: c.cooldowns ?? new Map(),
        now: NOW,
      };
      const out = pickNext(input);
      if (c.expected === undefined) {
        expect(out).to.equal(undefined);
      } else {
        expect(out, 'an assignment').to.not.equal(undefined);
        expect([out!.entry.id, out!.agent.id]).to.deep.equal(c.expected);
        // The very objects passed in come back, not copies.
        expect(c.entries).to.include(out!.entry);
        expect(c.agents).to.include(out!.agent);
      }
    });
  }
}

describe('dispatch', () => {
  describe('isDispatchable', () => {
    const ALL: EntryState[] = ['waiting', 'left', 'pending', 'offered', 'dialing', 'done', 'unanswered', 'expired', 'cancelled', 'merged'];
    const cases: [EntryKind, EntryState][] = [];
    for (const kind of ['live', 'callback'] as EntryKind[]) for (const state of ALL) cases.push([kind, state]);

    for (const [kind, state] of cases) {
      const expected = (kind === 'live' && state === 'waiting') || (kind === 'callback' && state === 'pending');
      it(`a ${kind} entry in state ${state} is ${expected ? '' : 'not '}dispatchable`, () => {
        const entry = kind === 'live' ? live('e1', 'q', 5, state) : slot('e1', 'q', 5, state);
        expect(isDispatchable(entry, new Set())).to.equal(expected);
      });
    }

    it('a waiting live caller in flight is not dispatchable', () => {
      expect(isDispatchable(live('e1', 'q', 5), new Set(['e1']))).to.equal(false);
    });

    it('a pending callback slot in flight is not dispatchable', () => {
      expect(isDispatchable(slot('e1', 'q', 5), new Set(['e1']))).to.equal(false);
    });

    it('another entry in flight does not matter', () => {
      expect(isDispatchable(slot('e1', 'q', 5), new Set(['e2']))).to.equal(true);
    });
  });

  describe('isAgentFree', () => {
    const STATES: AgentState[] = ['logged-out', 'available', 'ringing', 'busy', 'wrap-up'];
    for (const state of STATES) {
      for (const online of [true, false]) {
        const expected = state === 'available' && online;
        it(`an ${online ? 'online' : 'offline'} agent in state ${state} is ${expected ? '' : 'not '}free`, () => {
          expect(isAgentFree(agent('a1', ['q'], 5, { state, online }))).to.equal(expected);
        });
      }
    }
  });

  describe('pickNext: which entry', () => {
    table([
      {
        name: 'the oldest live caller goes first',
        entries: [live('young', 'q', 1), live('old', 'q', 10), live('middle', 'q', 5)],
        agents: [agent('a1', ['q'], 3)],
        expected: ['old', 'a1'],
      },
      {
        name: 'the oldest callback slot goes first',
        entries: [slot('young', 'q', 1), slot('old', 'q', 10)],
        agents: [agent('a1', ['q'], 3)],
        expected: ['old', 'a1'],
      },
      {
        name: 'a callback slot older than a live caller goes first',
        entries: [live('caller', 'q', 5), slot('callback', 'q', 10)],
        agents: [agent('a1', ['q'], 3)],
        expected: ['callback', 'a1'],
      },
      {
        name: 'a live caller older than a callback slot goes first',
        entries: [slot('callback', 'q', 5), live('caller', 'q', 10)],
        agents: [agent('a1', ['q'], 3)],
        expected: ['caller', 'a1'],
      },
      {
        // The slot keeps its original entry time (enteredAt) even though the request came later.
        name: 'a callback slot at its original entry time goes before a live caller who came later, even if the request came after that caller',
        entries: [live('caller', 'q', 8), { ...slot('callback', 'q', 10), requestedAt: NOW - 2 * MIN }],
        agents: [agent('a1', ['q'], 3)],
        expected: ['callback', 'a1'],
      },
      {
        name: 'equal entry times are broken by entry id',
        entries: [live('e-b', 'q', 10), slot('e-a', 'q', 10), live('e-c', 'q', 10)],
        agents: [agent('a1', ['q'], 3)],
        expected: ['e-a', 'a1'],
      },
      {
        name: 'an entry in flight is skipped for the next oldest',
        entries: [live('old', 'q', 10), slot('next', 'q', 5)],
        agents: [agent('a1', ['q'], 3)],
        inFlight: ['old'],
        expected: ['next', 'a1'],
      },
      {
        name: 'an offered callback slot is never picked',
        entries: [slot('offered', 'q', 10, 'offered'), live('caller', 'q', 5)],
        agents: [agent('a1', ['q'], 3)],
        expected: ['caller', 'a1'],
      },
      {
        name: 'a callback slot being dialled is never picked',
        entries: [slot('dialing', 'q', 10, 'dialing'), slot('pending', 'q', 5)],
        agents: [agent('a1', ['q'], 3)],
        expected: ['pending', 'a1'],
      },
      {
        name: 'closed entries are never picked',
        entries: [
          live('left', 'q', 20, 'left'),
          slot('done', 'q', 19, 'done'),
          slot('unanswered', 'q', 18, 'unanswered'),
          slot('expired', 'q', 17, 'expired'),
          slot('cancelled', 'q', 16, 'cancelled'),
          slot('merged', 'q', 15, 'merged'),
          live('open', 'q', 1),
        ],
        agents: [agent('a1', ['q'], 3)],
        expected: ['open', 'a1'],
      },
      {
        name: 'only offered, dialling and closed entries: nothing is dispatched',
        entries: [
          slot('offered', 'q', 10, 'offered'),
          slot('dialing', 'q', 9, 'dialing'),
          slot('done', 'q', 8, 'done'),
          live('left', 'q', 7, 'left'),
        ],
        agents: [agent('a1', ['q'], 3)],
        expected: undefined,
      },
      {
        name: 'every entry in flight: nothing is dispatched',
        entries: [live('e1', 'q', 10), slot('e2', 'q', 5)],
        agents: [agent('a1', ['q'], 3)],
        inFlight: ['e1', 'e2'],
        expected: undefined,
      },
      {
        name: 'no entries: nothing is dispatched',
        entries: [],
        agents: [agent('a1', ['q'], 3)],
        expected: undefined,
      },
    ]);
  });

  describe('pickNext: which agent', () => {
    table([
      {
        name: 'the longest-idle agent (earliest idleSince) wins',
        entries: [live('e1', 'q', 10)],
        agents: [agent('recent', ['q'], 1), agent('longest', ['q'], 30), agent('middle', ['q'], 10)],
        expected: ['e1', 'longest'],
      },
      {
        name: 'equal idle times are broken by agent id',
        entries: [live('e1', 'q', 10)],
        agents: [agent('a3', ['q'], 10), agent('a1', ['q'], 10), agent('a2', ['q'], 10)],
        expected: ['e1', 'a1'],
      },
      {
        name: 'an agent that is not available is skipped even if idle longest',
        entries: [live('e1', 'q', 10)],
        agents: [agent('busy', ['q'], 60, { state: 'busy' }), agent('free', ['q'], 1)],
        expected: ['e1', 'free'],
      },
      {
        name: 'an offline agent is skipped even if available and idle longest',
        entries: [live('e1', 'q', 10)],
        agents: [agent('offline', ['q'], 60, { online: false }), agent('online', ['q'], 1)],
        expected: ['e1', 'online'],
      },
      {
        name: 'no free agents (ringing, busy, wrap-up, logged out, offline): nothing is dispatched',
        entries: [live('e1', 'q', 10), slot('e2', 'q', 5)],
        agents: [
          agent('ringing', ['q'], 10, { state: 'ringing' }),
          agent('busy', ['q'], 10, { state: 'busy' }),
          agent('wrap', ['q'], 10, { state: 'wrap-up' }),
          agent('out', ['q'], 10, { state: 'logged-out' }),
          agent('offline', ['q'], 10, { online: false }),
        ],
        expected: undefined,
      },
      {
        name: 'no agents at all: nothing is dispatched',
        entries: [live('e1', 'q', 10)],
        agents: [],
        expected: undefined,
      },
      {
        name: 'an agent only gets entries of queues they serve',
        entries: [live('sales-old', 'sales', 10), live('support-new', 'support', 1)],
        agents: [agent('a1', ['support'], 30)],
        expected: ['support-new', 'a1'],
      },
      {
        name: 'the oldest entry goes to the longest-idle agent serving its queue, not the longest-idle overall',
        entries: [live('sales', 'sales', 10)],
        agents: [agent('support-agent', ['support'], 60), agent('sales-agent', ['sales'], 1)],
        expected: ['sales', 'sales-agent'],
      },
      {
        name: 'free agents who serve none of the queues: nothing is dispatched',
        entries: [live('e1', 'sales', 10), slot('e2', 'sales', 5)],
        agents: [agent('a1', ['support'], 30), agent('a2', [], 30)],
        expected: undefined,
      },
      {
        name: 'multi-queue: an agent serving two queues gets the older entry across both',
        entries: [live('sales', 'sales', 5), slot('support', 'support', 12), live('billing', 'billing', 20)],
        agents: [agent('a1', ['sales', 'support'], 3)],
        expected: ['support', 'a1'],
      },
      {
        name: 'multi-queue: the older entry is in the agent\u2019s second queue',
        entries: [slot('sales', 'sales', 15), live('support', 'support', 7)],
        agents: [agent('a1', ['support', 'sales'], 3)],
        expected: ['sales', 'a1'],
      },
    ]);
  });

  describe('pickNext: decline cooldown', () => {
    table([
      {
        name: 'an agent cooling down for an entry is skipped for it; the next agent gets it',
        entries: [slot('e1', 'q', 10)],
        agents: [agent('declined', ['q'], 30), agent('other', ['q'], 1)],
        cooldowns: cooldowns(['e1', 'declined', NOW + 60_000]),
        expected: ['e1', 'other'],
      },
      {
        name: 'an agent cooling down for the oldest entry gets the next entry',
        entries: [slot('e1', 'q', 10), live('e2', 'q', 5)],
        agents: [agent('declined', ['q'], 30)],
        cooldowns: cooldowns(['e1', 'declined', NOW + 60_000]),
        expected: ['e2', 'declined'],
      },
      {
        name: 'a cooldown for another agent does not block this one',
        entries: [slot('e1', 'q', 10)],
        agents: [agent('a1', ['q'], 30)],
        cooldowns: cooldowns(['e1', 'someone-else', NOW + 60_000]),
        expected: ['e1', 'a1'],
      },
      {
        name: 'a cooldown for another entry does not block this one',
        entries: [slot('e1', 'q', 10)],
        agents: [agent('a1', ['q'], 30)],
        cooldowns: cooldowns(['e9', 'a1', NOW + 60_000]),
        expected: ['e1', 'a1'],
      },
      {
        name: 'an entry held back from every agent (its dial failed on our side) goes to nobody; the next entry is served',
        entries: [slot('e1', 'q', 10), live('e2', 'q', 5)],
        agents: [agent('a1', ['q'], 30), agent('a2', ['q'], 1)],
        cooldowns: cooldowns(['e1', ANY_AGENT, NOW + 120_000]),
        expected: ['e2', 'a1'],
      },
      {
        name: 'a hold for every agent that has run out no longer blocks',
        entries: [slot('e1', 'q', 10)],
        agents: [agent('a1', ['q'], 30)],
        cooldowns: cooldowns(['e1', ANY_AGENT, NOW]),
        expected: ['e1', 'a1'],
      },
      {
        name: 'a cooldown that ends exactly now (until = now) no longer blocks',
        entries: [slot('e1', 'q', 10), live('e2', 'q', 5)],
        agents: [agent('declined', ['q'], 30)],
        cooldowns: cooldowns(['e1', 'declined', NOW]),
        expected: ['e1', 'declined'],
      },
      {
        name: 'a cooldown that ended in the past no longer blocks',
        entries: [slot('e1', 'q', 10), live('e2', 'q', 5)],
        agents: [agent('declined', ['q'], 30)],
        cooldowns: cooldowns(['e1', 'declined', NOW - 1]),
        expected: ['e1', 'declined'],
      },
      {
        name: 'a cooldown ending one millisecond from now still blocks',
        entries: [slot('e1', 'q', 10), live('e2', 'q', 5)],
        agents: [agent('declined', ['q'], 30)],
        cooldowns: cooldowns(['e1', 'declined', NOW + 1]),
        expected: ['e2', 'declined'],
      },
      {
        name: 'the only free agent cooling down for the only entry: nothing is dispatched',
        entries: [slot('e1', 'q', 10)],
        agents: [agent('declined', ['q'], 30)],
        cooldowns: cooldowns(['e1', 'declined', NOW + 60_000]),
        expected: undefined,
      },
    ]);
  });

  describe('pickNext: purity', () => {
    it('does not reorder or change the arrays it is given', () => {
      const entries = [live('young', 'q', 1), slot('old', 'q', 10)];
      const agents = [agent('recent', ['q'], 1), agent('longest', ['q'], 30)];
      const snapshot = JSON.stringify({ entries, agents });
      const out = pickNext({ entries, agents, inFlight: new Set(), cooldowns: new Map(), now: NOW });
      expect([out?.entry.id, out?.agent.id]).to.deep.equal(['old', 'longest']);
      expect(JSON.stringify({ entries, agents })).to.equal(snapshot);
    });
  });
});
