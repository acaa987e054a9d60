// Call histories written through the real store API in the order the daemon's sessions call it
// (callers: addLive / leave / requestCallback; delivery: offer → accept → dial → connected → ended;
// expiry: expire), so reporting tests prove what the figures make of the rows the daemon really
// writes, not of hand-written SQL.
import type { AgentRules } from '../../../src/domain/agent/agent-state';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store';

const RULES: AgentRules = { maxMissed: 3, wrapUpSeconds: 0 };
const SECOND = 1000;

export interface CallHistory {
  /** A caller joins the queue (live, waiting). */
  live(id: string, enteredAt: number): void;
  /** A waiting caller asks for a callback to `number` ('created' or 'updated' = merged repeat request). */
  request(id: string, number: string, at: number): 'created' | 'updated' | 'rate-limited';
  /** live + request: a callback slot at its caller's place. */
  callback(id: string, enteredAt: number, requestedAt: number, number: string): void;
  /** An agent presses Call at `startedAt`; the customer answers 10 s later and they talk for a minute. */
  connectCallback(id: string, agentId: string, startedAt: number): void;
  /** An agent presses Call at `startedAt`; the customer's phone rings out after 30 s, no attempts left. */
  unansweredCallback(id: string, agentId: string, startedAt: number): void;
  /** The expiry sweep takes the pending slot out at `at` and files a ticket. */
  expire(id: string, at: number): void;
  /** A live caller is offered to an agent at `at`, answered 5 s later; they talk for a minute. */
  answerLive(id: string, agentId: string, at: number): void;
  /** A live caller hangs up while waiting. */
  abandon(id: string, at: number): void;
  /** A live caller reaches the queue's max wait and goes to the overflow action. */
  overflow(id: string, at: number): void;
}

export function callHistory(store: SqliteStore, opts: { queue?: string; did?: string } = {}): CallHistory {
  const queue = opts.queue ?? 'support';
  const did = opts.did ?? '+4930123456';
  let legs = 0;
  const legId = (role: string) => `${role}-leg-${++legs}`;

  const agent = (agentId: string, at: number) => {
    if (!store.agents.get(agentId)) {
      store.agents.add({ id: agentId, name: agentId, endpoint: `PJSIP/${agentId}`, queues: [queue] }, at);
      store.agents.apply(agentId, { type: 'login' }, at, RULES);
    }
  };
  const entry = (id: string) => {
    const e = store.entries.get(id);
    if (!e) throw new Error(`no entry ${id}`);
    return e;
  };
  /** Offer and accept: what the callback session writes up to the agent's Call key. */
  const accepted = (id: string, agentId: string, startedAt: number): string => {
    agent(agentId, startedAt);
    const agentLeg = legId('agent');
    const offerAt = startedAt - 5 * SECOND;
    if (!store.delivery.offer(entry(id), agentId, { id: agentLeg, entryId: id, role: 'agent', agentId, at: offerAt }, RULES)) {
      throw new Error(`offer of ${id} to ${agentId} refused`);
    }
    const e = entry(id);
    const ticket = store.delivery.acceptCallback(
      id,
      agentId,
      {
        subject: 'Callback',
        requester: e.callbackNumber ?? '',
        reason: 'callback-accepted',
        queue,
        did,
        entryId: id,
        agentId,
        waitedSeconds: Math.round((startedAt - (e.firstRequestedAt ?? e.requestedAt ?? e.enteredAt)) / 1000),
        createdAt: startedAt,
      },
      RULES,
    );
    if (!ticket) throw new Error(`accept of ${id} by ${agentId} refused`);
    return agentLeg;
  };

  const history: CallHistory = {
    live: (id, enteredAt) => {
      store.entries.addLive({ id, queue, did, channelId: `chan-${id}`, callerId: null, enteredAt });
    },
    request: (id, number, at) => store.entries.requestCallback({ entryId: id, number, requestedAt: at, language: 'en' }).kind,
    callback: (id, enteredAt, requestedAt, number) => {
      history.live(id, enteredAt);
      if (history.request(id, number, requestedAt) !== 'created') throw new Error(`callback ${id} was not created`);
    },
    connectCallback: (id, agentId, startedAt) => {
      const agentLeg = accepted(id, agentId, startedAt);
      const customerLeg = legId('customer');
      store.delivery.customerDialStarting({ id: customerLeg, entryId: id, role: 'customer', agentId, at: startedAt + SECOND });
      const at = startedAt + 10 * SECOND;
      store.delivery.connected(
        id,
        [
          { id: agentLeg, role: 'agent' },
          { id: customerLeg, role: 'customer' },
        ],
        `bridge-${id}`,
        agentId,
        at,
        RULES,
      );
      store.delivery.conversationEnded(id, agentId, at + 60 * SECOND, 'call ended', RULES);
    },
    unansweredCallback: (id, agentId, startedAt) => {
      accepted(id, agentId, startedAt);
      const customerLeg = legId('customer');
      store.delivery.customerDialStarting({ id: customerLeg, entryId: id, role: 'customer', agentId, at: startedAt + SECOND });
      const at = startedAt + 31 * SECOND;
      store.delivery.customerDialEnded(id, customerLeg, at, 'no answer', true);
      store.delivery.finishUnanswered(id, agentId, at, 'no answer', 'callback attempted, not answered (no answer, 1 attempt)', RULES);
    },
    expire: (id, at) => {
      const e = entry(id);
      const ticket = store.delivery.expire(
        id,
        {
          subject: 'Callback',
          requester: e.callbackNumber ?? '',
          reason: 'callback-expired',
          queue,
          did,
          entryId: id,
          agentId: null,
          waitedSeconds: Math.round((at - (e.requestedAt ?? e.enteredAt)) / 1000),
          createdAt: at,
        },
        at,
        'not executed within 60 minutes',
      );
      if (!ticket) throw new Error(`expiry of ${id} refused`);
    },
    answerLive: (id, agentId, at) => {
      agent(agentId, at);
      const agentLeg = legId('agent');
      if (!store.delivery.offer(entry(id), agentId, { id: agentLeg, entryId: id, role: 'agent', agentId, at }, RULES)) {
        throw new Error(`offer of live caller ${id} to ${agentId} refused`);
      }
      const connectedAt = at + 5 * SECOND;
      store.delivery.connected(
        id,
        [
          { id: agentLeg, role: 'agent' },
          { id: `chan-${id}`, role: 'caller' },
        ],
        `bridge-${id}`,
        agentId,
        connectedAt,
        RULES,
      );
      store.delivery.conversationEnded(id, agentId, connectedAt + 60 * SECOND, 'call ended', RULES);
    },
    abandon: (id, at) => store.entries.leave(id, at, 'abandoned'),
    overflow: (id, at) => store.entries.leave(id, at, 'overflowed'),
  };
  return history;
}
