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
  /** Where callbacks are dialled (domain/outbound.ts dialTarget): null = the admin's callbackd-outbound
   *  dialplan context, `dialplan:<context>`, a dial-string template, or a PJSIP trunk name. */
  outboundTrunk: string | null;
  /** Number the customer sees when called back; null = the DID. */
  outboundCallerId?: string | null;
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
  /** Latest request (a repeated request refreshes it; expiry counts from here). */
  requestedAt: Millis | null;
  /** First request of this slot (the callback wait supervisors see counts from here). */
  firstRequestedAt: Millis | null;
  /** Language the request was confirmed in. */
  language: string | null;
  /** Customer dials that really reached the network (faults are not counted). */
  attempts: number;
  /** The agent it is offered to / being executed by. */
  agentId: string | null;
  /** The ticket of an accepted or expired callback. */
  ticketId: number | null;
}

/** An agent's availability (DESIGN.md §1 step 5). Changed only through AgentEvents and the rules in
 *  agent/agent-state.ts, by the daemon and the admin CLI alike. */
export type AgentState = 'logged-out' | 'available' | 'ringing' | 'busy' | 'wrap-up';

export type AgentEvent =
  | { type: 'login' }
  | { type: 'logout' }
  /** Offered a call: the phone rings. */
  | { type: 'ringing' }
  /** Answered and talking (or about to): busy, the miss streak ends. */
  | { type: 'answered' }
  /** Let it ring out or rejected it: one more miss; too many in a row logs the agent out. */
  | { type: 'missed' }
  /** Back to available without blame (declined, the caller vanished, a fault). */
  | { type: 'released' }
  /** A conversation ended: wrap-up time, or available at once without wrap-up. */
  | { type: 'call-ended' }
  | { type: 'wrap-up-ended' }
  /** Start-up found the agent ringing/busy/wrap-up without any live call of ours. */
  | { type: 'recovered' };

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

/** Which side of a call we created a channel for. A live caller's own channel is a 'caller' leg once
 *  it is bridged, so a conversation can be found again after a restart. */
export type LegRole = 'agent' | 'customer' | 'caller';

/** A channel the daemon dialled (or bridged), recorded before it exists so that a restart knows
 *  what is in flight (DESIGN.md §4 "Durable legs"). */
export interface Leg {
  id: string; // the channel id
  entryId: string;
  role: LegRole;
  agentId: string | null;
  state: 'dialing' | 'up' | 'ended';
  bridgeId: string | null;
  createdAt: Millis;
  answeredAt: Millis | null;
  endedAt: Millis | null;
  cause: string | null;
}
