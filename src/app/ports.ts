// What the app layer needs from the outside world, in its own words. Every Store method is a business
// verb carried out as ONE store operation (one transaction): the call flows never read-modify-write
// across awaits, so a CLI change or a second process cannot slip in between. Everything is async, so
// a locked database delays one request instead of the event loop, and a networked store fits later.
// src/store implements Store, src/ari implements Telephony (telephony.ts); tests use in-memory fakes.
import type {
  Agent,
  AgentEvent,
  Greeting,
  Leg,
  LegRole,
  Millis,
  NumberConfig,
  QueueConfig,
  QueueEntry,
  Ticket,
  TicketComment,
} from '../domain/model';
import type { AgentRules } from '../domain/agent/agent-state';
import type { AdminStore } from './store-ports/admin-store';
import type { CallbackStore } from './store-ports/callback-store';
import type { ChangeFeed } from './store-ports/change-feed';
import type { OutboxStore } from './store-ports/outbox-store';
import type { ReportStore } from './store-ports/report-store';

export type { AdminStore, NewAgent } from './store-ports/admin-store';
export type { CallbackStore, CancelOutcome } from './store-ports/callback-store';
export type { ChangeFeed, ChangeTopic, StoreChange } from './store-ports/change-feed';
export type { OutboxEntry, OutboxItem, OutboxKind, OutboxStore, TicketSinkName } from './store-ports/outbox-store';
export { TICKET_SINKS } from './store-ports/outbox-store';
export type { CallbackFilter, CallbackRow, OutboxCounts, ReportStore, TicketFilter } from './store-ports/report-store';

export interface Clock {
  now(): Millis;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Configuration the sysadmin keeps in the store (CLI-managed), read per call. */
export interface DirectoryStore {
  number(did: string): Promise<NumberConfig | undefined>;
  numbers(): Promise<NumberConfig[]>;
  queue(name: string): Promise<QueueConfig | undefined>;
  queues(): Promise<QueueConfig[]>;
  setting(key: string): Promise<string | undefined>;
  greeting(name: string, language: string): Promise<Greeting | undefined>;
  /** Languages a greeting exists in. */
  greetingLanguages(name: string): Promise<string[]>;
  /** Every greeting in every language. */
  greetings(): Promise<Greeting[]>;
}

export interface NewLiveEntry {
  id: string;
  queue: string;
  did: string;
  channelId: string;
  callerId: string | null;
  enteredAt: Millis;
}

export interface CallbackRequest {
  /** The live entry asking for the callback. */
  entryId: string;
  number: string; // E.164
  requestedAt: Millis;
  language: string;
  /** Toll-fraud rate limit, checked in the same transaction as the write: at most `cap` requests
   *  counted under `key` since `since`. The daemon always sets it; without it nothing is counted. */
  limit?: { key: string; cap: number; since: Millis };
}

export type CallbackOutcome =
  /** The live entry became a callback slot at its own place. */
  | { kind: 'created'; entryId: string }
  /** An open callback for the same number in this queue already existed; it was updated (it keeps the
   *  earlier of the two places) and the live entry was closed as merged. */
  | { kind: 'updated'; entryId: string }
  /** Refused: too many requests under the rate-limit key; nothing was written. */
  | { kind: 'rate-limited'; count: number };

export type LiveEnd = 'abandoned' | 'overflowed';

/** The queue as callers live in it. */
export interface CallerStore {
  join(entry: NewLiveEntry): Promise<void>;
  /** A live caller left without a callback. No-op unless still waiting. */
  leave(entryId: string, at: Millis, why: LiveEnd): Promise<void>;
  /** Durably (fsync'd) turns a live entry into a callback slot, or merges it into the open callback for
   *  the same number and queue, or refuses it under the rate limit. */
  requestCallback(req: CallbackRequest): Promise<CallbackOutcome>;
  entry(id: string): Promise<QueueEntry | undefined>;
  /** The entry a caller's channel belongs to (the latest one), open or not. */
  entryByChannel(channelId: string): Promise<QueueEntry | undefined>;
  /** 1-based place among the open entries of its queue; undefined if not open. */
  position(entryId: string): Promise<number | undefined>;
  /** Live entries still marked waiting (restart recovery). */
  waitingLive(): Promise<QueueEntry[]>;
}

export interface NewLeg {
  id: string; // the channel id, chosen by us before the call exists
  entryId: string;
  role: LegRole;
  agentId: string | null;
  at: Millis;
}

/** Everything dispatch and delivery change. Each method is one transaction and checks its
 *  preconditions itself (returns false / null when the world moved on meanwhile). */
export interface DeliveryStore {
  /** Every agent and, when `wantEntries(agents)` says one of them could take a call, the open entries
   *  of every queue, for one dispatch decision. (With every agent busy, a large backlog is not read
   *  again at every join and request.) */
  snapshot(wantEntries: (agents: readonly Agent[]) => boolean): Promise<{ entries: QueueEntry[]; agents: Agent[] }>;
  /** Offer an entry to an agent: the agent leg is recorded BEFORE it is dialled, the agent becomes
   *  ringing and a callback slot offered. False when the entry is no longer waiting/pending or the
   *  agent no longer available. */
  offer(entry: QueueEntry, agentId: string, leg: NewLeg, rules: AgentRules): Promise<boolean>;
  /** A leg answered (or a re-adopted leg found up). */
  legUp(legId: string, at: Millis): Promise<void>;
  leg(legId: string): Promise<Leg | undefined>;
  /** A leg is over (hung up, never answered, or lost). */
  legEnded(legId: string, at: Millis, cause: string): Promise<void>;
  /** The agent pressed Call: ticket created, slot dialing, agent busy — only if the slot is still
   *  offered to this agent. Returns the ticket, or null when the slot was cancelled/expired meanwhile. */
  acceptCallback(entryId: string, agentId: string, ticket: NewTicket, rules: AgentRules): Promise<Ticket | null>;
  /** A customer dial is about to start: its leg is recorded first (one leg per attempt). */
  customerDialStarting(leg: NewLeg): Promise<void>;
  /** A customer dial ended without a conversation. `counted`: it really reached the network (no
   *  answer, busy, rejected) and counts as an attempt; faults (no route, PBX restart) do not. */
  customerDialEnded(entryId: string, legId: string, at: Millis, cause: string, counted: boolean): Promise<number>;
  /** Agent and the other party are bridged: the entry is done (a callback connected, or a live caller
   *  answered), the attempt counted for a callback, the legs (a live caller's own channel becomes a
   *  'caller' leg) carry the bridge, the agent is busy. */
  connected(
    entryId: string,
    legs: Array<{ id: string; role: LegRole }>,
    bridgeId: string,
    agentId: string,
    at: Millis,
    rules: AgentRules,
  ): Promise<void>;
  /** A conversation is over: its legs end, the agent goes to wrap-up; `comment` (if any) is added to the
   *  entry's ticket as an internal note. */
  conversationEnded(entryId: string, agentId: string, at: Millis, cause: string, rules: AgentRules, comment?: string | null): Promise<void>;
  /** Declined, rung out or hung up before choosing (or a live caller's agent did not answer): a slot
   *  goes back to its own place, the offer's legs end, the agent gets `agentEvent` (missed/released). */
  returnToQueue(entryId: string, agentId: string, at: Millis, agentEvent: AgentEvent, cause: string, rules: AgentRules): Promise<void>;
  /** No answer after the last attempt (or the agent gave up): closed unanswered, the ticket gets an
   *  internal comment, the legs end, the agent goes to wrap-up. */
  finishUnanswered(entryId: string, agentId: string, at: Millis, detail: string, comment: string | null, rules: AgentRules): Promise<void>;
  /** A call in flight was interrupted by a fault (PBX restart, legs lost while we were away): the slot
   *  goes back to its place, nothing is counted, the cause is kept on the ticket if there is one. */
  returnAfterFault(entryId: string, agentId: string | null, at: Millis, cause: string, rules: AgentRules): Promise<void>;
  /** Legs we created that are not ended yet (restart / reconnect reconciliation). */
  openLegs(): Promise<Leg[]>;
}

export interface AgentStore {
  agent(id: string): Promise<Agent | undefined>;
  byEndpoint(endpoint: string): Promise<Agent | undefined>;
  list(): Promise<Agent[]>;
  /** Applies one agent event by the shared rules (domain/agent/agent-state.ts) in one transaction;
   *  returns the agent afterwards (undefined if it does not exist). */
  apply(agentId: string, event: AgentEvent, at: Millis, rules: AgentRules): Promise<Agent | undefined>;
  setOnline(endpoint: string, online: boolean): Promise<boolean>;
}

export type NewTicket = Omit<Ticket, 'id'>;

/** A pending callback old enough to expire. */
export interface ExpiryCandidate {
  id: string;
  queue: string;
  did: string;
  callbackNumber: string;
  requestedAt: Millis;
  language: string | null;
}

export interface ExpiryStore {
  candidates(cutoff: Millis): Promise<ExpiryCandidate[]>;
  /** Ticket for follow-up + slot closed as expired + slot linked to its ticket, in one transaction;
   *  null when the slot is no longer pending (offered meanwhile, cancelled). */
  expire(entryId: string, ticket: NewTicket, at: Millis, outcome: string): Promise<Ticket | null>;
}

export interface TicketStore {
  get(id: number): Promise<Ticket | undefined>;
  comments(ticketId: number): Promise<TicketComment[]>;
}

/** The whole store as every part of callbackd sees it (daemon, CLI, metrics, tickets, web). Adapters:
 *  src/store/sqlite (the embedded default) and src/store/postgres; both pass test/contract.
 *
 *  Ordering promise: writes concerning one entry (join, leave, request, offer, accept, …) take effect in
 *  the order they were submitted, even when the caller does not await each one (a caller who hangs up
 *  right after dialling in submits `leave` while `join` is in flight; `leave` must not overtake it). */
export interface Store {
  directory: DirectoryStore;
  callers: CallerStore;
  delivery: DeliveryStore;
  agents: AgentStore;
  expiry: ExpiryStore;
  tickets: TicketStore;
  callbacks: CallbackStore;
  admin: AdminStore;
  reports: ReportStore;
  outbox: OutboxStore;
  /** Changes made outside this process (the admin CLI, another node). */
  changes: ChangeFeed;
  /** Can the store take a write right now? For /readyz; bounded, never blocks for long, writes nothing. */
  probeWrite(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}
