// Plain data shared by the domain, the store and the app layer. No behaviour, no I/O.

/** Epoch milliseconds. The domain never reads the clock itself; callers pass `now`. */
export type Millis = number;

export type NumberKind = 'voice' | 'digital';

/** A DID the daemon answers, with its callback settings (DESIGN.md §1 step 10). */
export interface NumberConfig {
  did: string; // E.164, e.g. +4930123456
  kind: NumberKind;
  queue: string;
  callbackEnabled: boolean;
  /** Language of the callback prompts for this number; null = system default. */
  callbackLanguage: string | null;
  /** Greeting name played as the callback offer; null = the shipped default prompt. */
  callbackGreeting: string | null;
  /** Greeting name played once the request is stored; null = the shipped default prompt. */
  confirmationGreeting: string | null;
  /** Outbound trunk for the callback leg, an Asterisk endpoint such as "loop" (dialled as PJSIP/<n>@trunk). */
  outboundTrunk: string | null;
  /** Countries callbacks may go to (comma-separated ISO codes, '*' = any); null = the DID's country. */
  allowedCountries?: string | null;
}

export type GreetingKind = 'callback-offer' | 'callback-confirmation';

/** A sysadmin-provided recording, per language. `sound` is an Asterisk sound name without extension. */
export interface Greeting {
  name: string;
  kind: GreetingKind;
  language: string;
  sound: string;
}

export interface QueueConfig {
  name: string;
  /** Seconds a live caller may wait before overflow; null = no limit. Callback slots are exempt. */
  maxWaitSeconds: number | null;
  /** 'hangup' (prompt + hangup) or 'context:<context>,<exten>,<priority>'. */
  overflow: string;
  mohClass: string;
}

export type EntryKind = 'live' | 'callback';

/**
 * Life of one place in a queue. A live caller is `waiting`; when it asks for a callback the same row
 * becomes kind `callback`, state `pending`, keeping `enteredAt` and so its place.
 */
export type EntryState =
  | 'waiting' // live caller on hold
  | 'left' // live caller hung up or was moved out without a callback
  | 'pending' // callback slot waiting for its turn
  | 'offered' // callback slot being offered to an agent
  | 'dialing' // agent accepted, customer being called
  | 'done' // callback connected
  | 'unanswered' // customer did not answer, no retries left
  | 'expired' // not executed within callbackExpiry
  | 'cancelled' // cancelled by a sysadmin
  | 'merged'; // a second request by the same number folded into the open one

export const OPEN_STATES: readonly EntryState[] = ['waiting', 'pending', 'offered', 'dialing'];

export interface QueueEntry {
  id: string;
  queue: string;
  did: string;
  kind: EntryKind;
  state: EntryState;
  enteredAt: Millis;
  /** The caller's channel while live; null for a callback slot. */
  channelId: string | null;
  /** Caller ID as received (may be empty or non-E.164). */
  callerId: string | null;
  /** E.164 number to call back; set once kind = callback. */
  callbackNumber: string | null;
  requestedAt: Millis | null;
  /** Language the request was confirmed in. */
  language: string | null;
}

/** An agent's availability (DESIGN.md §1 step 5). */
export type AgentState = 'logged-out' | 'available' | 'ringing' | 'busy' | 'wrap-up';

export interface Agent {
  id: string;
  name: string;
  /** Dial string of the agent's phone, e.g. PJSIP/1001. */
  endpoint: string;
  queues: string[];
  state: AgentState;
  stateSince: Millis;
  /** When the agent last became available; the longest-idle agent is chosen first. */
  idleSince: Millis | null;
  missed: number;
  online: boolean;
}

export type TicketReason = 'callback-accepted' | 'callback-expired';

export interface Ticket {
  id: number;
  subject: string;
  requester: string;
  reason: TicketReason;
  queue: string | null;
  did: string | null;
  entryId: string | null;
  agentId: string | null;
  waitedSeconds: number | null;
  createdAt: Millis;
}

export interface TicketComment {
  id: number;
  ticketId: number;
  body: string;
  internal: boolean;
  createdAt: Millis;
}
