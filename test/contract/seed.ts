// Seeding and small helpers shared by the contract files. Everything goes through the Store port (admin
// verbs, call-flow verbs), never SQL, so a new adapter needs nothing but its factory.
import type { ContractFactory, ContractSubject } from './fixture';
import type { NewTicket, Store } from '../../src/app/ports';
import type { AgentRules } from '../../src/domain/agent/agent-state';
import type { Agent, Millis, QueueEntry, TicketReason } from '../../src/domain/model';

/** A real point in time; every verb takes its time as a parameter, so nothing here sleeps. */
export const T0: Millis = Date.UTC(2026, 2, 2, 9, 0, 0);
export const SEC = 1000;
export const MIN = 60 * SEC;
export const QUEUE = 'support';
export const OTHER_QUEUE = 'sales';
export const DID = '+4930123456';
export const OTHER_DID = '+4930999999';
export const RULES: AgentRules = { maxMissed: 3, wrapUpSeconds: 30 };
export const NO_WRAP_UP: AgentRules = { maxMissed: 3, wrapUpSeconds: 0 };

/** One subject per test: opened before, closed (database removed) after, even when the test failed. */
export function useSubject(factory: ContractFactory): () => ContractSubject {
  let subject: ContractSubject | undefined;
  beforeEach(async () => {
    subject = await factory();
  });
  afterEach(async () => {
    await subject?.close();
    subject = undefined;
  });
  return () => {
    if (!subject) throw new Error('no contract subject outside a test');
    return subject;
  };
}

/** Two queues with a voice number each, callbacks on. */
export async function seedDirectory(store: Store): Promise<void> {
  for (const name of [QUEUE, OTHER_QUEUE])
    await store.admin.upsertQueue({ name, maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
  for (const [did, queue] of [
    [DID, QUEUE],
    [OTHER_DID, OTHER_QUEUE],
  ]) {
    await store.admin.upsertNumber({
      did,
      kind: 'voice',
      queue,
      callbackEnabled: true,
      callbackLanguage: 'en',
      callbackGreeting: null,
      confirmationGreeting: null,
      outboundTrunk: null,
    });
  }
}

/** An agent of `queues`, logged in (available) at `at`. */
export async function availableAgent(store: Store, id: string, at: Millis, queues = [QUEUE]): Promise<Agent> {
  await store.admin.addAgent({ id, name: `Agent ${id}`, endpoint: `PJSIP/${id}`, queues }, at);
  const agent = await store.agents.apply(id, { type: 'login' }, at, RULES);
  if (!agent) throw new Error(`agent ${id} vanished`);
  return agent;
}

export async function joinLive(store: Store, id: string, enteredAt: Millis, queue = QUEUE): Promise<void> {
  await store.callers.join({ id, queue, did: queue === QUEUE ? DID : OTHER_DID, channelId: `chan-${id}`, callerId: null, enteredAt });
}

/** A live caller who entered at `enteredAt` and asked for a callback a little later: a pending slot. */
export async function pendingCallback(store: Store, id: string, number: string, enteredAt: Millis, queue = QUEUE): Promise<QueueEntry> {
  await joinLive(store, id, enteredAt, queue);
  const out = await store.callers.requestCallback({ entryId: id, number, requestedAt: enteredAt + 10 * SEC, language: 'en' });
  if (out.kind !== 'created') throw new Error(`callback ${id} was ${out.kind}`);
  return entryOf(store, id);
}

export async function entryOf(store: Store, id: string): Promise<QueueEntry> {
  const e = await store.callers.entry(id);
  if (!e) throw new Error(`entry ${id} does not exist`);
  return e;
}

export const agentLeg = (entryId: string, agentId: string, at: Millis, n = 1) => ({
  id: `leg-${entryId}-${agentId}-${n}`,
  entryId,
  role: 'agent' as const,
  agentId,
  at,
});

export const customerLeg = (entryId: string, at: Millis, n = 1) => ({
  id: `cust-${entryId}-${n}`,
  entryId,
  role: 'customer' as const,
  agentId: null,
  at,
});

export function ticketFor(
  entry: Pick<QueueEntry, 'id' | 'queue' | 'did' | 'callbackNumber'>,
  reason: TicketReason,
  at: Millis,
  agentId: string | null,
): NewTicket {
  return {
    subject: `Callback ${entry.callbackNumber ?? '?'}`,
    requester: entry.callbackNumber ?? '?',
    reason,
    queue: entry.queue,
    did: entry.did,
    entryId: entry.id,
    agentId,
    waitedSeconds: 60,
    createdAt: at,
  };
}

/** Offers the slot to the agent through the port; the offer must succeed. */
export async function offered(store: Store, id: string, agentId: string, at: Millis, n = 1): Promise<void> {
  if (!(await store.delivery.offer(await entryOf(store, id), agentId, agentLeg(id, agentId, at, n), RULES)))
    throw new Error(`offer of ${id} refused`);
}

/** Offered and accepted: the customer is being dialled. */
export async function dialing(store: Store, id: string, agentId: string, at: Millis): Promise<number> {
  await offered(store, id, agentId, at);
  const ticket = await store.delivery.acceptCallback(
    id,
    agentId,
    ticketFor(await entryOf(store, id), 'callback-accepted', at + SEC, agentId),
    RULES,
  );
  if (!ticket) throw new Error(`accept of ${id} refused`);
  return ticket.id;
}
